"""dlt source for the Sequenzy API v1: sequences, enrollments, subscribers, conversations (its
replies), events, metrics.

One resource per table family, so that `sequenzy_source().with_resources("events")` loads just
those tables:

- `sequences`: sequences, sequence_nodes, sequence_edges, sequence_emails (catalog.py);
- `enrollments`: every enrollment token, of every status (enrollments.py);
- `subscribers`: every subscriber (subscribers.py);
- `conversations`: the inbox, where replies are (conversations.py);
- `events`: every type of event of each sequence, by time windows (events.py);
- `metrics`: sequence_metrics and sequence_step_metrics, per day (metrics.py).

All of them share one client-side limiter within the key's 100 requests a minute (and 20 a
second). Marks and offsets live in dlt state, committed with the data of the same load.
"""

from __future__ import annotations

from dlt.sources import DltResource

from sources.common.configuration import merged_resources, settings_source
from sources.common.stats import RunStats
from sources.sequenzy.catalog import sequences
from sources.sequenzy.conversations import conversations
from sources.sequenzy.enrollments import enrollments
from sources.sequenzy.events import events
from sources.sequenzy.extraction import SequenzyRun, SequenzySettings
from sources.sequenzy.metrics import metrics
from sources.sequenzy.subscribers import subscribers


@settings_source(SequenzySettings)
def sequenzy_source(settings: SequenzySettings, stats: RunStats) -> list[DltResource]:
    """The Sequenzy tables, in six resources (see the module's docstring); its arguments are
    the fields of SequenzySettings."""
    run = SequenzyRun(settings, stats)
    return merged_resources(
        run, sequences, enrollments, subscribers, conversations, events, metrics
    )
