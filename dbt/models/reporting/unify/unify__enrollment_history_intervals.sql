{#- Each loaded state of an enrollment with the interval it held (valid_to: when the next one was
    loaded, null for the current one). No rows until enrollment history is loaded. -#}
{{ report_view('unify', 'enrollment_history_intervals') }}
{%- set ts, flag = 'timestamp with time zone', 'boolean' %}
{% call(ws) for_each_workspace('unify') %}
select {{ workspace_name(ws) }} as workspace,
       {{ workspace_columns('unify', 'enrollment_history', ws, 'h') }},
       h.updated_at as valid_from,
       lead(h.updated_at) over (partition by h.enrollment_id order by h.updated_at) as valid_to
from {{ vendor_table('unify', 'enrollment_history', ws,
                     [('enrollment_id', 'varchar'), ('updated_at', ts), ('status', 'varchar'),
                      ('is_blocked', flag), ('is_bounced', flag), ('is_canceled', flag),
                      ('is_excluded', flag), ('is_opted_out', flag), ('is_paused', flag),
                      ('is_replied', flag), ('started_at', ts), ('ended_at', ts)]) }} h
{% endcall %}
