{{ report_view('unify', 'time_to_first_reply') }}
{%- set ts = 'timestamp with time zone' %}
{% call(ws) for_each_workspace('unify') %}
with waits as (
    select e.sequence_id, extract(epoch from (r.received_at - e.started_at)) / 3600.0 as hours
    from {{ vendor_table('unify', 'enrollments', ws,
                         [('sequence_id', 'varchar'), ('started_at', ts),
                          ('reply_email_message_id', 'varchar')]) }} e
    join {{ vendor_table('unify', 'reply_email_messages', ws,
                         [('id', 'varchar'), ('received_at', ts)]) }} r
      on r.id = e.reply_email_message_id
    where r.received_at is not null and e.started_at is not null
)
select {{ workspace_name(ws) }} as workspace, w.sequence_id, s.name as sequence,
       count(*) as replies,
       percentile_cont(0.5) within group (order by w.hours) as median_hours,
       percentile_cont(0.9) within group (order by w.hours) as p90_hours
from waits w
left join {{ vendor_table('unify', 'sequences', ws,
                          [('id', 'varchar'), ('name', 'varchar')]) }} s
  on s.id = w.sequence_id
group by w.sequence_id, s.name
{% endcall %}
