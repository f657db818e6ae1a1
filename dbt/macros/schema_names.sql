{#- A model given a schema (each vendor's report views, in the vendor's own dataset) is built in
    exactly that schema, not dbt's default <target schema>_<schema>; the rest go to the target's
    (the `funnel` dataset). In your own project, your generate_schema_name decides instead. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
  {%- if custom_schema_name is none -%}{{ target.schema }}
  {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
