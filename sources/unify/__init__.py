"""dlt source for the Unify Sequences API v1: enrollments and everything they point to.

One resource per table family, so that `unify_source().with_resources("sequences")` loads just
those tables:

- `sequences`: sequences and sequence_steps (sequences.py);
- `enrollments`: enrollments, persons, mailboxes, plays, reply_email_messages,
  reply_email_classifications, enrollment_history, and what a bulk backfill adds (companies,
  person_companies, company_descriptions, mailbox_routing) (enrollments.py);
- `enrollment_steps`: enrollment_steps through Bulk API query jobs (enrollment_steps.py).

Every high-water mark lives in dlt state, which is committed together with the loaded data, so
it never gets ahead of what was loaded.
"""

from __future__ import annotations

from dlt.sources import DltResource

from sources.common.configuration import merged_resources, settings_source
from sources.common.stats import RunStats
from sources.unify.enrollment_steps import enrollment_steps
from sources.unify.enrollments import enrollments
from sources.unify.extraction import UnifyRun, UnifySettings
from sources.unify.sequences import sequences


@settings_source(UnifySettings)
def unify_source(settings: UnifySettings, stats: RunStats) -> list[DltResource]:
    """The Unify tables, in three resources (see the module's docstring); its arguments are the
    fields of UnifySettings. `run_stats`, when given, counts this instance's requests and
    retries (the runner's summary reads it)."""
    resources = merged_resources(UnifyRun(settings, stats), sequences, enrollments,
                                 enrollment_steps)  # fmt: skip
    resources[-1].selected = settings.enrollment_steps
    return resources
