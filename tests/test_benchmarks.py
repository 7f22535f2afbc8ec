"""The performance page and chart writer, on made-up results (no timing here)."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET

from benchmarks import report
from benchmarks.run import Cell, alternate
from benchmarks.subscriptions import verdict

SVG = "{http://www.w3.org/2000/svg}"


def cell(cpu: float, trips: int) -> dict:
    return {"trips": trips, "cpu_ms": cpu, "rps": 500.0, "p50": 10.0, "p99": 30.0}


def results() -> dict:
    fan = {"events": 30, "cursors": 1, "connect_s": 3.0, "error": None}
    return {
        "meta": {
            "date": "2026-01-01 00:00 UTC",
            "duration": "1 min 2 s",
            "machine": "Linux, Some <CPU> & co, 2 CPUs",
            "database": "the embedded SecantusDB",
            "command": "python -m benchmarks.run --quick",
            "requests": 100,
            "concurrency": 8,
            "rounds": 1,
        },
        "queries": [
            {
                "query": "one user by id",
                "as": "anonymous",
                "floor": cell(1.0, 1),
                "graphql_api": cell(1.4, 1),
                "tutorial": cell(4.0, 1),
            },
            {
                "query": "users > posts > author",
                "as": "signed in (admin)",
                "floor": cell(2.0, 3),
                "graphql_api": cell(9.0, 3),
                "tutorial": cell(80.0, 61),
            },
            {
                "query": "50 posts with authors",
                "as": "signed in",
                "floor": cell(2.0, 2),
                "graphql_api": cell(3.5, 3),
                "tutorial": cell(30.0, 51),
            },
        ],
        "fan_out": [
            {
                **fan,
                "subscribers": 100,
                "p50": 5.0,
                "p99": 9.0,
                "max": 9.0,
                "memory_per_subscriber": 4000.0,
            },
            {
                **fan,
                "subscribers": 1000,
                "p50": 50.0,
                "p99": 90.0,
                "max": 95.0,
                "memory_per_subscriber": 5000.0,
            },
            {
                **fan,
                "subscribers": 10000,
                "events": 0,
                "cursors": None,
                "p50": None,
                "p99": None,
                "max": None,
                "memory_per_subscriber": None,
                "connect_s": None,
                "error": "3 of 10000 could not subscribe: {'closed 4429': 3}",
            },
        ],
    }


def test_the_chart_is_well_formed_svg_with_a_bar_per_server_and_query(tmp_path):
    page, chart = report.write(results(), tmp_path)
    root = ET.parse(chart).getroot()
    assert root.tag == f"{SVG}svg"
    assert float(root.get("height")) > 300
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("fill") in report.COLOURS.values()]
    assert len(bars) >= 3 * 3  # three servers for each of three rows (and the legend)
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Some <CPU> & co" in texts  # escaped on the way in, intact on the way out
    assert "failed" in texts  # the 10,000 row failed and says so
    assert "target 100" in texts and "target 1,000" in texts
    assert page.read_text().startswith("# Performance")


def test_the_page_says_which_targets_hold():
    page = report.markdown(results())
    assert "| 1 of 3 rows |" in page  # CPU: only the first row is within 1.5x
    assert "| 2 of 3 rows |" in page  # round trips: the third row has one too many
    assert "1.40 PASS" in page and "4.50 FAIL" in page
    assert "3 / 2 FAIL" in page
    assert (
        "| 1,000 subscribers of one feed get a new post with p99 < 100 ms from the write's "
        "acknowledgement | PASS |" in page
    )
    assert "< 10 KB of server memory per idle subscriber | FAIL: 3 of 10000" in page
    assert "python -m benchmarks.run --quick" in page
    assert "(performance.svg)" in page
    # Every table row has as many cells as its header.
    lines = page.splitlines()
    for n, line in enumerate(lines):
        if line.startswith("|---"):
            width = lines[n - 1].count("|")
            for row in lines[n + 1 :]:
                if not row.startswith("|"):
                    break
                assert row.count("|") == width, row


def test_the_ratio_to_the_floor_pairs_the_cells_of_each_round():
    """A round where the machine is busy slows both its cells; the ratio of the
    medians would pair graphql_api's calm round with the floor's busy one."""
    row = {
        "query": "one user by id",
        "as": "anonymous",
        "floor": {**cell(1.1, 1), "cpu_rounds": [1.0, 2.0, 1.1]},
        "graphql_api": {**cell(1.5, 1), "cpu_rounds": [1.4, 2.8, 1.5]},
        "tutorial": {**cell(4.0, 1), "cpu_rounds": [4.0, 8.0, 4.4]},
    }
    assert report.round_ratios(row, "graphql_api") == [1.4, 1.4, 1.5 / 1.1]
    assert report.cpu_ratio(row, "graphql_api") == 1.4  # not 1.5 / 1.1 = 1.36
    assert report.query_verdict(row)["ratio"] == 1.4
    assert "| 1.40 (1.36-1.40) PASS |" in "\n".join(report.targets_table([row]))
    assert report.cpu_ratio(row, "tutorial") == 4.0
    single = {**row, "floor": cell(2.0, 1), "graphql_api": cell(3.0, 1)}
    assert report.cpu_ratio(single, "graphql_api") == 1.5


def test_fan_out_rows_are_judged_against_the_issue():
    rows = results()["fan_out"]
    assert verdict(rows[0]) == "-"  # no target at 100
    assert verdict(rows[1]) == "PASS"
    assert verdict(rows[2]).startswith("FAIL: 3 of 10000")
    slow = {**rows[1], "p99": 150.0}
    assert verdict(slow) == "FAIL: p99 >= 100 ms"


def test_instructions_are_shown_where_the_run_counted_them():
    counted = results()
    assert "Instructions per request" not in report.markdown(counted)
    counted["queries"][0]["instructions"] = {"floor": 1.10, "graphql_api": 1.60}
    page = report.markdown(counted)
    assert "### Instructions per request" in page
    assert "| one user by id | anonymous | 1.10 | 1.60 | 1.45 |" in page
    assert "| users > posts > author |" not in page.split("### Instructions per request")[1]


def test_the_cells_of_a_round_are_timed_in_alternating_slices():
    """Each cell's slices take turns with the other servers', each turn starting one cell
    further on, after every cell has warmed up; they add up to the cell's requests and
    seconds."""
    order: list[tuple[str, str]] = []

    class Recorded(Cell):
        def __init__(self, name: str) -> None:
            super().__init__("http://unused", 0, ("GET", "/", None), 1, None)
            self.name, self.asked = name, []

        async def warm_up(self) -> None:
            order.append((self.name, "warm"))

        async def slice(self, total: int, min_seconds: float = 0.0) -> None:
            order.append((self.name, "slice"))
            self.asked.append((total, min_seconds))

        def result(self) -> dict:
            return {"name": self.name, "asked": self.asked}

    cells = [Recorded("floor"), Recorded("ours"), Recorded("tutorial")]
    results = asyncio.run(alternate(cells, 200, 2.0, 4))
    assert order == [("floor", "warm"), ("ours", "warm"), ("tutorial", "warm")] + [
        (name, "slice")
        for names in (
            ("floor", "ours", "tutorial"),  # each slice starts one further on
            ("ours", "tutorial", "floor"),
            ("tutorial", "floor", "ours"),
            ("floor", "ours", "tutorial"),
        )
        for name in names
    ]
    assert [r["name"] for r in results] == ["floor", "ours", "tutorial"]
    assert all(r["asked"] == [(50, 0.5)] * 4 for r in results)


def test_a_ratio_just_over_the_target_does_not_print_as_the_target():
    assert report.ratio_text(1.5023) == "1.502"
    assert report.ratio_text(1.4981) == "1.498"
    assert report.ratio_text(1.5) == "1.50"
    assert report.ratio_text(1.4623) == "1.46"
