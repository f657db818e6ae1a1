{#- The funnel by the week of first enrollment, as funnel.funnel_by_cohort_week counts it, and
    what Sequenzy says besides: who was delivered to, who clicked. -#}
{{ report_view('sequenzy', 'funnel_by_cohort_week') }}
{{ funnel_by_cohort_week(ref('sequenzy__funnel_person_sequence'), extra=[
     "count(*) filter (where f.delivered) as delivered",
     "count(*) filter (where f.clicked) as clicked",
   ]) }}
