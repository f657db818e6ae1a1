{#- The funnel by the week of first enrollment, as funnel.funnel_by_cohort_week counts it. -#}
{{ report_view('instantly', 'funnel_by_cohort_week') }}
select cast(date_trunc('week', f.first_enrolled_at at time zone 'UTC') as date) as cohort_week,
       {{ funnel_measures() }}
from {{ ref('instantly__funnel_person_campaign') }} f
where f.first_enrolled_at is not null
group by 1
