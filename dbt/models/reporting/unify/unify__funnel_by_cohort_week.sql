{#- The funnel by the week of first enrollment, as funnel.funnel_by_cohort_week counts it. -#}
{{ report_view('unify', 'funnel_by_cohort_week') }}
{{ funnel_by_cohort_week(ref('unify__funnel_person_sequence')) }}
