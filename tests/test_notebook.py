"""The analyst notebook, executed top to bottom on a file holding every vendor's dataset."""

from __future__ import annotations

import os
from pathlib import Path

from pipelines import funnel
from tests.instantly.loading import instantly_loader
from tests.sequenzy.loading import sequenzy_loader
from tests.support.cli import ROOT
from tests.unify.loading import BULK
from tests.unify.loading import Loader as UnifyLoader

# The fonts `make setup` installs for the notebook's CJK and emoji names (Debian packages)
FONTS_INSTALLED = all(
    Path(p).exists() for p in ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
                               "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf")
)  # fmt: skip
CHARTS = ("funnel_by_sequence", "cohort_heatmap", "step_dropoff", "reply_time",
          "instantly_funnel_by_campaign", "instantly_step_variants", "instantly_interest",
          "sequenzy_funnel_by_sequence", "sequenzy_steps", "sequenzy_cohorts",
          "across_funnel_by_vendor", "across_reply_rate_by_week",
          "across_people_in_several_tools")  # fmt: skip


def test_the_notebook_runs_top_to_bottom_and_draws_its_charts(unify, instantly, sequenzy, tmp_path):
    import nbclient
    import nbformat

    unify_load = UnifyLoader(tmp_path, unify(enrollments=1500, shared_people=150).base_url)
    unify_load.run(**BULK)  # the CLI's default first load
    warehouse = unify_load.warehouse
    instantly_load = instantly_loader(
        tmp_path, instantly(leads=800, shared_people=150).base_url, warehouse
    )
    instantly_load.run()
    sequenzy_load = sequenzy_loader(
        tmp_path, sequenzy(enrollments=600, shared_people=150).base_url, warehouse
    )
    sequenzy_load.run()
    funnel.build(warehouse.destination(), pipelines_dir=str(tmp_path / "pipelines"))  # all three
    for view in ("unify.funnel_by_sequence", "unify.funnel_by_cohort_week", "unify.step_funnel",
                 "instantly.funnel_by_campaign", "instantly.step_variant_funnel",
                 "sequenzy.funnel_by_sequence", "sequenzy.funnel_by_step",
                 "sequenzy.funnel_by_cohort_week", "funnel.funnel_by_vendor",
                 "funnel.funnel_by_cohort_week"):  # fmt: skip
        assert warehouse.rows(f"select count(*) from {view}")[0][0] > 0, view  # every chart's data
    assert warehouse.rows("select count(*) from funnel.people where tools_reached > 1")[0][0] > 0
    medians = warehouse.rows("select median_hours from unify.time_to_first_reply")
    assert medians and all(m is not None for (m,) in medians)  # not "median nan h"
    charts = tmp_path / "charts"
    notebook = nbformat.read(ROOT / "notebooks" / "funnel_report.ipynb", as_version=4)
    env = {"FUNNEL_DB": warehouse.path, "FUNNEL_CHARTS": str(charts), "MPLBACKEND": "Agg"}
    previous = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        client = nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3",
                                         resources={"metadata": {"path": str(ROOT)}})  # fmt: skip
        client.execute()
    finally:
        for k, v in previous.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    printed = "".join(
        str(output.get("text", "")) for cell in notebook.cells for output in cell.get("outputs", [])
    )
    if FONTS_INSTALLED:  # `make test` installs them where it can; PostgreSQL's way
        assert "missing from font" not in printed  # CJK and emoji names drawn, not boxes
    assert "findfont" not in printed  # every font it asks for is one it found
    assert "tools drawn: instantly, sequenzy, unify" in printed  # each tool, Sequenzy's gaps too
    for name in CHARTS:
        png = charts / f"{name}.png"
        assert png.stat().st_size > 5_000, name
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
