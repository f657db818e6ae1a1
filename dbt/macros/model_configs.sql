{#- A model given a schema (each vendor's report views, in the vendor's own dataset) is built in
    exactly that schema, not dbt's default <target schema>_<schema>; the rest go to the target's
    (the `funnel` dataset). In your own project, your generate_schema_name decides instead. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
  {%- if custom_schema_name is none -%}{{ target.schema }}
  {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}

{#- A vendor's report view: named `alias` in the vendor's own dataset (var `<vendor>_dataset`),
    built only for the vendors in var `vendor_reports`. Set here, in the model, and not in
    dbt_project.yml: a package's dbt_project.yml is read before the vars of the project that
    installs it, so there `var()` gives only its defaults. -#}
{% macro report_view(vendor, alias) -%}
  {{ config(alias=alias, schema=var(vendor ~ '_dataset', vendor),
            enabled=(vendor in var('vendor_reports'))) }}
{%- endmacro %}

{#- The heavy marts (enrollments, touches, people, funnel_person_sequence): views by default, or
    tables where var `marts_materialized` is `table` (FUNNEL__MARTS_MATERIALIZED, for warehouses,
    where a view over every raw row is paid by each query). -#}
{% macro heavy_mart() -%}
  {{ config(materialized=var('marts_materialized', 'view')) }}
{%- endmacro %}
