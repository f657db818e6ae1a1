{#- The measures of every funnel view, over rows `f` of one person in one sequence
    (funnel_person_sequence). A count the vendor cannot give (Sequenzy's replies, Unify's opens
    without enrollment steps) is null, not 0, and rates count only the people for whom it is
    known. -#}
{% macro known_count(column) -%}
  case when count(f.{{ column }}) > 0 then count(*) filter (where f.{{ column }}) end
{%- endmacro %}

{% macro rate(column) -%}
  round(100.0 * count(*) filter (where f.{{ column }})
        / nullif(count(*) filter (where f.reached and f.{{ column }} is not null), 0), 1)
{%- endmacro %}

{% macro funnel_measures() -%}
       count(*) as enrolled, count(*) filter (where f.reached) as reached,
       {{ known_count('opened') }} as opened,
       {{ known_count('replied') }} as replied,
       {{ known_count('positive') }} as positive,
       count(*) filter (where f.bounced) as bounced,
       count(*) filter (where f.unsubscribed) as unsubscribed,
       count(*) filter (where f.state in ('active', 'paused')) as in_progress,
       count(*) filter (where f.state = 'finished') as finished,
       count(*) filter (where f.state in ('canceled', 'failed')) as stopped,
       {{ rate('replied') }} as reply_rate_pct,
       {{ rate('positive') }} as positive_rate_pct,
       {{ rate('bounced') }} as bounce_rate_pct
{%- endmacro %}

{#- A vendor's funnel by the week of first enrollment, over its `people` (its
    funnel_person_sequence model), as funnel.funnel_by_cohort_week counts it; `extra`: the
    vendor's own measures after the common ones. -#}
{% macro funnel_by_cohort_week(people, extra=[]) -%}
select f.workspace,
       cast(date_trunc('week', f.first_enrolled_at at time zone 'UTC') as date) as cohort_week,
       {{ funnel_measures() }}
       {%- for measure in extra %},
       {{ measure }}
       {%- endfor %}
from {{ people }} f
where f.first_enrolled_at is not null
group by 1, 2
{%- endmacro %}

{#- The vendors that say, of an email step, who had each kind of touch there: each vendor's
    staging touches model declares the kinds it knows (its config's meta `step_touches`).
    Elsewhere the count is null, not 0. Read from dbt's graph, when the models run. -#}
{% macro step_touches() -%}
  {%- set by_kind = {} -%}
  {%- for vendor in var('vendors') if execute -%}
    {%- set node = graph.nodes.get('model.sequence_funnel.stg_' ~ vendor ~ '__touches') -%}
    {%- for kind in (node.config.meta.get('step_touches', []) if node else []) -%}
      {%- do by_kind.setdefault(kind, []).append(vendor) -%}
    {%- endfor -%}
  {%- endfor -%}
  {{ return(by_kind) }}
{%- endmacro %}

{#- The people with a touch of `kind` at the step, over rows `t` of touches grouped by vendor. -#}
{% macro people_at_step(kind) -%}
  case when t.vendor in ('{{ step_touches().get(kind, []) | join("', '") }}')
       then count(distinct case when t.touch_type = '{{ kind }}' then t.person_key end) end
{%- endmacro %}
