"""Sequenzy's funnel reporting views, in the SQL DuckDB and PostgreSQL share, beside the others'.

The counting rule: a person is a subscriber in one sequence; a subscriber enrolled twice in a
sequence (the vendor allows concurrent runs, told apart by `enrollmentKey`) counts once there.
Reached, delivered, opened, clicked, bounced and unsubscribed come from the per-recipient event
stream (the `events` table). Replies and conversions are not in that stream (the vendor has no
such event types): they come from the vendor's own metrics, the last snapshot loaded per sequence
and step (`sequence_metrics`, `sequence_step_metrics`), and count messages, not people.
"""

from __future__ import annotations

from pipelines.reporting import ReportViews

# Per subscriber in a sequence: what the event stream says happened to them there.
EVENT_FLAGS = """
select v.sequence_id, v.subscriber_id,
       min(v.occurred_at) filter (where v.event_type = 'send') as first_sent_at,
       max(case when v.event_type = 'send' then 1 else 0 end) as sent,
       max(case when v.event_type = 'delivery' then 1 else 0 end) as delivered,
       max(case when v.event_type = 'open' then 1 else 0 end) as opened,
       max(case when v.event_type = 'click' then 1 else 0 end) as clicked,
       max(case when v.event_type = 'bounce' then 1 else 0 end) as bounced,
       max(case when v.event_type = 'unsubscribe' then 1 else 0 end) as opted_out,
       max(case when v.event_type = 'complaint' then 1 else 0 end) as complained
from {ds}.events v
group by v.sequence_id, v.subscriber_id
"""
# No events loaded yet (nothing sent): the same columns, no rows.
NO_EVENT_FLAGS = """
select cast(null as varchar) as sequence_id, cast(null as varchar) as subscriber_id,
       cast(null as timestamp with time zone) as first_sent_at, 0 as sent, 0 as delivered,
       0 as opened, 0 as clicked, 0 as bounced, 0 as opted_out, 0 as complained
where 1 = 0
"""

PERSON_SEQUENCE = """
select e.sequence_id, e.subscriber_id, lower(max(e.email)) as person,
       min(e.enrollment_started_at) as first_enrolled_at, count(*) as enrollments,
       max(case when e.status in ('active', 'waiting') then 1 else 0 end) as in_progress,
       max(case when e.status = 'completed' then 1 else 0 end) as finished,
       max(case when e.status = 'cancelled' then 1 else 0 end) as canceled,
       max(case when e.status = 'failed' then 1 else 0 end) as failed,
       max(g.first_sent_at) as first_sent_at, coalesce(max(g.sent), 0) as sent,
       coalesce(max(g.delivered), 0) as delivered, coalesce(max(g.opened), 0) as opened,
       coalesce(max(g.clicked), 0) as clicked, coalesce(max(g.bounced), 0) as bounced,
       coalesce(max(g.opted_out), 0) as opted_out, coalesce(max(g.complained), 0) as complained
from {ds}.enrollments e
left join {ds}.sequence_event_flags g
  on g.sequence_id = e.sequence_id and g.subscriber_id = e.subscriber_id
group by e.sequence_id, e.subscriber_id
"""

# Over rows `f` of funnel_person_sequence (bigint: DuckDB sums integers as HUGEINT).
MEASURES = """
       count(*) as enrolled, cast(sum(f.sent) as bigint) as sent,
       cast(sum(f.delivered) as bigint) as delivered, cast(sum(f.opened) as bigint) as opened,
       cast(sum(f.clicked) as bigint) as clicked, cast(sum(f.bounced) as bigint) as bounced,
       cast(sum(f.opted_out) as bigint) as opted_out,
       cast(sum(f.in_progress) as bigint) as in_progress,
       cast(sum(f.finished) as bigint) as finished, cast(sum(f.canceled) as bigint) as canceled,
       cast(sum(f.failed) as bigint) as failed,
       round(100.0 * sum(f.opened) / nullif(sum(f.delivered), 0), 1) as open_rate_pct,
       round(100.0 * sum(f.clicked) / nullif(sum(f.delivered), 0), 1) as click_rate_pct,
       round(100.0 * sum(f.bounced) / nullif(sum(f.sent), 0), 1) as bounce_rate_pct
"""


def _latest(table: str, *key: str) -> str:
    """Each key's row of the last day loaded."""
    same = " and ".join(f"l.{k} = m.{k}" for k in key)
    return f"""
select m.* from {{ds}}.{table} m
where m.date = (select max(l.date) from {{ds}}.{table} l where {same})
"""


BY_SEQUENCE = """
select f.sequence_id, s.name as sequence, s.effective_status, {MEASURES}
       {vendor}
from {{ds}}.funnel_person_sequence f
left join {{ds}}.sequences s on s.id = f.sequence_id
{join}
group by f.sequence_id, s.name, s.effective_status
"""
VENDOR_COUNTS = """,
       max(m.replies) as replies, max(m.conversions) as conversions,
       max(m.revenue_cents) as revenue_cents, max(m.date) as metrics_date"""
NO_VENDOR_COUNTS = """,
       cast(null as bigint) as replies, cast(null as bigint) as conversions,
       cast(null as bigint) as revenue_cents, cast(null as date) as metrics_date"""


def _by_sequence(with_metrics: bool) -> str:
    return BY_SEQUENCE.format(
        MEASURES=MEASURES,
        vendor=VENDOR_COUNTS if with_metrics else NO_VENDOR_COUNTS,
        join="left join {ds}.sequence_metrics_latest m on m.sequence_id = f.sequence_id"
        if with_metrics else "",
    )  # fmt: skip


# Per email step: sends and what became of them (one event per kind a send, as the vendor
# counts), beside the vendor's own replies and conversions for the step.
BY_STEP = """
select m.sequence_id, s.name as sequence, m.step_number as step, m.node_id, m.subject,
       count(distinct v.email_send_id) filter (where v.event_type = 'send') as sent,
       count(distinct v.email_send_id) filter (where v.event_type = 'delivery') as delivered,
       count(distinct v.email_send_id) filter (where v.event_type = 'open') as opened,
       count(distinct v.email_send_id) filter (where v.event_type = 'click') as clicked,
       count(distinct v.email_send_id) filter (where v.event_type = 'bounce') as bounced,
       count(distinct v.email_send_id) filter (where v.event_type = 'unsubscribe')
         as unsubscribed,
       {vendor}
from {{ds}}.sequence_emails m
left join {{ds}}.sequences s on s.id = m.sequence_id
left join {{ds}}.events v on v.sequence_id = m.sequence_id and v.automation_node_id = m.node_id
{join}
group by m.sequence_id, s.name, m.step_number, m.node_id, m.subject
"""


def _by_step(with_metrics: bool) -> str:
    if not with_metrics:
        vendor, join = "cast(null as bigint) as replies, cast(null as bigint) as conversions", ""
    else:
        vendor = "max(p.replies) as replies, max(p.conversions) as conversions"
        join = ("left join {ds}.step_metrics_latest p"
                " on p.sequence_id = m.sequence_id and p.node_id = m.node_id")  # fmt: skip
    return BY_STEP.format(vendor=vendor, join=join)


VIEWS: dict[str, str] = {
    "sequence_event_flags": EVENT_FLAGS,
    "funnel_person_sequence": PERSON_SEQUENCE,
    "sequence_metrics_latest": _latest("sequence_metrics", "sequence_id"),
    "step_metrics_latest": _latest("sequence_step_metrics", "sequence_id", "node_id"),
    "funnel_by_sequence": _by_sequence(with_metrics=True),
    "funnel_by_step": _by_step(with_metrics=True),
    "funnel_by_cohort_week": f"""
select cast(date_trunc('week', f.first_enrolled_at at time zone 'UTC') as date) as cohort_week,
       {MEASURES}
from {{ds}}.funnel_person_sequence f
group by 1
""",
}
NEEDS = {
    "sequence_metrics_latest": "sequence_metrics",
    "step_metrics_latest": "sequence_step_metrics",
    "funnel_by_step": "events",  # and the email steps, which any send implies
}
# A view's optional table -> its SQL without it: no events yet, no metrics read yet.
FALLBACKS = {
    "sequence_event_flags": ("events", NO_EVENT_FLAGS),
    "funnel_by_sequence": ("sequence_metrics", _by_sequence(with_metrics=False)),
    "funnel_by_step": ("sequence_step_metrics", _by_step(with_metrics=False)),
}

HEADER = ("sequence", "enrolled", "sent", "delivered", "opened", "clicked", "replied",
          "converted", "bounced", "opt-out", "open %")  # fmt: skip
REPORT_QUERY = (
    "select sequence, enrolled, sent, delivered, opened, clicked, replies, conversions, bounced,"
    " opted_out, open_rate_pct from {ds}.funnel_by_sequence order by enrolled desc, sequence"
)
TOTALS_QUERY = (
    "select count(distinct person), coalesce(sum(enrollments), 0) from {ds}.funnel_person_sequence"
)

SEQUENZY_REPORT = ReportViews(
    views=VIEWS, report_query=REPORT_QUERY, totals_query=TOTALS_QUERY, needs=NEEDS,
    fallbacks=FALLBACKS, header=HEADER, rate=(3, 2),
)  # fmt: skip
