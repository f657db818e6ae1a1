"""The terminal report's table: columns straight whatever the names, totals that say what
they add up."""

from __future__ import annotations

from rich.cells import cell_len

from pipelines.reporting import TOTAL_LABEL, Funnel, format_report

ROWS = [
    ("Réactivation", 1302, 1270, 101, 40, 12, 3, 50, 800, 8.0),
    ("Q4 Outbound \u2013 Series A founders 🚀", 800, 790, 90, 33, 10, 2, 20, 500, 11.4),
    ("日本のスタートアップ向けフォローアップ", 400, 380, 20, 9, 5, 1, 10, 200, 5.3),
    ("a name far too long to fit in the first column of the report at all", 10, 9, 1, 0, 0,
     0, 0, 5, 11.1),
    (None, 3, 3, 0, 0, 0, 0, 0, 3, None),
]  # fmt: skip


def test_columns_line_up_in_terminal_cells_for_cjk_emoji_and_cut_names():
    lines = format_report(Funnel(ROWS, people=2000, enrollments=2600)).splitlines()
    table = lines[:-1]
    # nine right-aligned ASCII cells of ten after the name: the names fill the same cells
    assert len({cell_len(line[:-90]) for line in table}) == 1, [cell_len(x) for x in table]
    assert all(line[-90:].isascii() and line[-90:].startswith(" ") for line in table)
    assert table[0][-90:].split() == [
        "enrolled",
        "started",
        "replied",
        "positive",
        "bounced",
        "opt-out",
        "canceled",
        "finished",
        "reply",
        "%",
    ]
    assert "日本のスタートアップ" in lines[3] and "🚀" in lines[2]
    assert "…" in lines[4] and "(unknown sequence)" in lines[5]


def test_the_total_says_it_counts_people_per_sequence_and_people_and_enrollments_follow():
    lines = format_report(Funnel(ROWS, people=2000, enrollments=2600)).splitlines()
    total = lines[-2]
    assert total.startswith(TOTAL_LABEL)
    assert total[len(TOTAL_LABEL) :].split()[0] == f"{sum(r[1] for r in ROWS):,}"
    assert lines[-1] == "2,000 people and 2,600 enrollments in 5 sequences"
    one = format_report(Funnel(ROWS[:1], people=1, enrollments=1)).splitlines()[-1]
    assert one == "1 person and 1 enrollment in 1 sequence"


def test_a_count_not_given_is_na_and_counts_of_messages_stay_out_of_the_people_total():
    header = ("sequence", "enrolled", "sent", "opened", "replies", "open %")
    rows = [("A", 10, 8, None, 5, 50.0), ("B", 4, 4, None, None, None)]
    funnel = Funnel(rows, people=12, enrollments=14, header=header, rate=(2, 1),
                    messages=("replies",))  # fmt: skip
    lines = format_report(funnel).splitlines()
    assert lines[0].split() == ["sequence", "enrolled", "sent", "opened", "replies*", "open", "%"]
    assert lines[1].split() == ["A", "10", "8", "n/a", "5", "50.0"]
    assert lines[2].split() == ["B", "4", "4", "n/a", "n/a"]
    # people summed; opened unknown everywhere: no total, no rate; the messages: no total
    assert lines[3][len(TOTAL_LABEL) :].split() == ["14", "12"]
    assert lines[4].startswith("* replies: the vendor's own counts of messages, not people")
    assert lines[-1] == "12 people and 14 enrollments in 2 sequences"
