{#- A vendor's loaded tables (the sources in models/staging/<vendor>/_<vendor>__sources.yml), in
    each of its workspaces' datasets, and typed empty rows in place of a table that was never
    loaded: the models work with one, two or three vendors loaded, with any number of
    workspaces each, and with a vendor's optional tables (Unify's enrollment steps) absent. Each
    goes through `source()`, so dbt's lineage and `dbt source freshness` know every table a
    model reads. -#}

{#- A vendor's workspaces: var `<vendor>_workspaces`, a list of {name, dataset, prefix} (a load
    passes every dataset the vendor loaded in the destination, pipelines/funnel/workspaces.py);
    without it, one workspace, `default`, in var `<vendor>_dataset` (the vendor's name unless
    set). `prefix` namespaces the workspace's keys (`unify:<prefix><id>`, a person's
    `<prefix><email>`): empty for `default`, `<name>:` for the others, so that ids and people of
    different workspaces never meet, and people of same-named workspaces of different vendors
    (one client of an agency) are one. -#}
{% macro vendor_workspaces(vendor) -%}
  {%- set default = {'name': 'default', 'dataset': var(vendor ~ '_dataset', vendor),
                     'prefix': ''} -%}
  {{ return(var(vendor ~ '_workspaces', [default])) }}
{%- endmacro %}

{#- `body` (a call block given the workspace) once for each workspace of the vendor, in one
    `union all`; with `base`, only the workspaces where that table is loaded. Each branch reads one
    workspace's tables only: a join inside it never crosses workspaces. -#}
{% macro for_each_workspace(vendor, base=none) -%}
  {%- set chosen = [] -%}
  {%- for ws in vendor_workspaces(vendor) -%}
    {%- if base is none or vendor_loaded(vendor, base, ws) -%}{%- do chosen.append(ws) -%}{%- endif -%}
  {%- endfor -%}
  {%- for ws in chosen %}
select * from (
{{ caller(ws) }}
) as {{ vendor }}_workspace_{{ loop.index }}
{%- if not loop.last %}
union all
{%- endif %}
  {%- endfor %}
{%- endmacro %}

{#- The workspace's name as a SQL string. -#}
{% macro workspace_name(ws) -%}
  '{{ ws.name | replace("'", "''") }}'
{%- endmacro %}

{#- A key of the vendor's in the workspace: `'unify:<prefix>' || <id>`. -#}
{% macro vendor_key(vendor, ws, id) -%}
  '{{ vendor }}:{{ ws.prefix | replace("'", "''") }}' || {{ id }}
{%- endmacro %}

{#- A person's key in the workspace: `'<prefix>' || <identity>` (a lower-cased email, or the
    tool's own id of a person without one). -#}
{% macro person_key(ws, identity) -%}
  {%- if ws.prefix -%}'{{ ws.prefix | replace("'", "''") }}' || ({{ identity }})
  {%- else -%}{{ identity }}{%- endif -%}
{%- endmacro %}

{% macro vendor_relation(vendor, table, ws) -%}
  {%- set declared = source(vendor, table) -%}
  {#- parsing: every branch of a model is taken, so that each table it may read is in lineage -#}
  {%- if not execute -%}{{ return(declared) }}{%- endif -%}
  {{ return(adapter.get_relation(database=declared.database, schema=ws.dataset,
                                 identifier=declared.identifier)) }}
{%- endmacro %}

{#- A table every model reading it needs (a vendor's report views are built only for the vendors
    loaded: var `vendor_reports`), named without asking the database. -#}
{% macro vendor_source(vendor, table, ws) -%}
  {{ return(source(vendor, table).incorporate(path={'schema': ws.dataset})) }}
{%- endmacro %}

{% macro vendor_loaded(vendor, table, ws) -%}
  {{ return(vendor_relation(vendor, table, ws) is not none) }}
{%- endmacro %}

{#- The table when it is stored, else a subquery of no rows with the columns a model reads. -#}
{% macro vendor_table(vendor, table, ws, columns) -%}
  {%- set relation = vendor_relation(vendor, table, ws) -%}
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
    'sequences': [('vendor', text), ('workspace', text), ('sequence_key', text), ('vendor_sequence_id', text),
                  ('name', text), ('state', text)],
    'enrollments': [('vendor', text), ('workspace', text), ('enrollment_key', text), ('vendor_enrollment_id', text),
                    ('sequence_key', text), ('vendor_sequence_id', text), ('person_key', text),
                    ('enrolled_at', ts),
                    ('vendor_status', text), ('reached', flag), ('opened', flag),
                    ('first_sent_at', ts),
                    ('first_opened_at', ts), ('first_replied_at', ts), ('replied', flag),
                    ('positive', flag), ('bounced', flag), ('unsubscribed', flag)],
    'touches': [('vendor', text), ('workspace', text), ('touch_key', text), ('enrollment_key', text),
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

{#- The columns of a vendor's table, for `select` in one workspace's branch: `<alias>.*` with one
    workspace; with several, every column any workspace's table has (their tables differ where
    one met a field another has not), each read from this workspace's table or null, in one
    order, so the branches line up (a workspace without the table reads them all as null from
    `vendor_table`'s empty rows). -#}
{% macro workspace_columns(vendor, table, ws, alias) -%}
  {%- set workspaces = vendor_workspaces(vendor) -%}
  {%- if not execute or workspaces | length == 1 -%}{{ return(alias ~ '.*') }}{%- endif -%}
  {%- set names, types, here = [], {}, [] -%}
  {%- for other in workspaces -%}
    {%- set relation = vendor_relation(vendor, table, other) -%}
    {%- for column in (adapter.get_columns_in_relation(relation) if relation is not none else []) -%}
      {%- if column.name not in types -%}
        {%- do names.append(column.name) -%}{%- do types.update({column.name: column.data_type}) -%}
      {%- endif -%}
      {%- if other.name == ws.name -%}{%- do here.append(column.name) -%}{%- endif -%}
    {%- endfor -%}
  {%- endfor -%}
  {%- if not names -%}{{ return(alias ~ '.*') }}{%- endif -%}
  {%- set selected = [] -%}
  {%- for name in names -%}
    {%- if name in here -%}
      {%- do selected.append(alias ~ '.' ~ adapter.quote(name)) -%}
    {%- else -%}
      {%- do selected.append('cast(null as ' ~ types[name] ~ ') as ' ~ adapter.quote(name)) -%}
    {%- endif -%}
  {%- endfor -%}
  {{ return(selected | join(', ')) }}
{%- endmacro %}
