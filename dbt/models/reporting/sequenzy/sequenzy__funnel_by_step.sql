{#- Per email step: sends and what became of them (one event per kind a send, as the vendor
    counts), beside the vendor's own replies and conversions for the step. -#}
{{ report_view('sequenzy', 'funnel_by_step') }}
{% call(ws) for_each_workspace('sequenzy') %}
select {{ workspace_name(ws) }} as workspace, m.sequence_id, s.name as sequence,
       m.step_number as step, m.node_id, m.subject,
       count(distinct v.email_send_id) filter (where v.event_type = 'send') as sent,
       count(distinct v.email_send_id) filter (where v.event_type = 'delivery') as delivered,
       count(distinct v.email_send_id) filter (where v.event_type = 'open') as opened,
       count(distinct v.email_send_id) filter (where v.event_type = 'click') as clicked,
       count(distinct v.email_send_id) filter (where v.event_type = 'bounce') as bounced,
       count(distinct v.email_send_id) filter (where v.event_type = 'unsubscribe')
         as unsubscribed,
       max(p.replies) as replies, max(p.conversions) as conversions
from {{ vendor_table('sequenzy', 'sequence_emails', ws,
                     [('sequence_id', 'varchar'), ('node_id', 'varchar'),
                      ('step_number', 'bigint'), ('subject', 'varchar')]) }} m
left join {{ vendor_table('sequenzy', 'sequences', ws,
                          [('id', 'varchar'), ('name', 'varchar')]) }} s
  on s.id = m.sequence_id
left join {{ vendor_table('sequenzy', 'events', ws,
                          [('sequence_id', 'varchar'), ('campaign_id', 'varchar'),
                           ('email_send_id', 'varchar'), ('event_type', 'varchar')]) }} v
  on v.sequence_id = m.sequence_id and v.campaign_id = m.node_id
left join {{ ref('sequenzy__step_metrics_latest') }} p
  on p.workspace = {{ workspace_name(ws) }}
 and p.sequence_id = m.sequence_id and p.node_id = m.node_id
group by m.sequence_id, s.name, m.step_number, m.node_id, m.subject
{% endcall %}
