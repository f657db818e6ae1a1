{#- One row per Sequenzy enrollment token (one run of a subscriber through a sequence). Sends,
    opens, bounces and unsubscribes come from the event stream; replies from the inbox
    and its webhooks (stg_sequenzy__replies). Replied is unknown (null) where no reply is known
    and that cannot be said: before the conversations are loaded, or in a sequence whose name
    another shares (a conversation names the sequence, not its id). Sequenzy classifies no
    reply: positive is unknown. -#}
-- depends_on: {{ ref('stg_sequenzy__events') }}
-- depends_on: {{ ref('stg_sequenzy__replies') }}
{% call(ws) for_each_workspace('sequenzy') %}
{% set replies_known = vendor_loaded('sequenzy', 'conversations', ws) %}
{% if vendor_loaded('sequenzy', 'enrollments', ws) %}
with facts as (
    select enrollment_id,
           min(case when event_type = 'send' then event_time end) as first_sent_at,
           min(case when event_type = 'open' then event_time end) as first_opened_at,
           max(case when event_type = 'bounce' then 1 else 0 end) as bounced,
           max(case when event_type = 'unsubscribe' then 1 else 0 end) as unsubscribed
    from {{ ref('stg_sequenzy__events') }} ev
    where ev.workspace = {{ workspace_name(ws) }} and enrollment_id is not null
    group by enrollment_id
), shared_names as (
    select name from {{ vendor_table('sequenzy', 'sequences', ws, [('name', 'varchar')]) }} s
    group by name having count(*) > 1
)
select 'sequenzy' as vendor, {{ workspace_name(ws) }} as workspace,
       {{ vendor_key('sequenzy', ws, 'e.id') }} as enrollment_key, e.id as vendor_enrollment_id,
       {{ vendor_key('sequenzy', ws, 'e.sequence_id') }} as sequence_key,
       e.sequence_id as vendor_sequence_id,
       {{ person_key(ws, "coalesce(lower(nullif(trim(e.email), '')),
                                   lower(nullif(trim(sub.email), '')),
                                   'sequenzy-subscriber:' || e.subscriber_id)") }}
           as person_key,
       e.enrollment_started_at as enrolled_at, e.status as vendor_status,
       f.first_sent_at is not null as reached, f.first_opened_at is not null as opened,
       f.first_sent_at, f.first_opened_at,
       rp.first_replied_at,
       case when rp.enrollment_id is not null then true
{%- if replies_known %}
            when sq.name in (select name from shared_names) then null else false
{%- endif %}
       end as replied,
       cast(null as boolean) as positive,
       coalesce(f.bounced, 0) = 1 as bounced, coalesce(f.unsubscribed, 0) = 1 as unsubscribed
from {{ vendor_relation('sequenzy', 'enrollments', ws) }} e
left join {{ vendor_table('sequenzy', 'subscribers', ws,
                          [('id', 'varchar'), ('email', 'varchar')]) }} sub
    on sub.id = e.subscriber_id
left join facts f on f.enrollment_id = e.id
left join {{ ref('stg_sequenzy__replies') }} rp
    on rp.workspace = {{ workspace_name(ws) }} and rp.enrollment_id = e.id
left join {{ vendor_table('sequenzy', 'sequences', ws,
                          [('id', 'varchar'), ('name', 'varchar')]) }} sq
    on sq.id = e.sequence_id
{% else %}
{{ no_rows(common_columns('enrollments')) }}
{% endif %}
{% endcall %}
