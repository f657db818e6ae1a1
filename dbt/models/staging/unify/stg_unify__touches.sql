{#- Unify's touches: each email step sent, each reply received (at the step whose email it
    answered, when the enrollment steps are loaded), and what the enrollment steps say of a
    step's email with no time: opened, clicked, bounced, opted out (occurred_at null). -#}
{#- Of an email step, its enrollment steps say who was sent it, opened, clicked, bounced and
    opted out; a reply names the step it answered (the marts' funnel_by_step). -#}
{{ config(meta={'step_touches': ['send', 'open', 'click', 'reply', 'bounce', 'unsubscribe']}) }}
{% if vendor_loaded('unify', 'enrollments') %}
{% set steps = vendor_table('unify', 'enrollment_steps',
                            [('id', 'varchar'), ('enrollment_id', 'varchar'),
                             ('sequence_id', 'varchar'), ('step_number', 'bigint'),
                             ('sent_at', 'timestamp with time zone'),
                             ('reply_email_message_id', 'varchar'), ('opens', 'bigint'),
                             ('clicks', 'bigint'), ('email_is_bounced', 'boolean'),
                             ('email_is_opted_out', 'boolean')]) %}
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
select 'unify', 'unify:' || st.id || ':' || k.touch_type, 'unify:' || st.enrollment_id,
       'unify:' || st.sequence_id, st.step_number, k.touch_type,
       cast(null as timestamp with time zone)
from {{ steps }} st
join (values ('open'), ('click'), ('bounce'), ('unsubscribe')) k(touch_type)
  on (k.touch_type = 'open' and st.opens > 0) or (k.touch_type = 'click' and st.clicks > 0)
  or (k.touch_type = 'bounce' and st.email_is_bounced)
  or (k.touch_type = 'unsubscribe' and st.email_is_opted_out)
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
