{{ heavy_mart() }}
{#- Each send, open, click, reply, bounce and unsubscribe a vendor gives a time for, with its
    enrollment's person; a touch of an enrollment no longer loaded (a deleted lead) is left out. -#}
with unioned as (
{{ union_vendors('touches') }}
)
select t.vendor, t.workspace, t.touch_key, t.enrollment_key, t.sequence_key, e.person_key, t.step,
       t.touch_type, t.occurred_at
from unioned t
join {{ ref('enrollments') }} e on e.enrollment_key = t.enrollment_key
