"""Gaps healed after the listener was down: each vendor's delivery log read for what failed to
reach it (sources/<vendor>/webhooks.py `heal`), once the listener answers again. Instantly's log
keeps each payload, stored from there; Sequenzy replays its failed deliveries to the listener.
Either way an event already stored is not stored again (pipelines.listen.intake)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from pipelines.listen.app import parsed
from pipelines.listen.intake import Delivery, Intake
from pipelines.listen.registration import reached
from sources.common.vendors import VendorSpec
from sources.common.webhooks import Webhooks


def heal_all(intake: Intake, public_url: str,
             listened: Mapping[str, tuple[Webhooks, Sequence[str]]],
             say: Callable[[str], None]) -> dict[str, int]:  # fmt: skip
    """Per vendor, how many failed deliveries its log showed and were healed."""
    healed: dict[str, int] = {}

    def skipped(chosen: VendorSpec, exc: Exception) -> None:
        if chosen.name in listened:
            say(f"{chosen.title}: no API key: gaps in its deliveries are not healed")

    for chosen, hooks, target, client in reached(public_url, skipped):
        if chosen.name not in listened:
            continue

        def store(body: bytes, vendor: str = chosen.name, of: Webhooks = hooks) -> None:
            event = parsed(body)
            if event is not None:
                key, kind = of.key(event, body)
                intake.store_now(Delivery(vendor, key, kind, body, None))

        healed[chosen.name] = hooks.heal(client, target, store)
        say(f"{chosen.title}: {healed[chosen.name]} failed deliveries healed from its log")
    return healed
