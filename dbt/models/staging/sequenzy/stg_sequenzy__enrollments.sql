{#- One row per Sequenzy enrollment token (one run of a subscriber through a sequence). Sends,
    opens, bounces and unsubscribes come from the event stream; Sequenzy has no reply event and
    no reply classification (its replies are counts in the sequence's metrics), so replied and
    positive are unknown (null), not false. -#}
-- depends_on: {{ ref('stg_sequenzy__events') }}
{% if vendor_loaded('sequenzy', 'enrollments') %}
with facts as (
    select enrollment_id,
           min(case when event_type = 'send' then event_time end) as first_sent_at,
           min(case when event_type = 'open' then event_time end) as first_opened_at,
           max(case when event_type = 'bounce' then 1 else 0 end) as bounced,
           max(case when event_type = 'unsubscribe' then 1 else 0 end) as unsubscribed
    from {{ ref('stg_sequenzy__events') }} ev
    where enrollment_id is not null
    group by enrollment_id
)
select 'sequenzy' as vendor, 'sequenzy:' || e.id as enrollment_key, e.id as vendor_enrollment_id,
       'sequenzy:' || e.sequence_id as sequence_key,
       coalesce(lower(nullif(trim(e.email), '')), lower(nullif(trim(sub.email), '')),
                'sequenzy-subscriber:' || e.subscriber_id)
           as person_key,
       e.enrollment_started_at as enrolled_at, e.status as vendor_status,
       f.first_sent_at is not null as reached, f.first_opened_at is not null as opened,
       f.first_sent_at, f.first_opened_at,
       cast(null as timestamp with time zone) as first_replied_at,
       cast(null as boolean) as replied, cast(null as boolean) as positive,
       coalesce(f.bounced, 0) = 1 as bounced, coalesce(f.unsubscribed, 0) = 1 as unsubscribed
from {{ vendor_relation('sequenzy', 'enrollments') }} e
left join {{ vendor_table('sequenzy', 'subscribers', [('id', 'varchar'), ('email', 'varchar')]) }} sub
    on sub.id = e.subscriber_id
left join facts f on f.enrollment_id = e.id
{% else %}
{{ no_rows(common_columns('enrollments')) }}
{% endif %}
