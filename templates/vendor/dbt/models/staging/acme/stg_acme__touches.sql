{#- Acme's touches: each enrollment's first send, open and reply, at no step (its API says when,
    not at which step: no kind of touch is said of a step). -#}
{{ config(meta={'step_touches': []}) }}
{% call(ws) for_each_workspace('acme') %}
{% if vendor_loaded('acme', 'enrollments', ws) %}
{% for kind, column in [('send', 'sent_at'), ('open', 'opened_at'), ('reply', 'replied_at')] %}
select 'acme' as vendor, {{ workspace_name(ws) }} as workspace,
       {{ vendor_key('acme', ws, "e.id || ':" ~ kind ~ "'") }} as touch_key,
       {{ vendor_key('acme', ws, 'e.id') }} as enrollment_key,
       {{ vendor_key('acme', ws, 'e.sequence_id') }} as sequence_key,
       cast(null as bigint) as step, '{{ kind }}' as touch_type, e.{{ column }} as occurred_at
from {{ vendor_relation('acme', 'enrollments', ws) }} e
where e.{{ column }} is not null
{{ "union all" if not loop.last }}
{% endfor %}
{% else %}
{{ no_rows(common_columns('touches')) }}
{% endif %}
{% endcall %}
