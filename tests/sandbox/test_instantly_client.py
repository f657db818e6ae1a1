"""A client this project did not write against the Instantly sandbox: `instantlyai` 0.7.0 (PyPI,
third-party, its models generated from the vendor's OpenAPI document) makes the reads the source
makes and the state changes the actions make, and reads back what they changed. Each answer must
validate into its models, and carry values in the fields the connector reads wherever the world
has them. Where the client and the vendor's document disagree, the document wins (noted where
it happens)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from instantlyai import Instantly

from sandbox.instantly import DEFAULT_API_KEY, InstantlySandbox


@pytest.fixture(scope="module")
def client() -> Iterator[tuple[InstantlySandbox, Instantly]]:
    sandbox = InstantlySandbox.create(campaigns=6, accounts=4, leads=300, frozen_clock=True)
    with sandbox.serve() as url:
        base = url.rstrip("/")
        with Instantly(api_key=DEFAULT_API_KEY, base_url=base, max_retries=0) as sdk:
            yield sandbox, sdk


def _all(page: Any) -> list[Any]:
    return list(page)  # the client follows next_starting_after itself


def _status(value: Any) -> Any:
    """The client reads a status into an enum of the document's values."""
    return getattr(value, "value", value)


def test_the_reads_validate_and_carry_what_the_source_reads(client):
    sandbox, sdk = client
    campaigns = _all(sdk.campaigns.list(limit=2))
    assert len(campaigns) == len(sandbox.state.world.campaigns)
    assert all(c.id and c.name and c.timestamp_created for c in campaigns)
    one = sdk.campaigns.retrieve(campaigns[0].id)
    assert one.id == campaigns[0].id and one.sequences
    accounts = _all(sdk.accounts.list(limit=100))
    assert accounts and all(a.email for a in accounts)
    assert sdk.accounts.retrieve(accounts[0].email).email == accounts[0].email
    leads = _all(sdk.leads.list(limit=100))
    assert len(leads) == len(sandbox.state.leads_now())
    assert all(lead.id and lead.timestamp_created and _status(lead.status) is not None
               for lead in leads)  # fmt: skip
    assert any(lead.email is None for lead in leads)  # the document allows it; the world has some
    assert sdk.leads.retrieve(leads[0].id).id == leads[0].id
    emails = _all(sdk.emails.list(limit=100))
    assert emails and all(e.id and e.timestamp_email and e.ue_type for e in emails)
    assert sdk.emails.retrieve(emails[0].id).id == emails[0].id
    totals = sdk.campaigns.analytics()
    assert {t.campaign_id for t in totals} == {c.id for c in campaigns}
    assert isinstance(sdk.campaigns.analytics_daily(campaign_id=campaigns[0].id), list)
    assert isinstance(sdk.campaigns.analytics_steps(campaign_id=campaigns[0].id), list)
    subsequences = [s for c in campaigns for s in _all(sdk.subsequences.list(parent_campaign=c.id))]
    assert all(s.id and s.parent_campaign for s in subsequences)
    if subsequences:
        assert sdk.subsequences.retrieve(subsequences[0].id).id == subsequences[0].id


def test_the_state_actions_change_what_the_reads_show(client):
    _, sdk = client
    campaign = next(c for c in _all(sdk.campaigns.list()) if _status(c.status) == 1)
    assert _status(sdk.campaigns.pause(campaign.id).status) == 2
    assert _status(sdk.campaigns.retrieve(campaign.id).status) == 2
    assert _status(sdk.campaigns.activate(campaign.id).status) == 1
    subsequence = next(s for c in _all(sdk.campaigns.list())
                       for s in _all(sdk.subsequences.list(parent_campaign=c.id)))  # fmt: skip
    assert _status(sdk.subsequences.pause(subsequence.id).status) == 2
    assert _status(sdk.subsequences.resume(subsequence.id).status) == 1
    # the client reads ids into UUIDs but cannot send one back: str() (its quirk, not ours)
    lead = next(x for x in _all(sdk.leads.list(campaign=str(subsequence.parent_campaign))))
    lead_id, subsequence_id = str(lead.id), str(subsequence.id)
    moved = sdk.leads.move_to_subsequence(id=lead_id, subsequence_id=subsequence_id)
    assert str(moved.id) == lead_id
    assert str(sdk.leads.retrieve(lead_id).subsequence_id) == subsequence_id
    sdk.leads.remove_from_subsequence(id=lead_id)
    assert not sdk.leads.retrieve(lead_id).subsequence_id
