{% if vendor_loaded('unify', 'sequences') %}
select 'unify' as vendor, 'unify:' || s.id as sequence_key, s.id as vendor_sequence_id, s.name,
       case when s.is_deleted then 'deleted' when s.is_paused then 'paused' else 'active' end
           as state
from {{ vendor_relation('unify', 'sequences') }} s
{% else %}
{{ no_rows(common_columns('sequences')) }}
{% endif %}
