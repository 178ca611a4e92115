"""Every benchmark of issue 12, in one run, in every configuration, with one report.

    .venv/bin/python bench/run.py              # the whole matrix (about 30 minutes)
    .venv/bin/python bench/run.py --quick      # a short run of each (a few minutes)
    .venv/bin/python bench/run.py --only board --configs sqlite-1

Each benchmark script (bench/board.py, bench/join.py, bench/transport.py, bench/broadcast.py)
starts its own stack (bench/stack.py), runs its workloads and writes its figures as JSON; each
JSON holds a list "figures" of {name, unit, target, before, value, met}. bench/broadcast.py
runs the bare broadcaster (bench/bare.py: asyncio, Redis pub/sub, `websockets`) beside
TaskFlow, so every report shows TaskFlow's fan-out as a share of the bare one's, measured in
the same run. This runs them one after the other, never two at once (they would share the two
cores), for each configuration:

- sqlite-1: SQLite, one web process (the figures the targets are stated for);
- sqlite-2: SQLite, two web processes (WEB_CONCURRENCY=2, the default on two cores);
- postgres-1: PostgreSQL (a fresh database on DATABASE_URL's server), one web process.

The report, bench/results/report.md (and report.json), puts each figure beside its target and
the figure the issue measured before ("before"), one column per configuration."""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCHMARKS = ("board", "join", "transport", "broadcast")
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
CONFIGS = {
    "sqlite-1": ["--web", "1"],
    "sqlite-2": ["--web", "2"],
    "postgres-1": ["--web", "1", "--database-url", POSTGRES],
}


def run_one(name: str, config: str, quick: bool) -> dict:
    """Run one benchmark in one configuration; its JSON, or the error it ended with."""
    command = [sys.executable, f"bench/{name}.py", *CONFIGS[config], *(["--quick"] * quick)]
    print(f"--- {name} [{config}]: {' '.join(command[1:])}", file=sys.stderr, flush=True)
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    path = RESULTS / f"{name}{'-quick' if quick else ''}.json"
    if result.returncode != 0 or not path.exists():
        return {"error": f"exit {result.returncode}", "figures": []}
    report = json.loads(path.read_text())
    report["seconds"] = round(time.monotonic() - started)
    return report


def table(name: str, runs: dict[str, dict]) -> list[str]:
    """One benchmark's figures: a row each, a column per configuration."""
    configs = list(runs)
    lines = [
        f"### {name}",
        "",
        "| figure | target | before | " + " | ".join(configs) + " |",
        "|---|---|---|" + "---|" * len(configs),
    ]
    rows: dict[str, dict] = {}
    for config, report in runs.items():
        for figure in report.get("figures", []):
            row = rows.setdefault(figure["name"], {"figure": figure, "values": {}})
            row["values"][config] = figure
    for name_, row in rows.items():
        figure = row["figure"]
        cells = [cell(row["values"].get(config)) for config in configs]
        lines.append(
            f"| {name_} | {figure.get('target') or ''} | {figure.get('before') or ''} | "
            + " | ".join(cells)
            + " |"
        )
    for config, report in runs.items():
        if "error" in report:
            lines.append(f"\n{config}: **failed** ({report['error']}); see its stderr above.")
    return [*lines, ""]


def cell(figure: dict | None) -> str:
    if figure is None:
        return "—"
    value = figure["value"]
    text = (
        f"{value:,}"
        if isinstance(value, int)
        else f"{value:,.3g}"
        if isinstance(value, float)
        else str(value)
    )
    text = f"{text} {figure.get('unit', '')}".strip()
    met = figure.get("met")
    return f"{text} ✓" if met is True else f"**{text}** ✗" if met is False else text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", default=list(BENCHMARKS), choices=BENCHMARKS)
    parser.add_argument("--configs", nargs="*", default=list(CONFIGS), choices=list(CONFIGS))
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    everything: dict[str, dict[str, dict]] = {}
    for name in args.only:
        for config in args.configs:
            everything.setdefault(name, {})[config] = run_one(name, config, args.quick)
    stamp = time.strftime("%Y-%m-%d %H:%M")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"## Figures ({'quick run, ' if args.quick else ''}{stamp})",
        "",
        f"Load average at the end (1, 5, 15 min): {load} on {os.cpu_count()} cores.",
        "",
    ]
    for name, runs in everything.items():
        lines += table(name, runs)
    suffix = "-quick" if args.quick else ""
    (RESULTS / f"report{suffix}.md").write_text("\n".join(lines))
    (RESULTS / f"report{suffix}.json").write_text(json.dumps(everything, indent=1))
    print("\n".join(lines))
    failed = [
        f"{n} [{c}]" for n, runs in everything.items() for c, r in runs.items() if "error" in r
    ]
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
