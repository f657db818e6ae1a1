"""The terminal report's table: columns straight whatever the names, totals that say what
they add up, `n/a` where a tool does not give a count."""

from __future__ import annotations

from rich.cells import cell_len

from pipelines.reporting import HEADER, TOTAL_LABEL, Funnel, format_report

ROWS = [
    ("Réactivation", 1302, 1270, 900, 101, 40, 12, 3, 50, 800, 8.0),
    ("Q4 Outbound \u2013 Series A founders 🚀", 800, 790, 500, 90, 33, 10, 2, 20, 500, 11.4),
    ("日本のスタートアップ向けフォローアップ", 400, 380, 200, 20, 9, 5, 1, 10, 200, 5.3),
    ("a name far too long to fit in the first column of the report at all", 10, 9, 5, 1, 0, 0,
     0, 0, 5, 11.1),
    (None, 3, 3, 1, 0, 0, 0, 0, 0, 3, None),
]  # fmt: skip
# the vendor's row of funnel_by_vendor: people, enrollments, then the measures
TOTAL = (2000, 2600, 2515, 2452, 1606, 212, 82, 27, 6, 80, 1508, 8.6)


def test_columns_line_up_in_terminal_cells_for_cjk_emoji_and_cut_names():
    lines = format_report(Funnel(ROWS, TOTAL)).splitlines()
    table = lines[:-1]
    cells = sum(max(9, len(h) + 1) for h in HEADER)  # right-aligned ASCII cells after the name
    assert len({cell_len(line[:-cells]) for line in table}) == 1, [cell_len(x) for x in table]
    assert all(line[-cells:].isascii() and line[-cells:].startswith(" ") for line in table)
    assert table[0][-cells:].split() == ["enrolled", "reached", "opened", "replied", "positive",
                                         "bounced", "unsub", "stopped", "finished", "reply", "%"]  # fmt: skip
    assert "日本のスタートアップ" in lines[3] and "🚀" in lines[2]
    assert "…" in lines[4] and "(unknown sequence)" in lines[5]


def test_the_total_is_the_vendors_row_and_people_and_enrollments_follow():
    lines = format_report(Funnel(ROWS, TOTAL)).splitlines()
    total = lines[-2]
    assert total.startswith(TOTAL_LABEL)
    assert total[len(TOTAL_LABEL) :].split() == [f"{v:,}" for v in TOTAL[2:-1]] + ["8.6"]
    assert lines[-1] == "2,000 people and 2,600 enrollments in 5 sequences"
    one = format_report(Funnel(ROWS[:1], (1, 1, *ROWS[0][1:]))).splitlines()[-1]
    assert one == "1 person and 1 enrollment in 1 sequence"


def test_a_count_the_tool_does_not_give_is_na_in_rows_and_total_and_words_are_the_vendors():
    rows = [("A", 10, 8, 6, None, None, 1, 0, 2, 5, None)]
    total = (9, 12, 10, 8, 6, None, None, 1, 0, 2, 5, None)
    lines = format_report(Funnel(rows, total, ("campaign", "lead"))).splitlines()
    assert lines[0].split()[0] == "campaign"
    assert lines[1].split() == ["A", "10", "8", "6", "n/a", "n/a", "1", "0", "2", "5"]
    assert lines[2].startswith("total (people per campaign)")
    assert lines[2].split()[-9:] == ["10", "8", "6", "n/a", "n/a", "1", "0", "2", "5"]
    assert lines[-1] == "9 people and 12 leads in 1 campaign"
