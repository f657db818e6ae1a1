select f.vendor, f.workspace, f.sequence_key, s.name as sequence, {{ funnel_measures() }}
from {{ ref('funnel_person_sequence') }} f
left join {{ ref('sequences') }} s on s.sequence_key = f.sequence_key
group by f.vendor, f.workspace, f.sequence_key, s.name
