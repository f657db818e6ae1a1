{#- One row per person in an Instantly campaign: the tool's rows of funnel_person_sequence, where
    the counting rule and the status map are applied once for every view. A lead is a person in
    one campaign; a person listed twice in a campaign counts once (by lower-cased email; a lead
    without one is a person of its own); deleted leads are left out (stg_instantly__enrollments).
    `leads`: the person's leads in the campaign. -#}
{{ report_view('instantly', 'funnel_person_campaign') }}
select f.*, f.vendor_sequence_id as campaign_id, f.enrollments as leads
from {{ ref('funnel_person_sequence') }} f
where f.vendor = 'instantly'
