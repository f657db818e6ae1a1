{#- Instantly's campaigns are its sequences (a subsequence runs inside its campaign). -#}
{% call(ws) for_each_workspace('instantly') %}
{% if vendor_loaded('instantly', 'campaigns', ws) %}
select 'instantly' as vendor, {{ workspace_name(ws) }} as workspace,
       {{ vendor_key('instantly', ws, 'c.id') }} as sequence_key, c.id as vendor_sequence_id,
       c.name,
       case when c.is_deleted then 'deleted' else lower(c.status_label) end as state
from {{ vendor_relation('instantly', 'campaigns', ws) }} c
{% else %}
{{ no_rows(common_columns('sequences')) }}
{% endif %}
{% endcall %}
