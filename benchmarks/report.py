"""docs/performance.md and docs/performance.svg from one run's results.

Kept apart from the measuring so that it can be checked on made-up results
(tests/test_benchmarks.py) and so that the chart needs no plotting library:
the SVG is written by hand, bars and lines on fixed scales.

`results` is a dict: `meta` (date, machine, command, settings), `queries`
(one row per query and identity, each with `floor`, `graphql_api`, `tutorial`
measurements: trips, cpu_ms, rps, p50, p99) and `fan_out` (the rows of
`benchmarks.subscriptions`).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from pathlib import Path
from xml.sax.saxutils import escape

from benchmarks.subscriptions import MEMORY_TARGET, TARGETS, memory_cell, verdict

CPU_TARGET = 1.5  # graphql_api server CPU per request, at most this times the floor's
SERVERS = ("floor", "graphql_api", "tutorial")
COLOURS = {"floor": "#8c8c8c", "graphql_api": "#2f6fb3", "tutorial": "#e08a2c"}
FAIL, PASS = "#c0392b", "#2e8540"


def round_ratios(row: dict, server: str) -> list[float]:
    """`server`'s CPU per request over the floor's, in each round: the two cells of a
    round are measured within seconds of each other, under the same load."""
    pairs = zip(row[server].get("cpu_rounds", ()), row["floor"].get("cpu_rounds", ()), strict=False)
    return [mine / floor if floor else math.inf for mine, floor in pairs]


def ratio_text(ratio: float) -> str:
    """Two decimals, or three where two would print the target for a ratio beside it:
    a 1.5023 that fails should not read "1.50"."""
    text = f"{ratio:.2f}"
    if text == f"{CPU_TARGET:.2f}" and ratio != CPU_TARGET:
        return f"{ratio:.3f}"
    return text


def cpu_ratio(row: dict, server: str) -> float:
    """The median over the rounds of `round_ratios`: a machine that slows down or
    speeds up between rounds moves both cells of a round, and not their ratio (the
    ratio of the medians could pair one server's busy round with the other's calm
    one). One round, or figures without rounds: the ratio of the figures."""
    ratios = round_ratios(row, server)
    if ratios:
        return statistics.median(ratios)
    floor = row["floor"]["cpu_ms"]
    return row[server]["cpu_ms"] / floor if floor else math.inf


def query_verdict(row: dict) -> dict:
    """The ratio to the floor and whether the issue's two targets hold for this row."""
    api, floor = row["graphql_api"], row["floor"]
    ratio = cpu_ratio(row, "graphql_api")
    trips_ok = api["trips"] == floor["trips"]
    return {"ratio": ratio, "cpu_ok": ratio <= CPU_TARGET, "trips_ok": trips_ok}


def _label(row: dict) -> str:
    return f"{row['query']} ({row['as']})"


# --- markdown ----------------------------------------------------------------

NOTES = (
    "The machine may be shared (the development one is: two cores, other work running), so "
    "two runs differ by more than two servers in one run: judge the ratios, and their range "
    "over the rounds.",
    "Latency and req/s include the database: the embedded SecantusDB is slow at sorting and "
    "scanning, which is why the floor itself serves 50 posts at a few dozen requests a second. "
    "Server CPU per request is the server's own work and the figure the target is about.",
    "Every load client asks for uncompressed answers (`Accept-Encoding: identity`): the "
    "floor and the tutorial app never compress, and graphql_api would compress its larger "
    "answers with zstd for what httpx accepts by default. That is work the others would not "
    "do: about 15 µs per answer of a few KB, 3% of 50 posts' CPU in one A/B run.",
    "DB round trips are those of a typical request: the median of five single requests after "
    "the warm-up. A signed-in session is looked up again once a minute "
    "(`SESSION_CACHE_SECONDS`) and its expiry slid now and then (one more round trip in "
    "thousands of requests), which a single sample could hit.",
    "The floor answers `users > posts > author` with one aggregation (`$lookup` for the "
    "posts) and one query for the authors; graphql_api loads each level with one query.",
    "The floor asks the database for the same work as graphql_api. For the filtered page both "
    "name the `category_price` index: the embedded server's planner, left to itself, bounds a "
    "Decimal128 range wrongly (with a 60.00 and a 6E+1 added, `price <= 60` found 12 of 14), so a "
    "correct endpoint must. That walk is slower at the database, and a slower database costs "
    "server CPU per request too (fewer requests per event-loop turn, the cores shared with the "
    "database): graphql_api's CPU per page was 1.77 ms against the hinted database and 1.04 ms "
    "against the unhinted one, in one A/B run.",
    "Fan-out clients run in their own processes but on the same machine: the delay to the last "
    "subscriber includes the time the client processes take to read their frames, on cores "
    "they share with the server and the database. With 30 timed events, p99 is the slowest "
    "one or two.",
)


def queries_table(rows: list[dict]) -> list[str]:
    lines = [
        "| query | as | server | DB round trips | server CPU ms/req | CPU / floor "
        "| req/s | p50 ms | p99 ms |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        for server in SERVERS:
            m = row[server]
            ratio = cpu_ratio(row, server)
            lines.append(
                f"| {row['query']} | {row['as']} | {server} | {m['trips']} | "
                f"{m['cpu_ms']:.2f} | {ratio_text(ratio)} | {m['rps']:.0f} | {m['p50']:.1f} | "
                f"{m['p99']:.1f} |"
            )
    return lines


def targets_table(rows: list[dict]) -> list[str]:
    lines = [
        f"| query | as | graphql_api CPU / floor (target <= {CPU_TARGET}; rounds' range) | "
        "round trips graphql_api / floor (target: equal) | tutorial CPU / floor | met |",
        "|---|---|---:|---:|---:|---|",
    ]
    for row in rows:
        v = query_verdict(row)
        tutorial = cpu_ratio(row, "tutorial")
        met = "PASS" if v["cpu_ok"] and v["trips_ok"] else "FAIL"
        each = round_ratios(row, "graphql_api")
        spread = f" ({min(each):.2f}-{max(each):.2f})" if len(each) > 1 else ""
        lines.append(
            f"| {row['query']} | {row['as']} | {ratio_text(v['ratio'])}{spread} "
            f"{'PASS' if v['cpu_ok'] else 'FAIL'} | {row['graphql_api']['trips']} / "
            f"{row['floor']['trips']} {'PASS' if v['trips_ok'] else 'FAIL'} | "
            f"{tutorial:.2f} | {met} |"
        )
    return lines


def instructions_table(rows: list[dict]) -> list[str]:
    """Instructions per request (`benchmarks.instructions`), where the run counted them."""
    lines = [
        "| query | as | floor M instructions/req | graphql_api M instructions/req | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    for row in rows:
        counted = row.get("instructions")
        if counted:
            lines.append(
                f"| {row['query']} | {row['as']} | {counted['floor']:.2f} | "
                f"{counted['graphql_api']:.2f} | {counted['graphql_api'] / counted['floor']:.2f} |"
            )
    return lines


def _fan_out_table(rows: list[dict]) -> list[str]:
    lines = [
        "| subscribers | timed events | change-stream cursors | p50 ms | p99 ms | max ms "
        "| memory per idle subscriber (floor) | server CPU ms per event "
        "| clients' CPU ms per event "
        "| target | met |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    for row in rows:
        n = row["subscribers"]
        target = []
        if n in TARGETS:
            target.append(f"p99 < {TARGETS[n][1]:,.0f} ms")
        if n == 10000:
            target.append(f"< {MEMORY_TARGET / 1000:.0f} KB/subscriber")
        lines.append(
            f"| {n:,} | {row['events']} | {'-' if row['cursors'] is None else row['cursors']} "
            f"| {ms(row['p50'])} | {ms(row['p99'])} | {ms(row.get('max'))} | "
            f"{memory_cell(row)} | "
            f"{ms(row.get('server_cpu_ms'))} | {ms(row.get('clients_cpu_ms'))} | "
            f"{', '.join(target) or '-'} | {verdict(row).replace('|', '/')} |"
        )
    return lines


def markdown(results: dict) -> str:
    meta, rows, fan = results["meta"], results["queries"], results["fan_out"]
    verdicts = [query_verdict(r) for r in rows]
    cpu_met = sum(v["cpu_ok"] for v in verdicts)
    trips_met = sum(v["trips_ok"] for v in verdicts)
    measured = {r["subscribers"]: r for r in fan}

    def fan_met(count: int) -> str:
        row = measured.get(count)
        return "not measured in this run" if row is None else verdict(row).replace("|", "/")

    out = [
        "# Performance",
        "",
        f"Generated by `{meta['command']}` on {meta['date']} ({meta['duration']}). "
        "Do not edit by hand: rerun the command.",
        "",
        f"Machine: {meta['machine']}. Database: {meta['database']}.",
        "",
        "![Server CPU per request against the floor and the tutorial way; fan-out delay "
        "against subscribers](performance.svg)",
        "",
        "## Targets (issue 14)",
        "",
        "| target | met |",
        "|---|---|",
        f"| server CPU per request <= {CPU_TARGET}x the hand-written floor, every read query, "
        f"anonymous and signed in | {cpu_met} of {len(rows)} rows |",
        f"| MongoDB round trips per request equal to the floor's | {trips_met} of {len(rows)} "
        "rows |",
        "| 1,000 subscribers of one feed get a new post with p99 < 100 ms from the write's "
        f"acknowledgement | {fan_met(1000)} |",
        "| 10,000 subscribers on one server process are held with p99 < 1 s and < 10 KB of "
        f"server memory per idle subscriber | {fan_met(10000)} |",
        "",
        "## Read queries",
        "",
        f"{meta['requests']} requests per cell and round, and more until "
        f"{meta.get('min_seconds', 0):g} s have passed (a cheap query's few hundred requests "
        f"are a fraction of a second of CPU), {meta['concurrency']} at a time, "
        f"{meta['rounds']} round(s) interleaved across the servers"
        + (
            f", each cell of a round cut into {meta['slices']} slices taken in turn with the "
            "other servers' (each turn starting one server further on), so that a busy moment "
            "of the shared machine falls on all of them"
            if meta.get("slices", 1) > 1
            else ""
        )
        + "; each figure is the median "
        "of the rounds, and each ratio to the floor the median of the rounds' ratios (the "
        "cells of a round are measured side by side, under the same load; the range of the "
        "ratio over the rounds says how noisy). *floor*: "
        "hand-written Starlette endpoints on raw PyMongo, batched by "
        "hand; *tutorial*: a Strawberry app in the tutorial style (one query per relation, "
        "Beanie, no caches); both serve anonymous requests only, so the signed-in rows compare "
        "graphql_api signed in (a bearer token, an admin) with the same anonymous floor. The "
        "user list is for administrators only: it is measured signed in.",
        "",
        *targets_table(rows),
        "",
        *queries_table(rows),
        "",
        *_instructions_section(rows),
        "## Subscription fan-out",
        "",
        "Subscribers to `postPublished` on one fresh server process per row, connected from "
        f"separate client processes (at most {meta.get('clients', 4)}, "
        f"{meta.get('per_client', 250)} subscribers each before another starts). The delay "
        "runs from the acknowledgement of `insert_one` to the arrival of the post at the "
        "*last* subscriber (CLOCK_MONOTONIC, the same clock in every process), one event at "
        "a time. Memory: the server's resident memory (VmRSS) with every subscriber connected "
        "and idle, minus the same before they connected, after a garbage collection in the "
        "server, divided by their number; in brackets, the same clients on the floor: a bare "
        "Starlette WebSocket under the same uvicorn (WebSockets as `graphql-api serve` runs "
        "them: sans-I/O, no per-message deflate) that only acknowledges `connection_init`, "
        "i.e. what one socket costs before any GraphQL. Cursors: the database's open cursors "
        "with the "
        "subscribers connected minus with none. CPU per event: over the timed events, the "
        "server process's and the client processes' together (all share the machine's cores).",
        "",
        *_fan_out_table(fan),
        "",
        "## Reproduce",
        "",
        "```sh",
        "make bench                         # python -m benchmarks.run: this page and the chart",
        "python -m benchmarks.run --quick   # a smoke run: 100 requests, 100/1,000 subscribers",
        "python -m benchmarks.run --save r.json; python -m benchmarks.report r.json  # re-render",
        "make bench-subscriptions           # the fan-out rows alone, printed",
        "python -m benchmarks.instructions  # instructions per request under callgrind",
        "```",
        "",
        "The embedded database starts in a temporary folder unless `MONGODB_URL` is set. "
        "Every server is a process of its own and every load client another, so the CPU "
        "(the process's CPU clock, in nanoseconds) and memory (`/proc/<pid>/status`) are the "
        "server's alone; "
        "round trips are the MongoDB commands the server sent per request (a command "
        "listener). Absolute figures depend on the machine and on what else runs on it: "
        "compare the ratios, which come from the same run.",
        "",
    ]
    out += ["## Reading the figures", "", *(f"- {note}" for note in NOTES), ""]
    return "\n".join(out)


def _instructions_section(rows: list[dict]) -> list[str]:
    if not any(row.get("instructions") for row in rows):
        return []
    return [
        "### Instructions per request",
        "",
        "The same servers and data under valgrind's callgrind (`--instructions`, "
        "`benchmarks/instructions.py`): the machine instructions each server executes per "
        "request, over 200 requests sent one at a time after a warm-up. Unlike CPU time on a "
        "shared machine this does not move between runs (same code, same count), so it is "
        "the figure to compare two versions by; it is not time (C code such as BSON decoding "
        "does more per instruction than the interpreter, a cache miss costs more than an "
        "add), and the target above is about time.",
        "",
        *instructions_table(rows),
        "",
    ]


# --- SVG ---------------------------------------------------------------------


def _text(x: float, y: float, body: str, size: int = 12, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}"{extra}>{escape(body)}</text>'


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(value))
    for mult in (1, 2, 2.5, 5, 10):
        if mult * step >= value:
            return mult * step
    return 10 * step


def _cpu_panel(rows: list[dict], top: float, width: float) -> tuple[list[str], float]:
    left, right = 200.0, width - 150
    bar, gap = 11.0, 16.0
    group = 3 * bar + gap
    # The scale fits the floor, graphql_api and the target: the comparison that
    # matters. Longer bars (the tutorial way, usually) are cut, their value printed.
    peak = max(
        [max(row["graphql_api"]["cpu_ms"], CPU_TARGET * row["floor"]["cpu_ms"]) for row in rows]
        + [0.001]
    )
    scale_max = _nice_max(1.3 * peak)

    def x(value: float) -> float:
        return left + (right - left) * min(value, scale_max) / scale_max

    parts = [
        _text(20, top + 16, "Server CPU per request (ms): lower is better", 15, font_weight="bold"),
    ]
    legend_y = top + 36
    lx = 20.0
    for server in SERVERS:
        parts.append(
            f'<rect x="{lx:.1f}" y="{legend_y - 9:.1f}" width="12" height="10" '
            f'fill="{COLOURS[server]}"/>'
        )
        parts.append(_text(lx + 16, legend_y, server, 12))
        lx += 110
    parts.append(
        f'<line x1="{lx:.1f}" y1="{legend_y - 10:.1f}" x2="{lx:.1f}" y2="{legend_y + 1:.1f}" '
        f'stroke="{FAIL}" stroke-width="2" stroke-dasharray="3,2"/>'
    )
    parts.append(_text(lx + 6, legend_y, f"target: {CPU_TARGET}x floor", 12))
    y = top + 56
    axis_top = y
    for row in rows:
        v = query_verdict(row)
        ok = v["cpu_ok"] and v["trips_ok"]
        parts.append(_text(left - 28, y + bar, row["query"], 12, text_anchor="end"))
        parts.append(
            _text(left - 28, y + 2 * bar + 3, row["as"], 11, text_anchor="end", fill="#555")
        )
        parts.append(
            _text(
                left - 8,
                y + 1.5 * bar + 4,
                "✓" if ok else "✗",
                14,
                text_anchor="end",
                fill=PASS if ok else FAIL,
                font_weight="bold",
            )
        )
        for i, server in enumerate(SERVERS):
            value = row[server]["cpu_ms"]
            by = y + i * bar
            parts.append(
                f'<rect x="{left:.1f}" y="{by:.1f}" width="{max(x(value) - left, 0.5):.1f}" '
                f'height="{bar - 1:.1f}" fill="{COLOURS[server]}"/>'
            )
            label = f"{value:.2f}"
            if server == "graphql_api":
                label += f" ({ratio_text(v['ratio'])}x floor)"
            if value > scale_max:  # cut: a white zigzag across the end, and the value
                label += " (off scale)"
                parts.append(
                    f'<path d="M{right - 14:.1f},{by - 1:.1f} l4,{bar / 2:.1f} l-4,{bar / 2:.1f} '
                    f'm8,{-bar:.1f} l4,{bar / 2:.1f} l-4,{bar / 2:.1f}" stroke="white" '
                    'stroke-width="2" fill="none"/>'
                )
            parts.append(
                _text(
                    x(value) + 4,
                    by + bar - 2,
                    label,
                    10,
                    fill=FAIL if "x floor" in label and not v["cpu_ok"] else "#333",
                )
            )
        tx = x(CPU_TARGET * row["floor"]["cpu_ms"])
        parts.append(
            f'<line x1="{tx:.1f}" y1="{y - 2:.1f}" x2="{tx:.1f}" y2="{y + 3 * bar + 1:.1f}" '
            f'stroke="{FAIL}" stroke-width="2" stroke-dasharray="3,2"/>'
        )
        y += group
    # The axis, ticks every fifth of the scale.
    parts.append(
        f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" stroke="#333"/>'
    )
    for k in range(6):
        value = scale_max * k / 5
        tx = x(value)
        parts.append(
            f'<line x1="{tx:.1f}" y1="{axis_top:.1f}" x2="{tx:.1f}" y2="{y:.1f}" '
            'stroke="#ddd" stroke-width="0.5"/>'
        )
        parts.append(_text(tx, y + 14, f"{value:g}", 10, text_anchor="middle"))
    parts.append(
        _text((left + right) / 2, y + 30, "ms of server CPU per request", 11, text_anchor="middle")
    )
    return parts, y + 40


def _fan_panel(rows: list[dict], top: float, width: float) -> tuple[list[str], float]:
    left, right, height = 110.0, width - 60, 200.0
    low, high = 1.0, 10_000.0
    values = [r[k] for r in rows for k in ("p50", "p99") if r.get(k)]
    if values:
        high = max(high, 10 ** math.ceil(math.log10(max(values))))
    plot_top, plot_bottom = top + 56, top + 56 + height

    def y(ms: float) -> float:
        ms = min(max(ms, low), high)
        span = math.log10(high) - math.log10(low)
        return plot_bottom - height * (math.log10(ms) - math.log10(low)) / span

    parts = [
        _text(
            20,
            top + 16,
            "Fan-out: write acknowledged → delivered to every subscriber (ms, log scale)",
            15,
            font_weight="bold",
        )
    ]
    decade = low
    while decade <= high:
        parts.append(
            f'<line x1="{left:.1f}" y1="{y(decade):.1f}" x2="{right:.1f}" y2="{y(decade):.1f}" '
            'stroke="#ddd" stroke-width="0.5"/>'
        )
        parts.append(_text(left - 6, y(decade) + 4, f"{decade:,.0f}", 10, text_anchor="end"))
        decade *= 10
    parts.append(
        f'<line x1="{left:.1f}" y1="{plot_bottom:.1f}" x2="{right:.1f}" y2="{plot_bottom:.1f}" '
        'stroke="#333"/>'
    )
    n = max(len(rows), 1)
    step = (right - left) / n
    points_p99, points_p50 = [], []
    for i, row in enumerate(rows):
        cx = left + step * (i + 0.5)
        subs = row["subscribers"]
        parts.append(_text(cx, plot_bottom + 16, f"{subs:,} subscribers", 11, text_anchor="middle"))
        memory = row.get("memory_per_subscriber")
        if memory is not None:
            mem_ok = subs != 10000 or memory < MEMORY_TARGET
            parts.append(
                _text(
                    cx,
                    plot_bottom + 31,
                    f"{memory / 1000:.1f} KB/idle subscriber",
                    10,
                    text_anchor="middle",
                    fill="#333" if mem_ok else FAIL,
                )
            )
        if subs in TARGETS:
            ty = y(TARGETS[subs][1])
            parts.append(
                f'<line x1="{cx - step * 0.35:.1f}" y1="{ty:.1f}" x2="{cx + step * 0.35:.1f}" '
                f'y2="{ty:.1f}" stroke="{FAIL}" stroke-width="2" stroke-dasharray="4,3"/>'
            )
            parts.append(
                _text(  # above the line, at its left end: clear of the point's label
                    cx - step * 0.35,
                    ty - 5,
                    f"target {TARGETS[subs][1]:,.0f}",
                    10,
                    fill=FAIL,
                    text_anchor="start",
                )
            )
        if row.get("p99") is not None:
            points_p99.append((cx, y(row["p99"])))
            points_p50.append((cx, y(row["p50"])))
            parts.append(_text(cx + 8, y(row["p99"]) - 6, f"p99 {row['p99']:,.0f}", 10))
        if row.get("error"):
            parts.append(
                _text(
                    cx,
                    plot_top + 12,
                    "✗ failed (see table)",
                    11,
                    text_anchor="middle",
                    fill=FAIL,
                    font_weight="bold",
                )
            )
    for points, colour, dash in ((points_p50, "#8c8c8c", "4,3"), (points_p99, "#2f6fb3", "")):
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            extra = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{extra}/>'
            )
        for px, py in points:
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{colour}"/>')
    lx, ly = 20.0, top + 36
    for colour, name in (("#2f6fb3", "p99"), ("#8c8c8c", "p50")):
        parts.append(f'<circle cx="{lx + 5:.1f}" cy="{ly - 4:.1f}" r="4" fill="{colour}"/>')
        parts.append(_text(lx + 14, ly, name, 12))
        lx += 60
    parts.append(
        f'<line x1="{lx:.1f}" y1="{ly - 4:.1f}" x2="{lx + 16:.1f}" y2="{ly - 4:.1f}" '
        f'stroke="{FAIL}" stroke-width="2" stroke-dasharray="4,3"/>'
    )
    parts.append(_text(lx + 22, ly, "p99 target (from the issue)", 12))
    return parts, plot_bottom + 45


def svg(results: dict) -> str:
    width = 820.0
    cpu, bottom = _cpu_panel(results["queries"], 10, width)
    fan, bottom = _fan_panel(results["fan_out"], bottom + 10, width)
    meta = results["meta"]
    foot = _text(20, bottom + 8, f"{meta['date']} · {meta['machine']}", 10, fill="#666")
    height = bottom + 20
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif">',
            "<title>graphql_api performance: server CPU per request and subscription fan-out"
            "</title>",
            f'<rect width="{width:.0f}" height="{height:.0f}" fill="white"/>',
            *cpu,
            *fan,
            foot,
            "</svg>",
            "",
        ]
    )


def main() -> None:
    """Rewrite the page and the chart from results saved by `benchmarks.run --save`."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("results", type=Path)
    parser.add_argument("--docs", type=Path, default=Path(__file__).resolve().parents[1] / "docs")
    args = parser.parse_args()
    for path in write(json.loads(args.results.read_text()), args.docs):
        print(f"Wrote {path}")


def write(results: dict, folder: Path) -> tuple[Path, Path]:
    """docs/performance.md and docs/performance.svg."""
    folder.mkdir(parents=True, exist_ok=True)
    page, chart = folder / "performance.md", folder / "performance.svg"
    page.write_text(markdown(results))
    chart.write_text(svg(results))
    return page, chart


if __name__ == "__main__":
    main()
