{#- Unify's touches: each email step sent, each reply received (at the step whose email it
    answered, when the enrollment steps are loaded), and what the enrollment steps say of a
    step's email with no time: opened, clicked, bounced, opted out (occurred_at null). -#}
{#- Of an email step, its enrollment steps say who was sent it, opened, clicked, bounced and
    opted out; a reply names the step it answered (the marts' funnel_by_step). -#}
{{ config(meta={'step_touches': ['send', 'open', 'click', 'reply', 'bounce', 'unsubscribe']}) }}
{% call(ws) for_each_workspace('unify') %}
{% if vendor_loaded('unify', 'enrollments', ws) %}
{% set steps = vendor_table('unify', 'enrollment_steps', ws,
                            [('id', 'varchar'), ('enrollment_id', 'varchar'),
                             ('sequence_id', 'varchar'), ('step_number', 'bigint'),
                             ('sent_at', 'timestamp with time zone'),
                             ('reply_email_message_id', 'varchar'), ('opens', 'bigint'),
                             ('clicks', 'bigint'), ('email_is_bounced', 'boolean'),
                             ('email_is_opted_out', 'boolean')]) %}
{% set here = workspace_name(ws) %}
with answered as (
    select reply_email_message_id, min(step_number) as step
    from {{ steps }} st
    where reply_email_message_id is not null
    group by reply_email_message_id
)
select 'unify' as vendor, {{ here }} as workspace,
       {{ vendor_key('unify', ws, "st.id || ':send'") }} as touch_key,
       {{ vendor_key('unify', ws, 'st.enrollment_id') }} as enrollment_key,
       {{ vendor_key('unify', ws, 'st.sequence_id') }} as sequence_key,
       st.step_number as step, 'send' as touch_type, st.sent_at as occurred_at
from {{ steps }} st
where st.sent_at is not null
union all
select 'unify', {{ here }}, {{ vendor_key('unify', ws, "st.id || ':' || k.touch_type") }},
       {{ vendor_key('unify', ws, 'st.enrollment_id') }},
       {{ vendor_key('unify', ws, 'st.sequence_id') }}, st.step_number, k.touch_type,
       cast(null as timestamp with time zone)
from {{ steps }} st
join (values ('open'), ('click'), ('bounce'), ('unsubscribe')) k(touch_type)
  on (k.touch_type = 'open' and st.opens > 0) or (k.touch_type = 'click' and st.clicks > 0)
  or (k.touch_type = 'bounce' and st.email_is_bounced)
  or (k.touch_type = 'unsubscribe' and st.email_is_opted_out)
union all
select 'unify', {{ here }}, {{ vendor_key('unify', ws, "r.id || ':reply'") }},
       {{ vendor_key('unify', ws, 'r.enrollment_id') }},
       {{ vendor_key('unify', ws, 'e.sequence_id') }}, a.step, 'reply', r.received_at
from {{ vendor_table('unify', 'reply_email_messages', ws,
                     [('id', 'varchar'), ('enrollment_id', 'varchar'),
                      ('received_at', 'timestamp with time zone')]) }} r
join {{ vendor_relation('unify', 'enrollments', ws) }} e on e.id = r.enrollment_id
left join answered a on a.reply_email_message_id = r.id
where r.received_at is not null
{% else %}
{{ no_rows(common_columns('touches')) }}
{% endif %}
{% endcall %}
