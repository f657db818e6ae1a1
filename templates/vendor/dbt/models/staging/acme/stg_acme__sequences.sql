{#- Acme's sequences in the columns every vendor's staging sequences yield. -#}
{% if vendor_loaded('acme', 'sequences') %}
select 'acme' as vendor, 'acme:' || s.id as sequence_key, s.id as vendor_sequence_id, s.name,
       s.status as state
from {{ vendor_relation('acme', 'sequences') }} s
{% else %}
{{ no_rows(common_columns('sequences')) }}
{% endif %}
