{#- Sequenzy's event stream as touches: sends, opens, clicks, bounces and unsubscribes, at the
    email step of the node that sent them (deliveries, delays and complaints are left to the
    events table). -#}
{#- Of an email step, its events say who was sent it, opened, clicked, bounced and
    unsubscribed; a conversation names its sequence, not a step (the marts' funnel_by_step). -#}
{{ config(meta={'step_touches': ['send', 'open', 'click', 'bounce', 'unsubscribe']}) }}
-- depends_on: {{ ref('stg_sequenzy__events') }}
{% call(ws) for_each_workspace('sequenzy') %}
{% if vendor_loaded('sequenzy', 'events', ws) %}
with steps as (
    select node_id, min(step_number) as step
    from {{ vendor_table('sequenzy', 'sequence_emails', ws,
                         [('node_id', 'varchar'), ('step_number', 'bigint')]) }} se
    group by node_id
)
select 'sequenzy' as vendor, {{ workspace_name(ws) }} as workspace,
       {{ vendor_key('sequenzy', ws, 'ev.id') }} as touch_key,
       {{ vendor_key('sequenzy', ws, 'ev.enrollment_id') }} as enrollment_key,
       {{ vendor_key('sequenzy', ws, 'ev.sequence_id') }} as sequence_key,
       st.step, ev.event_type as touch_type, ev.event_time as occurred_at
from {{ ref('stg_sequenzy__events') }} ev
left join steps st on st.node_id = ev.node_id
where ev.workspace = {{ workspace_name(ws) }}
  and ev.event_type in ('send', 'open', 'click', 'bounce', 'unsubscribe')
  and ev.enrollment_id is not null
{% else %}
{{ no_rows(common_columns('touches')) }}
{% endif %}
{% endcall %}
