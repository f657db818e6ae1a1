{#- Every enrollment of a person in a sequence, any vendor, with the common state mapped from
    the vendor's own status (seeds/status_map.csv) beside it. -#}
with unioned as (
{{ union_vendors('enrollments') }}
)
select u.vendor, u.enrollment_key, u.vendor_enrollment_id, u.sequence_key, u.person_key,
       u.enrolled_at, m.state, u.vendor_status, u.reached, u.opened, u.first_sent_at,
       u.first_opened_at, u.first_replied_at, u.replied, u.positive, u.bounced, u.unsubscribed
from unioned u
left join {{ ref('status_map') }} m on m.vendor = u.vendor and m.vendor_status = u.vendor_status
