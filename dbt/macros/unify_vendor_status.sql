{#- A Unify enrollment's vendor status, the key of its status map (unify__status_map.csv): the
    API's coarse `status` with the first of its flags that is set (canceled, bounced, opted_out,
    excluded, paused, blocked), as the app derives its finer statuses (docs/vendors/unify.md,
    Statuses). For an enrollment and for each of its loaded versions (enrollment history),
    which carry the same fields. -#}
{% macro unify_vendor_status(e) -%}
  {{ e }}.status || case when {{ e }}.is_canceled then ' canceled'
                         when {{ e }}.is_bounced then ' bounced'
                         when {{ e }}.is_opted_out then ' opted_out'
                         when {{ e }}.is_excluded then ' excluded'
                         when {{ e }}.is_paused then ' paused'
                         when {{ e }}.is_blocked then ' blocked'
                         else '' end
{%- endmacro %}
