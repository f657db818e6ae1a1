{#- One row per Unify enrollment, its vendor status as macros/unify_vendor_status.sql
    derives it. Reached: an email step was sent
    (enrollment steps), or the enrollment started when the steps were not loaded; opened: a
    step's email was opened (unknown without the steps). Unify gives
    no time of an open. -#}
{% call(ws) for_each_workspace('unify') %}
{% set steps_loaded = vendor_loaded('unify', 'enrollment_steps', ws) %}
{% if vendor_loaded('unify', 'enrollments', ws) %}
with sends as (
    select enrollment_id, min(sent_at) as first_sent_at, max(opens) as opens
    from {{ vendor_table('unify', 'enrollment_steps', ws,
                         [('enrollment_id', 'varchar'), ('sent_at', 'timestamp with time zone'),
                          ('opens', 'bigint')]) }} st
    group by enrollment_id
), positive as (
    select distinct reply_email_message_id
    from {{ vendor_table('unify', 'reply_email_classifications', ws,
                         [('reply_email_message_id', 'varchar'), ('category', 'varchar')]) }} c
    where category = 'POSITIVE'
)
select 'unify' as vendor, {{ workspace_name(ws) }} as workspace,
       {{ vendor_key('unify', ws, 'e.id') }} as enrollment_key, e.id as vendor_enrollment_id,
       {{ vendor_key('unify', ws, 'e.sequence_id') }} as sequence_key,
       e.sequence_id as vendor_sequence_id,
       {{ person_key(ws, "coalesce(lower(nullif(trim(p.email), '')),
                                   'unify-person:' || e.person_id)") }} as person_key,
       coalesce(e.created_at, e.started_at) as enrolled_at,
       {{ unify_vendor_status('e') }} as vendor_status,
{%- if steps_loaded %}
       s.first_sent_at is not null as reached, coalesce(s.opens, 0) > 0 as opened,
       s.first_sent_at,
{%- else %}
       e.started_at is not null as reached, cast(null as boolean) as opened,
       e.started_at as first_sent_at,
{%- endif %}
       cast(null as timestamp with time zone) as first_opened_at,
       r.received_at as first_replied_at,
       coalesce(e.is_replied, false) as replied,
       pos.reply_email_message_id is not null as positive,
       coalesce(e.is_bounced, false) as bounced, coalesce(e.is_opted_out, false) as unsubscribed
from {{ vendor_relation('unify', 'enrollments', ws) }} e
left join {{ vendor_table('unify', 'persons', ws, [('id', 'varchar'), ('email', 'varchar')]) }} p
    on p.id = e.person_id
left join sends s on s.enrollment_id = e.id
left join {{ vendor_table('unify', 'reply_email_messages', ws,
                          [('id', 'varchar'), ('received_at', 'timestamp with time zone')]) }} r
    on r.id = e.reply_email_message_id
left join positive pos on pos.reply_email_message_id = e.reply_email_message_id
{% else %}
{{ no_rows(common_columns('enrollments')) }}
{% endif %}
{% endcall %}
