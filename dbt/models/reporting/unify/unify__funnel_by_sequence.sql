{#- The funnel by sequence, as funnel.funnel_by_sequence counts it for Unify. -#}
{{ report_view('unify', 'funnel_by_sequence') }}
{% call(ws) for_each_workspace('unify') %}
select f.workspace, f.sequence_id, s.name as sequence, {{ funnel_measures() }}
from {{ ref('unify__funnel_person_sequence') }} f
left join {{ vendor_table('unify', 'sequences', ws,
                          [('id', 'varchar'), ('name', 'varchar')]) }} s
  on s.id = f.sequence_id
where f.workspace = {{ workspace_name(ws) }}
group by f.workspace, f.sequence_id, s.name
{% endcall %}
