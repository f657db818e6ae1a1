{#- A vendor's loaded tables (the sources in models/staging/<vendor>/_<vendor>__sources.yml,
    wherever its dataset is: vars `<vendor>_dataset`), and typed empty rows in place of a table
    that was never loaded: the models work with one, two or three vendors loaded, and with a
    vendor's optional tables (Unify's enrollment steps) absent. Each goes through `source()`,
    so dbt's lineage and `dbt source freshness` know every table a model reads. -#}

{% macro vendor_relation(vendor, table) -%}
  {%- set declared = source(vendor, table) -%}
  {#- parsing: every branch of a model is taken, so that each table it may read is in lineage -#}
  {%- if not execute -%}{{ return(declared) }}{%- endif -%}
  {{ return(adapter.get_relation(database=declared.database, schema=declared.schema,
                                 identifier=declared.identifier)) }}
{%- endmacro %}

{#- A table every model reading it needs (a vendor's report views are built only for the vendors
    loaded: var `vendor_reports`), named without asking the database. -#}
{% macro vendor_source(vendor, table) -%}
  {{ return(source(vendor, table)) }}
{%- endmacro %}

{% macro vendor_loaded(vendor, table) -%}
  {{ return(vendor_relation(vendor, table) is not none) }}
{%- endmacro %}

{#- The table when it is stored, else a subquery of no rows with the columns a model reads. -#}
{% macro vendor_table(vendor, table, columns) -%}
  {%- set relation = vendor_relation(vendor, table) -%}
  {%- if relation is not none -%}{{ relation }}{%- else -%}({{ no_rows(columns) }}){%- endif -%}
{%- endmacro %}

{% macro no_rows(columns) -%}
  select {% for name, type in columns -%}
    cast(null as {{ type }}) as {{ name }}{{ ", " if not loop.last }}
  {%- endfor %} where 1 = 0
{%- endmacro %}

{#- The columns every vendor's staging model of a kind yields, in this order (the marts union
    them). -#}
{% macro common_columns(kind) -%}
  {%- set ts, text, flag, number = 'timestamp with time zone', 'varchar', 'boolean', 'bigint' -%}
  {%- set kinds = {
    'sequences': [('vendor', text), ('sequence_key', text), ('vendor_sequence_id', text),
                  ('name', text), ('state', text)],
    'enrollments': [('vendor', text), ('enrollment_key', text), ('vendor_enrollment_id', text),
                    ('sequence_key', text), ('vendor_sequence_id', text), ('person_key', text),
                    ('enrolled_at', ts),
                    ('vendor_status', text), ('reached', flag), ('opened', flag),
                    ('first_sent_at', ts),
                    ('first_opened_at', ts), ('first_replied_at', ts), ('replied', flag),
                    ('positive', flag), ('bounced', flag), ('unsubscribed', flag)],
    'touches': [('vendor', text), ('touch_key', text), ('enrollment_key', text),
                ('sequence_key', text), ('step', number), ('touch_type', text),
                ('occurred_at', ts)],
  } -%}
  {{ return(kinds[kind]) }}
{%- endmacro %}

{% macro common_select(kind) -%}
  {%- for name, type in common_columns(kind) -%}
    {{ name }}{{ ", " if not loop.last }}
  {%- endfor -%}
{%- endmacro %}

{#- Each vendor's staging model of a kind, one after the other. -#}
{% macro union_vendors(kind) -%}
  {%- for vendor in var('vendors') -%}
select {{ common_select(kind) }} from {{ ref('stg_' ~ vendor ~ '__' ~ kind) }}
{{ "union all" if not loop.last }}
  {% endfor -%}
{%- endmacro %}
