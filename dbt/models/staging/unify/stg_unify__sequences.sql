{% call(ws) for_each_workspace('unify') %}
{% if vendor_loaded('unify', 'sequences', ws) %}
select 'unify' as vendor, {{ workspace_name(ws) }} as workspace,
       {{ vendor_key('unify', ws, 's.id') }} as sequence_key, s.id as vendor_sequence_id, s.name,
       case when s.is_deleted then 'deleted' when s.is_paused then 'paused' else 'active' end
           as state
from {{ vendor_relation('unify', 'sequences', ws) }} s
{% else %}
{{ no_rows(common_columns('sequences')) }}
{% endif %}
{% endcall %}
