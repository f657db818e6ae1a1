{{ report_view('sequenzy', 'funnel_by_cohort_week') }}
select cast(date_trunc('week', f.first_enrolled_at at time zone 'UTC') as date) as cohort_week,
       {{ sequenzy_measures() }}
from {{ ref('sequenzy__funnel_person_sequence') }} f
group by 1
