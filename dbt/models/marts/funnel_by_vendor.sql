select f.vendor, f.workspace, count(distinct f.sequence_key) as sequences,
       count(distinct f.person_key) as people, sum(f.enrollments) as enrollments,
       {{ funnel_measures() }}
from {{ ref('funnel_person_sequence') }} f
group by f.vendor, f.workspace
