{#- The measures of Unify's and Instantly's report views, over rows `f` of one person in one
    sequence (campaign) with 0/1 columns started, replied, positive, bounced, opted_out,
    canceled, finished. Counts are cast to bigint: DuckDB sums integers as HUGEINT, which pandas
    reads as float64. -#}
{% macro person_measures() -%}
       count(*) as enrolled, cast(sum(f.started) as bigint) as started,
       cast(sum(f.replied) as bigint) as replied,
       cast(sum(f.positive) as bigint) as positive_replies,
       cast(sum(f.bounced) as bigint) as bounced, cast(sum(f.opted_out) as bigint) as opted_out,
       cast(sum(f.canceled) as bigint) as canceled, cast(sum(f.finished) as bigint) as finished,
       round(100.0 * sum(f.replied) / nullif(sum(f.started), 0), 1) as reply_rate_pct,
       round(100.0 * sum(f.positive) / nullif(sum(f.started), 0), 1) as positive_rate_pct,
       round(100.0 * sum(f.bounced) / nullif(sum(f.started), 0), 1) as bounce_rate_pct
{%- endmacro %}

{#- Sequenzy's, over rows `f` of sequenzy__funnel_person_sequence: what its event stream says. -#}
{% macro sequenzy_measures() -%}
       count(*) as enrolled, cast(sum(f.sent) as bigint) as sent,
       cast(sum(f.delivered) as bigint) as delivered, cast(sum(f.opened) as bigint) as opened,
       cast(sum(f.clicked) as bigint) as clicked, cast(sum(f.bounced) as bigint) as bounced,
       cast(sum(f.opted_out) as bigint) as opted_out,
       cast(sum(f.in_progress) as bigint) as in_progress,
       cast(sum(f.finished) as bigint) as finished, cast(sum(f.canceled) as bigint) as canceled,
       cast(sum(f.failed) as bigint) as failed,
       round(100.0 * sum(f.opened) / nullif(sum(f.delivered), 0), 1) as open_rate_pct,
       round(100.0 * sum(f.clicked) / nullif(sum(f.delivered), 0), 1) as click_rate_pct,
       round(100.0 * sum(f.bounced) / nullif(sum(f.sent), 0), 1) as bounce_rate_pct
{%- endmacro %}
