"""Documented shapes through a whole load and the model build, on DuckDB and PostgreSQL: a
sample of what each vendor's reference allows (nulls, absent fields, open enums, new fields,
any unicode), made coherent only where no document can say it (an enrollment names a sequence
and a person that exist), normalised as the sources do, loaded by dlt with the sources' table
contracts, then the funnel models built and tested. Nothing fails; every enrollment counts."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dlt
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pipelines import funnel
from sources.instantly import rows as instantly_rows
from sources.instantly.settings import INSTANTLY_TABLES
from sources.sequenzy import rows as sequenzy_rows
from sources.sequenzy.settings import SEQUENZY_TABLES
from sources.unify.enrollment_rows import list_enrollment_tables
from sources.unify.sequence_rows import sequence_row as unify_sequence_row
from sources.unify.settings import UNIFY_TABLES
from tests.properties.test_instantly_shapes import of as instantly_of
from tests.properties.test_sequenzy_shapes import of as sequenzy_of
from tests.properties.test_unify_shapes import of as unify_of
from tests.support.warehouses import DuckDBWarehouse

LOADS = settings(max_examples=2, deadline=None, derandomize=True, phases=[Phase.generate],
                 suppress_health_check=list(HealthCheck))  # fmt: skip


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse_factory(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Callable[[], Any]:  # fmt: skip
    """A new, empty destination for each example hypothesis draws."""
    if request.param == "duckdb":
        count = itertools.count()
        return lambda: DuckDBWarehouse(tmp_path / f"warehouse-{next(count)}.duckdb")
    request.getfixturevalue("postgres_database")  # counted, and skipped without a server
    server = request.getfixturevalue("postgres_server")
    return server.new_database


@st.composite
def sequenzy_world(draw: Any) -> dict[str, list[Any]]:
    """Sequences, their graphs and metrics, subscribers, enrollments and events, as the
    vendor's SDK types them; ids unique, and references between them resolved."""
    summaries = draw(st.lists(sequenzy_of("SequenceSummary"), min_size=1, max_size=3))
    sequences = [s | {"id": f"seq-{k}"} for k, s in enumerate(summaries)]
    people = [p | {"id": f"sub-{k}"} for k, p in
              enumerate(draw(st.lists(sequenzy_of("Subscriber"), min_size=1, max_size=6)))]  # fmt: skip
    enrollments = []
    for k, e in enumerate(draw(st.lists(sequenzy_of(
            "SequenceEnrollmentListResponseEnrollmentsItem"), min_size=1, max_size=8))):  # fmt: skip
        enrollments.append(e | {"enrollmentId": f"enr-{k}",
                                "sequenceId": sequences[k % len(sequences)]["id"],
                                "subscriberId": people[k % len(people)]["id"]})  # fmt: skip
    events = draw(st.lists(sequenzy_of("EmailEvent"), max_size=8))
    details = [draw(sequenzy_of("SequenceDetails")) for _ in sequences]
    metrics = [draw(sequenzy_of("GetSequenceMetricsResponse")) for _ in sequences]
    return {"sequences": sequences, "details": details, "metrics": metrics, "people": people,
            "enrollments": enrollments, "events": events}  # fmt: skip


def _sequenzy_tables(world: dict[str, list[Any]]) -> list[Any]:
    tagged = SEQUENZY_TABLES.tagged
    out = [tagged("sequences", [sequenzy_rows.sequence_row(s, d)
                                for s, d in zip(world["sequences"], world["details"], strict=True)])]  # fmt: skip
    for summary, details, metrics in zip(world["sequences"], world["details"], world["metrics"],
                                         strict=True):  # fmt: skip
        graph, _ = sequenzy_rows.graph_rows(summary["id"], details)
        out += [tagged(table, found) for table, found in graph.items() if found]
        row, steps = sequenzy_rows.metrics_rows(summary, metrics, "2026-12-06",
                                                "2026-12-06T00:00:00Z")  # fmt: skip
        out += [tagged("sequence_metrics", [row])] + ([tagged("sequence_step_metrics", steps)]
                                                       if steps else [])  # fmt: skip
    out.append(tagged("subscribers", sequenzy_rows.subscriber_table(world["people"])))
    out.append(tagged("enrollments", sequenzy_rows.enrollment_table(world["enrollments"])))
    first = world["sequences"][0]["id"]
    events = [e | {"subscriberId": world["people"][k % len(world["people"])]["id"]}
              for k, e in enumerate(world["events"])]  # fmt: skip
    if events:
        out.append(tagged("events", sequenzy_rows.event_table(first, events)))
    return out


@st.composite
def instantly_world(draw: Any) -> tuple[list[Any], int]:
    """Campaigns with their steps, leads in them (or in none), and their emails; and how many
    leads are in a campaign (each an enrollment)."""
    campaigns = [c | {"id": f"cmp-{k}"} for k, c in
                 enumerate(draw(st.lists(instantly_of("Campaign"), min_size=1, max_size=3)))]  # fmt: skip
    leads = []
    for k, lead in enumerate(draw(st.lists(instantly_of("Lead"), min_size=1, max_size=8))):
        campaign = campaigns[k % len(campaigns)]["id"] if k % 4 else None
        leads.append(lead | {"id": f"lead-{k}", "campaign": campaign})
    emails = [m | {"id": f"mail-{k}", "lead_id": leads[k % len(leads)]["id"],
                   "campaign_id": leads[k % len(leads)]["campaign"]}
              for k, m in enumerate(draw(st.lists(instantly_of("Email"), max_size=6)))]  # fmt: skip
    tagged = INSTANTLY_TABLES.tagged
    out = [tagged("campaigns", [instantly_rows.campaign_row(c) for c in campaigns])]
    steps = [r for c in campaigns for r in instantly_rows.campaign_step_rows(c)]
    out += [tagged("campaign_steps", steps)] if steps else []
    out.append(tagged("leads", instantly_rows.lead_table(leads)))
    if emails:
        out.append(tagged("emails", instantly_rows.email_table(emails, bodies=False)))
    return out, sum(lead["campaign"] is not None for lead in leads)


@st.composite
def unify_world(draw: Any) -> tuple[list[Any], int]:
    """Enrollments as `GET /enrollments` lists them, and the sequences they embed; and how
    many enrollments."""
    listed = draw(st.lists(unify_of("Enrollment"), min_size=1, max_size=6))
    listed = [e | {"id": f"enr-{k}"} for k, e in enumerate(listed)]
    sequences = {e["sequence"]["id"]: e["sequence"] for e in listed}
    out = list(UNIFY_TABLES.tagged_all(list_enrollment_tables(listed)))
    out.append(
        UNIFY_TABLES.tagged("sequences", [unify_sequence_row(s) for s in sequences.values()])
    )
    return out, len(listed)


def _load(warehouse: Any, tmp_path: Any, vendor: str, tables: list[Any]) -> None:
    @dlt.source(name=vendor, max_table_nesting=0)
    def shapes() -> Any:
        return dlt.resource(iter(tables), name="shapes", write_disposition="merge")

    pipeline = dlt.pipeline(pipeline_name=f"shapes_{vendor}", destination=warehouse.destination(),
                            dataset_name=vendor, pipelines_dir=str(tmp_path / "pipelines"))  # fmt: skip
    pipeline.run(shapes())


def _built(warehouse: Any, tmp_path: Path, vendor: str, tables: list[Any]) -> int:
    """Load, build the models, and say how many enrollments of `vendor` the funnel counts."""
    _load(warehouse, tmp_path, vendor, tables)
    built = funnel.build(warehouse.destination(), pipelines_dir=str(tmp_path / "pipelines"))
    assert built.status == "built"
    counted = warehouse.rows("select count(*) from funnel.enrollments where vendor = ?", [vendor])
    return int(counted[0][0])


WORLDS = {  # each vendor's tables, and how many enrollments its funnel must count
    "instantly": instantly_world(),
    "sequenzy": sequenzy_world().map(lambda w: (_sequenzy_tables(w), len(w["enrollments"]))),
    "unify": unify_world(),
}


@pytest.mark.parametrize("vendor", sorted(WORLDS))
@LOADS
@given(data=st.data())
def test_shapes_load_and_build(vendor, data, warehouse_factory, tmp_path_factory):
    tables, enrollments = data.draw(WORLDS[vendor])
    counted = _built(warehouse_factory(), tmp_path_factory.mktemp("shapes"), vendor, tables)
    assert counted == enrollments
