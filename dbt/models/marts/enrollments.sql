{{ heavy_mart() }}
{#- Every enrollment of a person in a sequence, any vendor, with the common state mapped from
    the vendor's own status (its status map, models/staging/<vendor>/<vendor>__status_map.csv)
    beside it: `unknown` for a status the map does not have (a value the vendor added, or none),
    which a vendor's document allows (open enums, nullable statuses) and which must not fail
    the build. -#}
with unioned as (
{{ union_vendors('enrollments') }}
)
select u.vendor, u.workspace, u.enrollment_key, u.vendor_enrollment_id, u.sequence_key,
       u.vendor_sequence_id, u.person_key, u.enrolled_at, coalesce(m.state, 'unknown') as state, u.vendor_status, u.reached, u.opened, u.first_sent_at,
       u.first_opened_at, u.first_replied_at, u.replied, u.positive, u.bounced, u.unsubscribed
from unioned u
left join {{ ref('status_map') }} m on m.vendor = u.vendor and m.vendor_status = u.vendor_status
