{#- The funnel by sequence, as funnel.funnel_by_sequence counts it for Acme. -#}
{{ report_view('acme', 'funnel_by_sequence') }}
select f.vendor_sequence_id as sequence_id, s.name as sequence, {{ funnel_measures() }}
from {{ ref('funnel_person_sequence') }} f
left join {{ vendor_source('acme', 'sequences') }} s on s.id = f.vendor_sequence_id
where f.vendor = 'acme'
group by f.vendor_sequence_id, s.name
