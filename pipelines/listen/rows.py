"""A stored delivery as a row of `<vendor>.webhook_events`: pure, API JSON in, a row out.

Beside the whole payload (`payload`, JSON), the columns a funnel joins on, from the vendor's
webhooks (sources/<vendor>/webhooks.py): who (`email`, Sequenzy's `subscriber_id`), in what
(`sequence_id`: Sequenzy's sequence, Instantly's campaign), when it happened (`occurred_at`);
and when it came in (`received_at`). A field a payload lacks is null: the vendors' docs list
their fields, not which are always sent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from sources.common.webhooks import Webhooks


def event_row(hooks: Webhooks, key: str, event_type: str | None, received_at: float,
              body: bytes) -> dict[str, Any]:  # fmt: skip
    payload = orjson.loads(body)
    received = datetime.fromtimestamp(received_at, UTC)
    return {"event_key": key, "event_type": event_type, **hooks.columns(payload),
            "received_at": received, "payload": payload}  # fmt: skip
