"""Every shape Instantly's OpenAPI document allows goes through the source's normalisers: nulls
where it says nullable, optional fields absent, every enum value, any unicode, and fields it does
not name. Nothing may crash, and no object is lost."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sources.instantly import rows
from sources.instantly.settings import INSTANTLY_TABLES
from tests.support.generate import SHAPE_CHECKS, Generator

SHAPES = Generator.of_vendor("instantly")

CHECKS = SHAPE_CHECKS


def of(name: str) -> st.SearchStrategy[Any]:
    return SHAPES.schema(name)


def answer(path: str) -> st.SearchStrategy[Any]:
    """What `GET /api/v2<path>` may answer."""
    operation = SHAPES.document["paths"]["/api/v2" + path]["get"]
    return SHAPES.values(operation["responses"]["200"]["content"]["application/json"]["schema"])


@CHECKS
@given(leads=st.lists(of("Lead"), max_size=5))
def test_leads(leads):
    table = rows.lead_table(leads)
    assert table.num_rows == len(leads) and None not in table.column("id").to_pylist()


@CHECKS
@given(emails=st.lists(of("Email"), max_size=5), bodies=st.booleans())
def test_emails(emails, bodies):
    table = rows.email_table(emails, bodies)
    assert table.num_rows == len(emails)
    assert table.column("step_index").null_count <= len(emails)


@CHECKS
@given(campaign=of("Campaign"), subsequence=of("CampaignSubsequence"), account=of("Account"))
def test_campaigns_subsequences_and_accounts(campaign, subsequence, account):
    for row, table in ((rows.campaign_row(campaign), "campaigns"),
                       (rows.subsequence_row(subsequence), "subsequences"),
                       (rows.account_row(account), "accounts")):  # fmt: skip
        key = INSTANTLY_TABLES.key(table)
        assert row[key] == (campaign if table == "campaigns" else subsequence
                            if table == "subsequences" else account)[key]  # fmt: skip
    steps = rows.campaign_step_rows(campaign) + rows.subsequence_step_rows(subsequence)
    assert all(r.get("campaign_id") or r.get("subsequence_id") for r in steps)


@CHECKS
@given(totals=answer("/campaigns/analytics"), daily=answer("/campaigns/analytics/daily"),
       steps=answer("/campaigns/analytics/steps"), subs=answer("/subsequences/analytics"))  # fmt: skip
def test_analytics(totals, daily, steps, subs):
    assert len(rows.campaign_analytics_rows(totals, "2026-12-06T00:00:00Z")) == len(totals)
    assert all(r["campaign_id"] == "c" for r in rows.daily_rows("c", daily))
    assert all(r["step"] >= -1 for r in rows.step_analytics_rows("c", steps))
    assert len(rows.subsequence_analytics_rows("c", subs)) == len(subs)
