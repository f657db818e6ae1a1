{#- Instantly's touches with a time: each email sent from a campaign, each reply received, at
    its step (Instantly counts steps from 0; here from 1, as the other vendors). Opens and
    clicks are counters on the lead, with no time. -#}
{#- Of an email step, its emails say who was sent it and who replied; its opens, clicks and
    bounces are counters on the lead (the marts' funnel_by_step). -#}
{{ config(meta={'step_touches': ['send', 'reply']}) }}
{% call(ws) for_each_workspace('instantly') %}
{% if vendor_loaded('instantly', 'emails', ws) %}
select 'instantly' as vendor, {{ workspace_name(ws) }} as workspace,
       {{ vendor_key('instantly', ws, 'm.id') }} as touch_key,
       {{ vendor_key('instantly', ws, 'm.lead_id') }} as enrollment_key,
       {{ vendor_key('instantly', ws, 'm.campaign_id') }} as sequence_key,
       m.step_index + 1 as step,
       case m.ue_type when 1 then 'send' else 'reply' end as touch_type,
       m.timestamp_email as occurred_at
from {{ vendor_relation('instantly', 'emails', ws) }} m
where m.ue_type in (1, 2) and m.campaign_id is not null and m.lead_id is not null
{% else %}
{{ no_rows(common_columns('touches')) }}
{% endif %}
{% endcall %}
