{#- Per subscriber in a sequence: what the per-recipient event stream says happened to them there
    (no rows until an event is loaded). -#}
{{ report_view('sequenzy', 'sequence_event_flags') }}
select v.sequence_id, v.subscriber_id,
       min(v.event_time) filter (where v.event_type = 'send') as first_sent_at,
       max(case when v.event_type = 'send' then 1 else 0 end) as sent,
       max(case when v.event_type = 'delivery' then 1 else 0 end) as delivered,
       max(case when v.event_type = 'open' then 1 else 0 end) as opened,
       max(case when v.event_type = 'click' then 1 else 0 end) as clicked,
       max(case when v.event_type = 'bounce' then 1 else 0 end) as bounced,
       max(case when v.event_type = 'unsubscribe' then 1 else 0 end) as opted_out,
       max(case when v.event_type = 'complaint' then 1 else 0 end) as complained
from {{ vendor_table('sequenzy', 'events',
                     [('sequence_id', 'varchar'), ('subscriber_id', 'varchar'),
                      ('event_type', 'varchar'), ('event_time', 'timestamp with time zone')]) }} v
group by v.sequence_id, v.subscriber_id
