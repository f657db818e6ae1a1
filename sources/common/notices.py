"""What a run tells its user without failing: vendor data it could not load as sent, a permission
the key lacks, a budget spent, a status no one mapped. Vendor data never fails a load; it warns.

Each is a warning on a logger under `sequence_funnel.notices`, printed as it happens and carried
by the run's summary, on the terminal and in its JSON (pipelines.summary). Retries and progress
are not notices: the summary counts the one and the other ends with the run.
"""

from __future__ import annotations

import logging

NOTICES = "sequence_funnel.notices"


def notices(topic: str) -> logging.Logger:
    """The logger of one topic's notices (a vendor, the destination's reads, the models)."""
    return logging.getLogger(f"{NOTICES}.{topic}")
