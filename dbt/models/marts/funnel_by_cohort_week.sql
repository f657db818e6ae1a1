select f.vendor, f.workspace,
       cast(date_trunc('week', f.first_enrolled_at at time zone 'UTC') as date) as cohort_week,
       {{ funnel_measures() }}
from {{ ref('funnel_person_sequence') }} f
where f.first_enrolled_at is not null
group by 1, 2, 3
