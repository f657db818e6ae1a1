"""The `conversations` resource: the company's inbox, where Sequenzy's replies are.

Sequenzy's event stream has no reply event (its official SDK; docs/vendors/sequenzy.md); its replies
are conversations (`GET /conversations`: "replies to your campaigns, sequences, and transactional
email"), each naming the subscriber and where it started (`context {type, label}`: for a reply to a
sequence, the type `sequence` and the sequence's name, not its id). The funnel's staging ties them
to sequences (stg_sequenzy__replies). A full read of every status (`status=all`; an inbox lists open
ones unless asked) when due (`conversations_refresh_minutes`), by page number, 100 a page; a key
without `conversations:read` loads everything else and warns, and replies stay unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dlt

from sources.common.errors import AuthenticationError
from sources.common.notices import notices
from sources.common.state import due, mark_done
from sources.sequenzy import helpers, rows
from sources.sequenzy.extraction import SequenzyRun
from sources.sequenzy.settings import SEQUENZY_TABLES

LISTED = "conversations_listed_at"
log = notices("sequenzy")


def conversations(run: SequenzyRun) -> Iterator[Any]:
    state = dlt.current.resource_state()
    if not due(state, LISTED, run.settings.refresh("conversations")):
        return
    known = run.known_types()
    with run.client() as client:
        try:
            for page in helpers.conversation_pages(client):
                run.stats.add("rows", len(page))
                yield SEQUENZY_TABLES.tagged("conversations", rows.conversation_table(page, known))
        except AuthenticationError as exc:
            log.warning("Sequenzy replies are not loaded (%s): the key needs"
                        " conversations:read", exc)  # fmt: skip
            return
    mark_done(state, LISTED)
