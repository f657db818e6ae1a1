{#- The funnel by sequence, as funnel.funnel_by_sequence counts it for Acme, per workspace. -#}
{{ report_view('acme', 'funnel_by_sequence') }}
{% call(ws) for_each_workspace('acme') %}
select f.workspace, f.vendor_sequence_id as sequence_id, s.name as sequence,
       {{ funnel_measures() }}
from {{ ref('funnel_person_sequence') }} f
left join {{ vendor_table('acme', 'sequences', ws, [('id', 'varchar'), ('name', 'varchar')]) }} s
  on s.id = f.vendor_sequence_id
where f.vendor = 'acme' and f.workspace = {{ workspace_name(ws) }}
group by f.workspace, f.vendor_sequence_id, s.name
{% endcall %}
