{% if vendor_loaded('sequenzy', 'sequences') %}
select 'sequenzy' as vendor, 'sequenzy:' || s.id as sequence_key, s.id as vendor_sequence_id,
       s.name,
       case when s.is_deleted then 'deleted' else coalesce(s.effective_status, s.status) end
           as state
from {{ vendor_relation('sequenzy', 'sequences') }} s
{% else %}
{{ no_rows(common_columns('sequences')) }}
{% endif %}
