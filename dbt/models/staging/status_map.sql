{#- Every vendor's statuses and the common state each maps to: the seeds beside each vendor's
    staging models (models/staging/<vendor>/<vendor>__status_map.csv), one map. A table, as the
    seeds were: every enrollment joins it. -#}
{{ config(materialized='table') }}
{% for vendor in var('vendors') -%}
select vendor, vendor_status, state, meaning from {{ ref(vendor ~ '__status_map') }}
{{ "union all" if not loop.last }}
{% endfor -%}
