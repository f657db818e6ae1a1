{#- One row per person in an Instantly campaign: the counting rule of every Instantly report view.
    A lead is a person in one campaign (the vendor keys leads so), and a person listed twice in
    a campaign counts once (by lower-cased email; a lead without one is a person of its own). Events come from the lead's own counters and
    statuses, so they hold however far the emails backfill has got. Positive: lt_interest_status
    Interested, Meeting Booked, Meeting Completed or Won (vendor-apis.md 2). -#}
{{ report_view('instantly', 'funnel_person_campaign') }}
select l.campaign as campaign_id,
       coalesce(lower(nullif(trim(l.email), '')), 'instantly-lead:' || l.id) as person,
       min(l.timestamp_created) as first_added_at,
       max(case when l.timestamp_last_contact is not null then 1 else 0 end) as started,
       max(case when l.email_reply_count > 0 then 1 else 0 end) as replied,
       max(case when l.lt_interest_status in (1, 2, 3, 4) then 1 else 0 end) as positive,
       max(case when l.status = -1 then 1 else 0 end) as bounced,
       max(case when l.status = -2 then 1 else 0 end) as opted_out,
       max(case when l.status = -3 then 1 else 0 end) as canceled,
       max(case when l.status = 3 then 1 else 0 end) as finished,
       count(*) as leads
from {{ ref('instantly__leads_current') }} l
where l.campaign is not null
group by l.campaign, coalesce(lower(nullif(trim(l.email), '')), 'instantly-lead:' || l.id)
