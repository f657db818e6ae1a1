{#- The funnel by sequence, as funnel.funnel_by_sequence counts it for Unify. -#}
{{ report_view('unify', 'funnel_by_sequence') }}
select f.sequence_id, s.name as sequence, {{ funnel_measures() }}
from {{ ref('unify__funnel_person_sequence') }} f
left join {{ vendor_source('unify', 'sequences') }} s on s.id = f.sequence_id
group by f.sequence_id, s.name
