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

{#- The tools that say, of an email step, who had each kind of touch there: Unify's enrollment
    steps carry sends, opens, clicks, bounces and opt-outs, and a reply names the step it
    answered; Instantly's emails carry sends and replies by step (its opens, clicks and bounces
    are counters on the lead); Sequenzy's events carry all but replies (a conversation names its
    sequence, not a step). Elsewhere the count is null, not 0. -#}
{% macro step_touches() -%}
  {{ return({
    'send': ['unify', 'instantly', 'sequenzy'], 'open': ['unify', 'sequenzy'],
    'click': ['unify', 'sequenzy'], 'reply': ['unify', 'instantly'],
    'bounce': ['unify', 'sequenzy'], 'unsubscribe': ['unify', 'sequenzy'],
  }) }}
{%- endmacro %}

{#- The people with a touch of `kind` at the step, over rows `t` of touches grouped by vendor. -#}
{% macro people_at_step(kind) -%}
  case when t.vendor in ('{{ step_touches()[kind] | join("', '") }}')
       then count(distinct case when t.touch_type = '{{ kind }}' then t.person_key end) end
{%- endmacro %}
