{#- One row per person in a Sequenzy sequence: the tool's rows of funnel_person_sequence, where
    the counting rule and the status map are applied once for every view, with what else the
    event stream says of the person there (delivered, clicked, complained), taken from the
    events of the person's enrollments in the sequence as the marts take theirs. -#}
{{ report_view('sequenzy', 'funnel_person_sequence') }}
with flags as (
    select e.workspace, e.sequence_key, e.person_key,
           bool_or(v.event_type = 'delivery') as delivered,
           bool_or(v.event_type = 'click') as clicked,
           bool_or(v.event_type = 'complaint') as complained
    from {{ ref('enrollments') }} e
    join {{ ref('stg_sequenzy__events') }} v
      on v.workspace = e.workspace and v.enrollment_id = e.vendor_enrollment_id
    where e.vendor = 'sequenzy'
    group by e.workspace, e.sequence_key, e.person_key
)
select f.*, f.vendor_sequence_id as sequence_id, coalesce(g.delivered, false) as delivered,
       coalesce(g.clicked, false) as clicked, coalesce(g.complained, false) as complained
from {{ ref('funnel_person_sequence') }} f
left join flags g on g.sequence_key = f.sequence_key and g.person_key = f.person_key
where f.vendor = 'sequenzy'
