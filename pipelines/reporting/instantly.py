"""Instantly's funnel reporting views, in the SQL DuckDB and PostgreSQL share, beside Unify's.

The counting rule: a lead is a person in one campaign (the vendor keys leads so), and a person
listed twice in a campaign counts once (by lower-cased email). Deleted leads (lead_deletions)
are left out. Events (contacted, replied, positive, bounced, unsubscribed) come from the lead's
own counters and statuses, so they hold however far the emails backfill has got; the account
and step views read the emails and the vendor's step analytics.
"""

from __future__ import annotations

from pipelines.reporting import MEASURES, ReportViews

POSITIVE_INTEREST = "(1, 2, 3, 4)"  # Interested, Meeting Booked, Meeting Completed, Won

# Leads less those deleted since they were loaded (lead_deletions); every view reads these.
LEADS_CURRENT = """
select l.* from {ds}.leads l
where not exists (select 1 from {ds}.lead_deletions d where d.id = l.id)
"""

PERSON_CAMPAIGN = f"""
select l.campaign as campaign_id, lower(l.email) as person,
       min(l.timestamp_created) as first_added_at,
       max(case when l.timestamp_last_contact is not null then 1 else 0 end) as started,
       max(case when l.email_reply_count > 0 then 1 else 0 end) as replied,
       max(case when l.lt_interest_status in {POSITIVE_INTEREST} then 1 else 0 end) as positive,
       max(case when l.status = -1 then 1 else 0 end) as bounced,
       max(case when l.status = -2 then 1 else 0 end) as opted_out,
       max(case when l.status = -3 then 1 else 0 end) as canceled,
       max(case when l.status = 3 then 1 else 0 end) as finished,
       count(*) as leads
from {{ds}}.leads_current l
where l.campaign is not null
group by l.campaign, lower(l.email)
"""

VIEWS: dict[str, str] = {
    "leads_current": LEADS_CURRENT,
    "funnel_person_campaign": PERSON_CAMPAIGN,
    "funnel_by_campaign": f"""
select f.campaign_id, c.name as campaign, c.status_label as campaign_status, {MEASURES}
from {{ds}}.funnel_person_campaign f
left join {{ds}}.campaigns c on c.id = f.campaign_id
group by f.campaign_id, c.name, c.status_label
""",
    "funnel_by_cohort_week": f"""
select cast(date_trunc('week', f.first_added_at at time zone 'UTC') as date) as cohort_week,
       {MEASURES}
from {{ds}}.funnel_person_campaign f
group by 1
""",
    "interest_outcomes": """
select l.campaign as campaign_id, c.name as campaign,
       coalesce(l.lt_interest_status_label, 'none') as interest, count(*) as leads
from {ds}.leads_current l
left join {ds}.campaigns c on c.id = l.campaign
where l.campaign is not null
group by l.campaign, c.name, coalesce(l.lt_interest_status_label, 'none')
""",
    "funnel_by_account": """
select e.eaccount as account,
       count(*) filter (where e.ue_type in (1, 3)) as sent,
       count(distinct e.lead_id) filter (where e.ue_type in (1, 3)) as leads_contacted,
       count(*) filter (where e.ue_type = 2 and not coalesce(e.is_auto_reply, false)) as replies,
       count(*) filter (where e.ue_type = 2 and e.is_auto_reply) as automatic_replies,
       count(distinct e.lead_id) filter (where e.ue_type = 2
                                         and not coalesce(e.is_auto_reply, false)) as leads_replied
from {ds}.emails e
group by e.eaccount
""",
    "step_variant_funnel": """
select a.campaign_id, c.name as campaign, a.step, a.variant, s.subject,
       a.sent, a.unique_opened, a.unique_replies, a.unique_replies_automatic, a.unique_clicks,
       round(100.0 * a.unique_replies / nullif(a.sent, 0), 1) as reply_rate_pct
from {ds}.campaign_analytics_steps a
left join {ds}.campaigns c on c.id = a.campaign_id
left join {ds}.campaign_steps s
  on s.campaign_id = a.campaign_id and s.step = a.step and s.variant = a.variant
""",
}
NEEDS = {
    "funnel_by_account": "emails",
    "step_variant_funnel": "campaign_analytics_steps",
}
# Without lead_deletions (no lead was ever deleted) the current leads are all of them.
FALLBACKS = {"leads_current": ("lead_deletions", "select * from {ds}.leads")}

REPORT_QUERY = (
    "select campaign, enrolled, started, replied, positive_replies, bounced, opted_out,"
    " canceled, finished, reply_rate_pct from {ds}.funnel_by_campaign"
    " order by enrolled desc, campaign"
)
TOTALS_QUERY = (
    "select count(distinct person), coalesce(sum(leads), 0) from {ds}.funnel_person_campaign"
)

INSTANTLY_REPORT = ReportViews(
    views=VIEWS, report_query=REPORT_QUERY, totals_query=TOTALS_QUERY, needs=NEEDS,
    base_table="leads", fallbacks=FALLBACKS, words=("campaign", "lead"),
)  # fmt: skip
