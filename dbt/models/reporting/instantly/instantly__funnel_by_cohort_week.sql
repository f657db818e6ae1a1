{{ report_view('instantly', 'funnel_by_cohort_week') }}
select cast(date_trunc('week', f.first_added_at at time zone 'UTC') as date) as cohort_week,
       {{ person_measures() }}
from {{ ref('instantly__funnel_person_campaign') }} f
group by 1
