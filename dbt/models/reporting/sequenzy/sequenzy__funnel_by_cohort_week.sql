{#- The funnel by the week of first enrollment, as funnel.funnel_by_cohort_week counts it. -#}
{{ report_view('sequenzy', 'funnel_by_cohort_week') }}
select cast(date_trunc('week', f.first_enrolled_at at time zone 'UTC') as date) as cohort_week,
       {{ funnel_measures() }},
       count(*) filter (where f.delivered) as delivered,
       count(*) filter (where f.clicked) as clicked
from {{ ref('sequenzy__funnel_person_sequence') }} f
where f.first_enrolled_at is not null
group by 1
