{#- Acme's sequences in the columns every vendor's staging sequences yield. -#}
{% call(ws) for_each_workspace('acme') %}
{% if vendor_loaded('acme', 'sequences', ws) %}
select 'acme' as vendor, {{ workspace_name(ws) }} as workspace,
       {{ vendor_key('acme', ws, 's.id') }} as sequence_key, s.id as vendor_sequence_id, s.name,
       s.status as state
from {{ vendor_relation('acme', 'sequences', ws) }} s
{% else %}
{{ no_rows(common_columns('sequences')) }}
{% endif %}
{% endcall %}
