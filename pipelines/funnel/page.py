"""`sequence-funnel report --all --html PATH`: the cross-vendor funnel as one self-contained page
(plotly.js inside it: nothing to fetch to view it), for the people who will never open a
notebook. Charts: the funnel by tool side by side, the reply rate by tool and week, the people
reached by more than one tool; tables: every sequence, the best steps."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import dlt

from pipelines.funnel.report import HEADER, CrossVendorFunnel, overall_lines
from pipelines.funnel.report import read as read_funnel
from sources.common.vendors import specs, titles

# Fonts that draw Latin, CJK and emoji names alike, where the viewer has them.
FONTS = (
    "system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK JP', 'WenQuanYi Zen Hei',"
    " 'Apple Color Emoji', 'Noto Color Emoji', 'Segoe UI Emoji', Symbola, sans-serif"
)
MIN_REACHED = 10  # a week's reply rate is drawn when it reached this many people
STAGES = ("enrolled", "reached", "opened", "replied", "positive")  # the first five MEASURES


@dataclass(frozen=True)
class PageData:
    funnel: CrossVendorFunnel
    weeks: list[tuple[Any, ...]]  # tool, cohort_week, enrolled, reached, in_progress, reply %
    shared: list[tuple[Any, ...]]  # vendors, people in them, reached by several of them
    steps: list[tuple[Any, ...]]  # tool, sequence, step, people_sent, replied, reply %


def read(pipeline: dlt.Pipeline, funnel: CrossVendorFunnel) -> PageData:
    """What the page shows beyond `funnel` (the terminal report's, read once for both), of its
    workspace, or of every one (a tool's rows apart per workspace: `funnel.label`)."""
    only, given = ("and workspace = %s", (funnel.workspace,)) if funnel.workspace else ("", ())
    with pipeline.sql_client() as client:
        ds = client.fully_qualified_dataset_name()
        weeks = client.execute_sql(
            f"select vendor, workspace, cohort_week, enrolled, reached, in_progress,"
            f" reply_rate_pct from {ds}.funnel_by_cohort_week where true {only}"
            " order by vendor, workspace, cohort_week",
            *given,
        )
        shared = client.execute_sql(
            f"select vendors, count(*), count(*) filter (where tools_reached > 1)"
            f" from {ds}.people where tools > 1 {only} group by vendors order by vendors",
            *given,
        )
        steps = client.execute_sql(
            f"select vendor, workspace, sequence, step, people_sent, people_replied,"
            f" round(100.0 * people_replied / nullif(people_sent, 0), 1) as rate"
            f" from {ds}.funnel_by_step where people_sent >= 20 and people_replied > 0 {only}"
            f" order by rate desc, people_sent desc limit 15",
            *given,
        )
    by_week = [(funnel.label(v, w), *rest) for v, w, *rest in weeks or []]
    best = [(funnel.label(v, w), *rest) for v, w, *rest in steps or []]
    return PageData(funnel, by_week, [tuple(r) for r in shared or []], best)


@dataclass(frozen=True)
class Weekly:
    """One tool's reply rate by week of first enrollment, every week from its first to its last
    (a week without a cohort, or with too few reached, is None: the line breaks there)."""

    weeks: list[date]
    rates: list[float | None]  # the weeks whose people are mostly done
    still_running: list[float | None]  # the weeks whose people are mostly still in sequence


def weekly(rows: Sequence[Sequence[Any]]) -> dict[str, Weekly]:
    """From rows of `PageData.weeks`. A week whose people are mostly still in their sequence
    (active or paused) has not had its replies yet: its rate is apart, drawn as such, so that
    the newest weeks do not read as a collapse."""
    by_tool: dict[str, dict[date, Sequence[Any]]] = {}
    for row in rows:
        if row[1] is not None:
            by_tool.setdefault(str(row[0]), {})[row[1]] = row
    out = {}
    for tool, known in sorted(by_tool.items()):
        first, last = min(known), max(known)
        weeks = [first + timedelta(days=7 * k) for k in range((last - first).days // 7 + 1)]
        done: list[float | None] = []
        running: list[float | None] = []
        for week in weeks:
            _, _, enrolled, reached, in_progress, rate = known.get(week, (None,) * 6)
            drawn = rate is not None and int(reached or 0) >= MIN_REACHED
            mostly_running = drawn and 2 * int(in_progress or 0) > int(enrolled or 0)
            done.append(float(rate) if drawn and not mostly_running else None)
            running.append(float(rate) if mostly_running else None)
        out[tool] = Weekly(weeks, done, running)
    return out


def _figure(fig: Any, title: str) -> Any:
    fig.update_layout(title=title, font={"family": FONTS}, template="plotly_white",
                      margin={"l": 60, "r": 20, "t": 60, "b": 60}, height=420)  # fmt: skip
    return fig


def charts(data: PageData) -> list[Any]:
    import plotly.graph_objects as go

    names, funnel = titles(), data.funnel
    colors = {name: spec.color for name, spec in specs().items()}
    colors |= {funnel.label(v, w): colors[v] for v, w, *_ in funnel.by_vendor if v in colors}
    by_stage = go.Figure()
    for vendor, workspace, _, _, *measures in funnel.by_vendor:
        values = [None if v is None else int(v) for v in measures[: len(STAGES)]]
        by_stage.add_bar(name=funnel.label(vendor, workspace), x=list(STAGES), y=values,
                         marker_color=colors.get(vendor))  # fmt: skip
    by_stage.update_layout(barmode="group", yaxis_title="people (once per sequence)")

    by_week = go.Figure()
    for title, series in weekly(data.weeks).items():
        color = colors.get(title)
        if any(r is not None for r in series.rates):
            by_week.add_scatter(name=title, mode="lines+markers", x=series.weeks,
                                y=series.rates, line_color=color, connectgaps=False)  # fmt: skip
        if any(r is not None for r in series.still_running):
            hollow = {"color": color, "symbol": "circle-open", "size": 9}
            by_week.add_scatter(name=f"{title}, still in sequence", mode="markers",
                                x=series.weeks, y=series.still_running, marker=hollow)  # fmt: skip
    by_week.update_layout(xaxis_title="week first enrolled", yaxis_title="reply rate, % of reached",
                          xaxis_type="date")  # fmt: skip

    shared = go.Figure()
    labels = [" + ".join(names.get(v, v) for v in str(s[0]).split(",")) for s in data.shared]
    shared.add_bar(name="enrolled in each", x=labels, y=[int(s[1]) for s in data.shared])
    shared.add_bar(name="reached by several", x=labels, y=[int(s[2]) for s in data.shared])
    shared.update_layout(barmode="group", yaxis_title="people")
    return [
        _figure(by_stage, "The funnel by tool"),
        _figure(
            by_week,
            f"Reply rate by tool and week (weeks that reached {MIN_REACHED} or more;"
            " open marks: most of the week's people are still in their sequence)",
        ),
        _figure(shared, "People in more than one tool"),
    ]


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


STYLE = f"""
body {{ font-family: {FONTS}; margin: 2rem auto; max-width: 1100px; color: #222; }}
table {{ border-collapse: collapse; margin: 1rem 0 2rem; font-size: 0.9rem; }}
th, td {{ padding: 0.3rem 0.6rem; border-bottom: 1px solid #ddd; text-align: right; }}
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) {{ text-align: left; }}
.chart {{ margin: 1rem 0 2rem; }}
"""


def render(views: Sequence[tuple[str, PageData]], generated: datetime | None = None) -> str:
    """One HTML document: plotly.js once, inline, then each view's charts and tables. `views`:
    the funnel as a whole (name ""), then, where there are several workspaces, each one's; a
    filter at the top shows one view at a time."""
    when = (generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>sequence-funnel: one funnel across tools</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>One funnel across tools</h1>",
        f"<p><small>Generated {when} by sequence-funnel (a person counts once per sequence;"
        " n/a: the tool does not give it).</small></p>",
    ]  # fmt: skip
    if len(views) > 1:
        options = "".join(f'<option value="{html.escape(n)}">{html.escape(n or "every workspace")}'
                          "</option>" for n, _ in views)  # fmt: skip
        parts.append(f'<p><label>Workspace <select id="workspace">{options}</select></label></p>')
    for k, (name, data) in enumerate(views):
        hidden = " hidden" if k else ""
        parts.append(f'<section class="view" data-workspace="{html.escape(name)}"{hidden}>')
        parts += _view(data, prefix="chart-" if not k else f"chart-{k}-", plotly_js=not k)
        parts.append("</section>")
    if len(views) > 1:
        parts.append(f"<script>{FILTER}</script>")
    parts.append("</body></html>")
    return "\n".join(parts)


# Shows the chosen workspace's view, then lets plotly redraw the charts it revealed at their size
FILTER = """
document.getElementById("workspace").addEventListener("change", (event) => {
  for (const view of document.querySelectorAll("section.view")) {
    view.hidden = view.dataset.workspace !== event.target.value;
  }
  window.dispatchEvent(new Event("resize"));
});
"""


def _view(data: PageData, prefix: str, plotly_js: bool) -> list[str]:
    """A view's summary, charts (their ids `<prefix><k>`) and tables."""
    import plotly.io as pio

    divs = [
        pio.to_html(fig, full_html=False, include_plotlyjs=plotly_js and k == 0,
                    div_id=f"{prefix}{k}", config={"displaylogo": False, "responsive": True})
        for k, fig in enumerate(charts(data))
    ]  # fmt: skip
    summary = ". ".join(overall_lines(data.funnel)) + "."
    funnel = data.funnel
    sequences = [(funnel.label(v, w), s or "(unknown)", *m) for v, w, s, *m in funnel.by_sequence]
    return [
        f"<p>{html.escape(summary)}</p>",
        *[f'<div class="chart">{div}</div>' for div in divs],
        "<h2>By sequence</h2>", _table(("tool", "sequence", *HEADER), sequences),
        "<h2>The best steps (reply rate of the people a step emailed, 20 or more)</h2>",
        _table(("tool", "sequence", "step", "people sent", "replied", "reply %"), data.steps),
    ]  # fmt: skip


def write(pipeline: dlt.Pipeline, funnel: CrossVendorFunnel, path: str) -> Path:
    """Whole or not at all: a half-written page is never left at `path`. With several
    workspaces (and none chosen), the page has a view of each beside the whole."""
    views = [(funnel.workspace or "", read(pipeline, funnel))]
    names = sorted({w for _, w, *_ in funnel.by_vendor})
    if funnel.workspace is None and len(names) > 1:
        views += [(n, read(pipeline, read_funnel(pipeline, n))) for n in names]
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(render(views), encoding="utf-8")
    partial.replace(target)
    return target
