{#- Instantly's campaigns are its sequences (a subsequence runs inside its campaign). -#}
{% if vendor_loaded('instantly', 'campaigns') %}
select 'instantly' as vendor, 'instantly:' || c.id as sequence_key, c.id as vendor_sequence_id,
       c.name,
       case when c.is_deleted then 'deleted' else lower(c.status_label) end as state
from {{ vendor_relation('instantly', 'campaigns') }} c
{% else %}
{{ no_rows(common_columns('sequences')) }}
{% endif %}
