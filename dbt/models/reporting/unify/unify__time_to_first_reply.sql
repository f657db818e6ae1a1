{{ report_view('unify', 'time_to_first_reply') }}
with waits as (
    select e.sequence_id, extract(epoch from (r.received_at - e.started_at)) / 3600.0 as hours
    from {{ vendor_source('unify', 'enrollments') }} e
    join {{ vendor_table('unify', 'reply_email_messages',
                         [('id', 'varchar'), ('received_at', 'timestamp with time zone')]) }} r
      on r.id = e.reply_email_message_id
    where r.received_at is not null and e.started_at is not null
)
select w.sequence_id, s.name as sequence, count(*) as replies,
       percentile_cont(0.5) within group (order by w.hours) as median_hours,
       percentile_cont(0.9) within group (order by w.hours) as p90_hours
from waits w
left join {{ vendor_source('unify', 'sequences') }} s on s.id = w.sequence_id
group by w.sequence_id, s.name
