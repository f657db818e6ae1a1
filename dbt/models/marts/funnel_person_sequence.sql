{{ heavy_mart() }}
{#- One person in one sequence: the counting unit of every funnel view. A person enrolled twice
    in a sequence (Unify's version upgrades cancel and re-enroll) counts once; events count if
    any of their enrollments there had them, the state is that of the latest. Each vendor's
    report views are built on this model (models/reporting/): the rule is written once. -#}
with ranked as (
    select e.*, row_number() over (
        partition by e.sequence_key, e.person_key
        order by e.enrolled_at desc nulls last, e.vendor_enrollment_id desc
    ) as recency
    from {{ ref('enrollments') }} e
)
select vendor, workspace, sequence_key, max(vendor_sequence_id) as vendor_sequence_id, person_key,
       min(enrolled_at) as first_enrolled_at, count(*) as enrollments,
       max(case when recency = 1 then enrollment_key end) as latest_enrollment_key,
       max(case when recency = 1 then state end) as state,
       bool_or(reached) as reached, bool_or(opened) as opened, bool_or(replied) as replied,
       bool_or(positive) as positive, bool_or(bounced) as bounced,
       bool_or(unsubscribed) as unsubscribed, min(first_sent_at) as first_sent_at,
       min(first_replied_at) as first_replied_at
from ranked
group by vendor, workspace, sequence_key, person_key
