"""A seeded Instantly workspace: sending accounts, campaigns (with their steps and variants),
subsequences, leads and the event log of their activity (sandbox.instantly.activity).

Ids are UUIDs computed from (seed, kind, index), as in every sandbox (sandbox.common.ids); all
timestamps are milliseconds on the sandbox's clock, rendered as the vendor does
(`2026-08-13T11:11:58.027Z`). Statuses use the vendor's numeric enums.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sandbox.common.clock import US, format_rfc3339
from sandbox.common.ids import IdSpace
from sandbox.common.text import ascii_fold
from sandbox.instantly.activity import MINUTE, SUB_ADD, CampaignShape, EventLog, ms, plan
from sandbox.instantly.blocklist import BlockList
from sandbox.instantly.emails import EmailIndex
from sandbox.instantly.leads import Leads, without_email

DAY_US = 86_400 * US
CAMPAIGN_STATUSES = (1, 1, 1, 2, 3, 0, 4, -1, -2, -99)  # weighted: most campaigns are active
ACCOUNT_STATUSES = (1, 1, 1, 1, 2, -1, -2)
PROVIDERS = (1, 2, 3, 4, 8, 11)  # custom IMAP/SMTP, Google, Microsoft, AWS, AirMail, Instantly DFY
FIRST_NAMES = ("Ana", "Björn", "Chloé", "Dmitri", "Emeka", "Fatima", "Hiro", "Ines", "Jonas")
LAST_NAMES = ("Almeida", "Berg", "Castillo", "Dubois", "Eze", "Fischer", "Goto", "Haddad")
CAMPAIGN_NAMES = ("Q1 founders outreach", "Série A — relance", "APAC 拡大 pilot",
                  "Agencies 🚀 webinar", "Re-engage cold leads", "DACH CFOs")  # fmt: skip


@dataclass
class InstantlyWorld:
    seed: int
    organization: str
    accounts: list[dict[str, Any]]
    campaigns: list[dict[str, Any]]  # in id order; a campaign's position is its index here
    subsequences: list[dict[str, Any]]  # in id order, likewise
    leads: Leads
    log: EventLog
    emails: EmailIndex
    ids: dict[str, IdSpace]  # the ids rendered from positions: steps, threads, lists
    joins: list[np.ndarray]  # per subsequence: the planned instants leads join it, ascending
    deleted: set[str] = field(default_factory=set)  # ids of deleted campaigns, subsequences
    # an admin workspace's group: its members (WorkspaceGroupMember), in id order
    group_members: list[dict[str, Any]] = field(default_factory=list)
    blocklist: BlockList = field(init=False)
    hooks: Any = None  # its webhooks (sandbox.instantly.webhooks.InstantlyHooks), once served

    def __post_init__(self) -> None:
        self.blocklist = BlockList(self.organization, self.seed)

    @classmethod
    def generate(
        cls, seed: int, *, campaigns: int, accounts: int, leads: int, anchor_us: int
    ) -> InstantlyWorld:
        rng = random.Random(seed)
        ids = {kind: IdSpace(seed, kind) for kind in ("org", "user", "campaign", "subsequence")}
        organization = ids["org"].make(0)
        owners = [ids["user"].make(k) for k in range(3)]
        mailboxes = [_account(rng, k, organization, anchor_us) for k in range(accounts)]
        emails = [a["email"] for a in mailboxes]
        made = [
            _campaign(rng, ids["campaign"].make(k), k, organization, owners, emails, anchor_us)
            for k in range(campaigns)
        ]
        made.sort(key=lambda c: c["id"])  # listed in id order, as `starting_after` implies
        mailboxes.sort(key=lambda a: a["email"])
        subs = [s for c in made for s in _subsequences(rng, c, ids["subsequence"], organization)]
        subs.sort(key=lambda s: s["id"])
        generator = np.random.default_rng(seed)
        created, campaign = _lead_arrivals(generator, leads, len(made), anchor_us)
        table = Leads.generate(generator, created, campaign)
        log = plan(generator, CampaignShape.of(made, subs), created, campaign,
                   without_email(np.arange(len(created))))  # fmt: skip
        rendered = {kind: IdSpace(seed, kind) for kind in ("step", "thread", "list", "user")}
        added = log.kind == SUB_ADD
        joins = [np.sort(log.time[added & (log.value == k)]) for k in range(len(subs))]
        return cls(seed, organization, mailboxes, made, subs, table, log,
                   EmailIndex.build(generator, log), rendered, joins)  # fmt: skip

    def sent(self, j: int) -> bool:
        """Whether email `j` of the index happened: no block held it back."""
        event = int(self.emails.event[j])
        return not self.leads.is_held(int(self.log.lead[event]), int(self.log.time[event]))

    def live(self, entity: dict[str, Any]) -> bool:
        """Not deleted, nor (for a subsequence) under a deleted campaign."""
        return (
            entity["id"] not in self.deleted and entity.get("parent_campaign") not in self.deleted
        )

    def campaign(self, campaign_id: str) -> dict[str, Any] | None:
        position = self.campaign_position(campaign_id)
        return None if position is None else self.campaigns[position]

    def campaign_position(self, campaign_id: str) -> int | None:
        return next((k for k, c in enumerate(self.campaigns)
                     if c["id"] == campaign_id and self.live(c)), None)  # fmt: skip

    def subsequence_position(self, subsequence_id: str) -> int | None:
        return next((k for k, s in enumerate(self.subsequences)
                     if s["id"] == subsequence_id and self.live(s)), None)  # fmt: skip


def _lead_arrivals(
    rng: np.random.Generator, n: int, campaigns: int, anchor_us: int
) -> tuple[np.ndarray, np.ndarray]:
    """When each lead is added (most in the last half year, some long before, a tenth still to
    come after the anchor) and to which campaign (a few to a list only), in arrival order."""
    ages = np.where(rng.random(n) < 0.85, rng.integers(MINUTE, 180 * DAY_US, n),
                    rng.integers(180 * DAY_US, 600 * DAY_US, n))  # fmt: skip
    future = n // 10
    created = np.sort(
        np.concatenate([anchor_us - ages, anchor_us + rng.integers(MINUTE, 30 * DAY_US, future)])
    )
    created = ms(created)
    weights = 1.0 / (1.0 + rng.permutation(max(1, campaigns))) ** 0.5
    campaign = rng.choice(max(1, campaigns), len(created), p=weights / weights.sum())
    campaign = np.where((rng.random(len(created)) < 0.05) | (campaigns == 0), -1, campaign)
    return created.astype(np.int64), campaign.astype(np.int64)


def _stamp(rng: random.Random, anchor_us: int, days: int) -> tuple[str, str]:
    created = anchor_us - rng.randrange(DAY_US, days * DAY_US) // 1000 * 1000
    updated = created + rng.randrange(0, anchor_us - created + 1) // 1000 * 1000
    return format_rfc3339(created), format_rfc3339(min(updated, anchor_us))


def _account(rng: random.Random, k: int, organization: str, anchor_us: int) -> dict[str, Any]:
    first, last = FIRST_NAMES[k % len(FIRST_NAMES)], LAST_NAMES[k % len(LAST_NAMES)]
    created, updated = _stamp(rng, anchor_us, 400)
    return {
        "email": f"{ascii_fold(first)}.{ascii_fold(last)}{k}@send{k % 4}.example.com",
        "timestamp_created": created, "timestamp_updated": updated,
        "first_name": first, "last_name": last, "organization": organization,
        "warmup_status": rng.choice((0, 1, 1, 1, -1)), "provider_code": rng.choice(PROVIDERS),
        "setup_pending": False, "is_managed_account": rng.random() < 0.1,
        "status": rng.choice(ACCOUNT_STATUSES), "daily_limit": rng.choice((30, 50, 100)),
    }  # fmt: skip


def _campaign(
    rng: random.Random,
    campaign_id: str,
    k: int,
    organization: str,
    owners: list[str],
    emails: list[str],
    anchor_us: int,
) -> dict[str, Any]:
    created, updated = _stamp(rng, anchor_us, 200)
    steps = [
        {"type": "email", "delay": rng.choice((1, 2, 3)), "delay_unit": "days",
         "variants": [{"subject": f"Step {s + 1}, variant {v + 1}: {{{{firstName}}}}",
                       "body": f"<p>Hello {{{{firstName}}}}, note {s + 1}.</p>"}
                      for v in range(rng.choice((1, 1, 2, 3)))]}
        for s in range(rng.choice((2, 3, 4, 5)))
    ]  # fmt: skip
    senders = rng.sample(emails, min(len(emails), rng.choice((1, 2, 3)))) if emails else []
    working_hours = {"name": "Working hours", "timing": {"from": "09:00", "to": "17:00"},
                     "days": {str(d): d not in (0, 6) for d in range(7)},
                     "timezone": "America/Chicago"}  # fmt: skip
    campaign = {
        "id": campaign_id, "name": f"{CAMPAIGN_NAMES[k % len(CAMPAIGN_NAMES)]} #{k + 1}",
        "status": rng.choice(CAMPAIGN_STATUSES), "is_evergreen": False,
        "campaign_schedule": {"start_date": None, "end_date": None, "schedules": [working_hours]},
        "sequences": [{"steps": steps}],
        "timestamp_created": created, "timestamp_updated": updated,
        "daily_limit": rng.choice((50, 100, 200)), "stop_on_reply": True,
        "stop_on_auto_reply": rng.random() < 0.5, "open_tracking": True, "link_tracking": True,
        "email_list": senders, "organization": organization, "owned_by": rng.choice(owners),
        "pl_value": rng.choice((None, 250, 1000, 5000)),
    }  # fmt: skip
    return campaign


SUBSEQUENCE_STATUSES = (1, 1, 1, 1, 2, 0, 3, -1)


def _subsequences(
    rng: random.Random, campaign: dict[str, Any], ids: IdSpace, workspace: str
) -> list[dict[str, Any]]:
    """0 to 2 subsequences of a campaign: one for leads who showed interest, one for leads who
    completed the campaign without a reply (the two triggers the world acts out)."""
    made = []
    kinds = [("Interested: book the call", {"crm_status": [1, 2]}),
             ("No reply: last nudge", {"lead_activity": [91]})]  # fmt: skip
    for name, conditions in kinds:
        if rng.random() < 0.4:
            continue
        steps = [
            {"type": "email", "delay": rng.choice((1, 2)), "delay_unit": "days",
             "pre_delay": rng.choice((1, 4)), "pre_delay_unit": "hours",
             "variants": [{"subject": f"{name} ({s + 1}/{v + 1}), {{{{firstName}}}}",
                           "body": f"<p>Following up, {{{{firstName}}}}: {s + 1}.</p>"}
                          for v in range(rng.choice((1, 2)))]}
            for s in range(rng.choice((1, 2, 3)))
        ]  # fmt: skip
        created = campaign["timestamp_created"]
        made.append({
            "id": ids.make(rng.randrange(1 << 30)), "timestamp_created": created,
            "parent_campaign": campaign["id"], "workspace": workspace,
            "status": rng.choice(SUBSEQUENCE_STATUSES), "name": name,
            "conditions": {"crm_status": [], "lead_activity": [], **conditions},
            "subsequence_schedule": campaign["campaign_schedule"],
            "sequences": [{"steps": steps}], "auto_variant_select": None,
            "daily_limit_mode": "inherit", "daily_limit": None,
            "ignore_account_daily_limit": False,
        })  # fmt: skip
    return made
