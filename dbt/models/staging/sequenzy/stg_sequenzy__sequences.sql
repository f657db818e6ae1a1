{% call(ws) for_each_workspace('sequenzy') %}
{% if vendor_loaded('sequenzy', 'sequences', ws) %}
select 'sequenzy' as vendor, {{ workspace_name(ws) }} as workspace,
       {{ vendor_key('sequenzy', ws, 's.id') }} as sequence_key, s.id as vendor_sequence_id,
       s.name,
       case when s.is_deleted then 'deleted' else coalesce(s.effective_status, s.status) end
           as state
from {{ vendor_relation('sequenzy', 'sequences', ws) }} s
{% else %}
{{ no_rows(common_columns('sequences')) }}
{% endif %}
{% endcall %}
