{#- One row per subscriber in a Sequenzy sequence: the counting rule of every Sequenzy report view.
    A subscriber enrolled twice in a sequence (the vendor allows concurrent runs, told apart by
    `enrollmentKey`) counts once there. Reached, delivered, opened, clicked, bounced and
    unsubscribed come from the event stream; replies and conversions are not in it (the vendor has
    no such event types): the by-sequence and by-step views take them from the vendor's metrics. -#}
{{ report_view('sequenzy', 'funnel_person_sequence') }}
select e.sequence_id, e.subscriber_id, lower(max(e.email)) as person,
       min(e.enrollment_started_at) as first_enrolled_at, count(*) as enrollments,
       max(case when e.status in ('active', 'waiting', 'paused') then 1 else 0 end) as in_progress,
       max(case when e.status = 'completed' then 1 else 0 end) as finished,
       max(case when e.status = 'cancelled' then 1 else 0 end) as canceled,
       max(case when e.status = 'failed' then 1 else 0 end) as failed,
       max(g.first_sent_at) as first_sent_at, coalesce(max(g.sent), 0) as sent,
       coalesce(max(g.delivered), 0) as delivered, coalesce(max(g.opened), 0) as opened,
       coalesce(max(g.clicked), 0) as clicked, coalesce(max(g.bounced), 0) as bounced,
       coalesce(max(g.opted_out), 0) as opted_out, coalesce(max(g.complained), 0) as complained
from {{ vendor_source('sequenzy', 'enrollments') }} e
left join {{ ref('sequenzy__sequence_event_flags') }} g
  on g.sequence_id = e.sequence_id and g.subscriber_id = e.subscriber_id
group by e.sequence_id, e.subscriber_id
