{#- Per day, the enrollments that first started, replied, bounced, opted out and finished then,
    from enrollment history (no rows until it is loaded). Finished: the first loaded version
    whose status the status map calls finished. -#}
{{ report_view('unify', 'daily_funnel') }}
{%- set ts, flag = 'timestamp with time zone', 'boolean' %}
{% call(ws) for_each_workspace('unify') %}
with firsts as (
    select enrollment_id,
           min(started_at) as started_at,
           min(case when is_replied then updated_at end) as replied_at,
           min(case when is_bounced then updated_at end) as bounced_at,
           min(case when is_opted_out then updated_at end) as opted_out_at,
           min(case when m.state = 'finished' then updated_at end) as finished_at
    from {{ vendor_table('unify', 'enrollment_history', ws,
                         [('enrollment_id', 'varchar'), ('updated_at', ts), ('status', 'varchar'),
                          ('is_blocked', flag), ('is_bounced', flag), ('is_canceled', flag),
                          ('is_excluded', flag), ('is_opted_out', flag), ('is_paused', flag),
                          ('is_replied', flag), ('started_at', ts)]) }} h
    left join {{ ref('status_map') }} m
      on m.vendor = 'unify' and m.vendor_status = {{ unify_vendor_status('h') }}
    group by enrollment_id
), events as (
    select started_at as happened_at, 'started' as event from firsts where started_at is not null
    union all select replied_at, 'replied' from firsts where replied_at is not null
    union all select bounced_at, 'bounced' from firsts where bounced_at is not null
    union all select opted_out_at, 'opted_out' from firsts where opted_out_at is not null
    union all select finished_at, 'finished' from firsts where finished_at is not null
)
select {{ workspace_name(ws) }} as workspace,
       cast(happened_at at time zone 'UTC' as date) as day,
       count(*) filter (where event = 'started') as started,
       count(*) filter (where event = 'replied') as replied,
       count(*) filter (where event = 'bounced') as bounced,
       count(*) filter (where event = 'opted_out') as opted_out,
       count(*) filter (where event = 'finished') as finished
from events group by 2
{% endcall %}
