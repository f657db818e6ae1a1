{#- Sequenzy's event stream, each event tied to the enrollment it belongs to. The vendor's events
    (the SDK's EmailEvent) name the subscriber and the email node (`campaign_id`), not the
    enrollment; the stream is read per sequence, and the source writes its `sequence_id`. An
    event belongs to the subscriber's enrollment in that sequence that started last at or
    before it (stg_sequenzy__runs). -#}
{% call(ws) for_each_workspace('sequenzy') %}
select {{ workspace_name(ws) }} as workspace, ev.id, ev.sequence_id, ev.subscriber_id,
       r.id as enrollment_id, ev.campaign_id as node_id, ev.email_send_id, ev.event_type,
       ev.event_time
from {{ vendor_table('sequenzy', 'events', ws,
                     [('id', 'varchar'), ('sequence_id', 'varchar'), ('subscriber_id', 'varchar'),
                      ('campaign_id', 'varchar'), ('email_send_id', 'varchar'),
                      ('event_type', 'varchar'),
                      ('event_time', 'timestamp with time zone')]) }} ev
left join {{ ref('stg_sequenzy__runs') }} r
  on r.workspace = {{ workspace_name(ws) }}
 and r.sequence_id = ev.sequence_id and r.subscriber_id = ev.subscriber_id
 and r.enrollment_started_at <= ev.event_time
 and (r.next_started_at is null or ev.event_time < r.next_started_at)
{% endcall %}
