{#- The funnel by the week of first enrollment, as funnel.funnel_by_cohort_week counts it. -#}
{{ report_view('instantly', 'funnel_by_cohort_week') }}
{{ funnel_by_cohort_week(ref('instantly__funnel_person_campaign')) }}
