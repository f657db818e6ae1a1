{#- One row per Acme enrollment, its person known by email (lower-cased, as every vendor's), or
    by the enrollment where it has none. Acme classifies no reply: positive is unknown. Each
    workspace's in turn (macros/vendor_tables.sql): its keys scoped by the workspace. -#}
{% call(ws) for_each_workspace('acme') %}
{% if vendor_loaded('acme', 'enrollments', ws) %}
select 'acme' as vendor, {{ workspace_name(ws) }} as workspace,
       {{ vendor_key('acme', ws, 'e.id') }} as enrollment_key, e.id as vendor_enrollment_id,
       {{ vendor_key('acme', ws, 'e.sequence_id') }} as sequence_key,
       e.sequence_id as vendor_sequence_id,
       {{ person_key(ws, "coalesce(lower(nullif(trim(e.email), '')), 'acme-enrollment:' || e.id)") }}
           as person_key,
       e.enrolled_at, e.status as vendor_status,
       e.sent_at is not null as reached, e.opened_at is not null as opened,
       e.sent_at as first_sent_at, e.opened_at as first_opened_at,
       e.replied_at as first_replied_at, e.replied_at is not null as replied,
       cast(null as boolean) as positive,
       e.status = 'bounced' as bounced, e.status = 'unsubscribed' as unsubscribed
from {{ vendor_relation('acme', 'enrollments', ws) }} e
{% else %}
{{ no_rows(common_columns('enrollments')) }}
{% endif %}
{% endcall %}
