{#- Acme's touches: each enrollment's first send, open and reply, at no step (its API says when,
    not at which step: no kind of touch is said of a step). -#}
{{ config(meta={'step_touches': []}) }}
{% if vendor_loaded('acme', 'enrollments') %}
{% for kind, column in [('send', 'sent_at'), ('open', 'opened_at'), ('reply', 'replied_at')] %}
select 'acme' as vendor, 'acme:' || e.id || ':{{ kind }}' as touch_key,
       'acme:' || e.id as enrollment_key, 'acme:' || e.sequence_id as sequence_key,
       cast(null as bigint) as step, '{{ kind }}' as touch_type, e.{{ column }} as occurred_at
from {{ vendor_relation('acme', 'enrollments') }} e
where e.{{ column }} is not null
{{ "union all" if not loop.last }}
{% endfor %}
{% else %}
{{ no_rows(common_columns('touches')) }}
{% endif %}
