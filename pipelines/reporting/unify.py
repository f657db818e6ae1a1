"""Unify's funnel reporting views: one SQL text per view, in the dialect DuckDB and PostgreSQL
share (FILTER, window functions, percentile_cont ... WITHIN GROUP, AT TIME ZONE), so both get
the same names and the same numbers. Created by pipelines.reporting after each load.

The counting rule (README, "Funnel reporting"): a person counts once per sequence. Sequence
version upgrades cancel an enrollment and create a new one for the same person; events
(started, replied, bounced, ...) count if any of the person's enrollments in the sequence had
them, states (canceled, finished) are those of the person's latest enrollment there.
"""

from __future__ import annotations

from pipelines.reporting import MEASURES, ReportViews

PERSON_SEQUENCE = """
with ranked as (
    select e.*, row_number() over (
        partition by e.sequence_id, e.person_id
        order by coalesce(e.created_at, e.started_at, e.updated_at) desc, e.id desc
    ) as recency
    from {ds}.enrollments e
), positive as (
    select distinct reply_email_message_id from {ds}.reply_email_classifications
    where category = 'POSITIVE'
)
select r.sequence_id, r.person_id,
       max(case when r.recency = 1 then r.mailbox_id end) as mailbox_id,
       min(coalesce(r.created_at, r.started_at)) as first_enrolled_at,
       max(case when r.started_at is not null then 1 else 0 end) as started,
       max(case when r.is_replied then 1 else 0 end) as replied,
       max(case when p.reply_email_message_id is not null then 1 else 0 end) as positive,
       max(case when r.is_bounced then 1 else 0 end) as bounced,
       max(case when r.is_opted_out then 1 else 0 end) as opted_out,
       max(case when r.recency = 1 and r.is_canceled then 1 else 0 end) as canceled,
       max(case when r.recency = 1 and r.status = 'FINISHED' then 1 else 0 end) as finished,
       count(*) as enrollments
from ranked r
left join positive p on p.reply_email_message_id = r.reply_email_message_id
group by r.sequence_id, r.person_id
"""

VIEWS: dict[str, str] = {
    "funnel_person_sequence": PERSON_SEQUENCE,
    "funnel_by_sequence": f"""
select f.sequence_id, s.name as sequence, {MEASURES}
from {{ds}}.funnel_person_sequence f
left join {{ds}}.sequences s on s.id = f.sequence_id
group by f.sequence_id, s.name
""",
    "funnel_by_mailbox": f"""
select f.mailbox_id, m.email as mailbox, {MEASURES}
from {{ds}}.funnel_person_sequence f
left join {{ds}}.mailboxes m on m.id = f.mailbox_id
group by f.mailbox_id, m.email
""",
    "funnel_by_cohort_week": f"""
select cast(date_trunc('week', f.first_enrolled_at at time zone 'UTC') as date) as cohort_week,
       {MEASURES}
from {{ds}}.funnel_person_sequence f
where f.first_enrolled_at is not null
group by 1
""",
    "reply_classification_breakdown": """
select e.sequence_id, c.category, count(*) as replies
from {ds}.reply_email_classifications c
join {ds}.reply_email_messages r on r.id = c.reply_email_message_id
join {ds}.enrollments e on e.id = r.enrollment_id
group by e.sequence_id, c.category
""",
    "time_to_first_reply": """
with waits as (
    select e.sequence_id, extract(epoch from (r.received_at - e.started_at)) / 3600.0 as hours
    from {ds}.enrollments e
    join {ds}.reply_email_messages r on r.id = e.reply_email_message_id
    where r.received_at is not null and e.started_at is not null
)
select w.sequence_id, s.name as sequence, count(*) as replies,
       percentile_cont(0.5) within group (order by w.hours) as median_hours,
       percentile_cont(0.9) within group (order by w.hours) as p90_hours
from waits w
left join {ds}.sequences s on s.id = w.sequence_id
group by w.sequence_id, s.name
""",
    "enrollment_history_intervals": """
select h.*, h.updated_at as valid_from,
       lead(h.updated_at) over (partition by h.enrollment_id order by h.updated_at) as valid_to
from {ds}.enrollment_history h
""",
    "daily_funnel": """
with firsts as (
    select enrollment_id,
           min(started_at) as started_at,
           min(case when is_replied then updated_at end) as replied_at,
           min(case when is_bounced then updated_at end) as bounced_at,
           min(case when is_opted_out then updated_at end) as opted_out_at,
           min(case when status = 'FINISHED' then updated_at end) as finished_at
    from {ds}.enrollment_history group by enrollment_id
), events as (
    select started_at as happened_at, 'started' as event from firsts where started_at is not null
    union all select replied_at, 'replied' from firsts where replied_at is not null
    union all select bounced_at, 'bounced' from firsts where bounced_at is not null
    union all select opted_out_at, 'opted_out' from firsts where opted_out_at is not null
    union all select finished_at, 'finished' from firsts where finished_at is not null
)
select cast(happened_at at time zone 'UTC' as date) as day,
       count(*) filter (where event = 'started') as started,
       count(*) filter (where event = 'replied') as replied,
       count(*) filter (where event = 'bounced') as bounced,
       count(*) filter (where event = 'opted_out') as opted_out,
       count(*) filter (where event = 'finished') as finished
from events group by 1
""",
    "step_funnel": """
select st.sequence_id, s.name as sequence, st.step_number, st.type as step_type,
       count(*) filter (where st.status = 'FINISHED') as executed,
       count(*) filter (where st.sent_at is not null) as sent,
       count(*) filter (where st.opens > 0) as opened,
       count(*) filter (where st.clicks > 0) as clicked,
       count(*) filter (where st.reply_email_message_id is not null) as replied
from {ds}.enrollment_steps st
left join {ds}.sequences s on s.id = st.sequence_id
where st.step_number is not null
group by st.sequence_id, s.name, st.step_number, st.type
""",
}
NEEDS = {  # views that need a table not every load has
    "step_funnel": "enrollment_steps",
    "enrollment_history_intervals": "enrollment_history",
    "daily_funnel": "enrollment_history",
}

# The terminal report: the funnel by sequence, widest first
REPORT_QUERY = (
    "select sequence, enrolled, started, replied, positive_replies, bounced, opted_out,"
    " canceled, finished, reply_rate_pct from {ds}.funnel_by_sequence"
    " order by enrolled desc, sequence"
)

TOTALS_QUERY = "select count(distinct person_id), count(*) from {ds}.enrollments"

UNIFY_REPORT = ReportViews(
    views=VIEWS, report_query=REPORT_QUERY, totals_query=TOTALS_QUERY, needs=NEEDS
)
