{#- Unify's touches with a time: each email step sent, each reply received (at the step whose
    email it answered, when the enrollment steps are loaded). Opens and clicks are counts on a
    step, with no time: they are not touches. -#}
{% if vendor_loaded('unify', 'enrollments') %}
{% set steps = vendor_table('unify', 'enrollment_steps',
                            [('id', 'varchar'), ('enrollment_id', 'varchar'),
                             ('sequence_id', 'varchar'), ('step_number', 'bigint'),
                             ('sent_at', 'timestamp with time zone'),
                             ('reply_email_message_id', 'varchar')]) %}
with answered as (
    select reply_email_message_id, min(step_number) as step
    from {{ steps }} st
    where reply_email_message_id is not null
    group by reply_email_message_id
)
select 'unify' as vendor, 'unify:' || st.id || ':send' as touch_key,
       'unify:' || st.enrollment_id as enrollment_key, 'unify:' || st.sequence_id as sequence_key,
       st.step_number as step, 'send' as touch_type, st.sent_at as occurred_at
from {{ steps }} st
where st.sent_at is not null
union all
select 'unify', 'unify:' || r.id || ':reply', 'unify:' || r.enrollment_id,
       'unify:' || e.sequence_id, a.step, 'reply', r.received_at
from {{ vendor_table('unify', 'reply_email_messages',
                     [('id', 'varchar'), ('enrollment_id', 'varchar'),
                      ('received_at', 'timestamp with time zone')]) }} r
join {{ vendor_relation('unify', 'enrollments') }} e on e.id = r.enrollment_id
left join answered a on a.reply_email_message_id = r.id
where r.received_at is not null
{% else %}
{{ no_rows(common_columns('touches')) }}
{% endif %}
