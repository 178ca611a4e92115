"""The benchmarks still run (a short run; the real figures come from bench/, not tests).

Marked `bench`: slow, so the default run leaves them out and CI runs them as a step of their
own (`scripts/test -m bench`)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from taskflow.stack import free_port

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.bench


def run_bench(*args: str) -> subprocess.CompletedProcess:
    """Run a benchmark script on a free port; a failure shows the script's stderr."""
    env = dict(os.environ, BENCH_PORT=str(free_port()))
    command = [sys.executable, *args]
    try:
        result = subprocess.run(
            command, cwd=ROOT, env=env, timeout=300, capture_output=True, text=True
        )
    except subprocess.TimeoutExpired as timeout:
        pytest.fail(f"{args[0]} did not finish in 300 s; stderr:\n{tail(timeout.stderr)}")
    assert result.returncode == 0, (
        f"{args[0]} exited with {result.returncode}; stderr:\n{tail(result.stderr)}"
    )
    return result


def tail(text: str | bytes | None, lines: int = 60) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return "\n".join((text or "").splitlines()[-lines:])


def test_fanout_benchmark_runs_and_delivers_everything():
    result = run_bench("bench/fanout.py", "--quick", "--taskflow-only")
    report = json.loads((ROOT / "bench" / "results" / "fanout-quick.json").read_text())
    taskflow = report["TaskFlow"]
    why = f"{taskflow.get('error')}\nstderr:\n{tail(result.stderr)}"
    assert "error" not in taskflow, why
    assert taskflow["W1"]["delivery_ratio"] == taskflow["W2"]["delivery_ratio"] == 1.0, why
    assert taskflow["W4"]["sockets"] == 100 and taskflow["W5"]["mentions"] > 0, why
    assert taskflow["W6"]["requests_per_s"] > 0 and taskflow["W6"]["errors"] == 0, why
    assert (ROOT / "bench" / "results" / "latency-quick.png").stat().st_size > 0


def test_soak_runs_without_loss():
    result = run_bench(
        "bench/soak.py",
        *("--sockets", "50", "--users", "5", "--minutes", "0.1", "--rate", "5"),
    )
    report = json.loads(result.stdout)
    why = f"{report}\nstderr:\n{tail(result.stderr)}"
    assert report["lost"] == 0 and report["error_count"] == 0, why
    assert report["messages_sent"] > 0, why


def test_board_benchmark_runs_and_reports_each_figure():
    result = run_bench("bench/board.py", "--quick")
    report = json.loads((ROOT / "bench" / "results" / "board-quick.json").read_text())
    why = f"{report}\nstderr:\n{tail(result.stderr)}"
    for size in (10, 300, 800, 1000):
        figures = report[f"board_{size}"]
        assert figures["page_bytes"] > 0 and figures["render_ms_median"] > 0, why
        for change in ("create", "move", "edit", "delete"):
            assert 0 < figures[f"{change}_bytes_per_viewer"] <= 2048, why
    assert report["create_task_ms_median_10"] > 0 and report["create_task_ms_median_1000"] > 0
    assert report["small_page_p95_ms_while_8_load_biggest"] > 0, why
    assert report["before"]["change_bytes_per_viewer_300"] == 425_000, why


def test_join_benchmark_runs_and_everyone_catches_up():
    result = run_bench("bench/join.py", "--quick")
    report = json.loads((ROOT / "bench" / "results" / "join-quick.json").read_text())
    why = f"{report}\nstderr:\n{tail(result.stderr)}"
    assert "error" not in report, why
    assert report["J1_clients_caught_up"] == report["members"] == 50, why
    assert report["J1_clients_that_saw_the_message"] == 50, why
    assert report["J2_clients_caught_up"] == 50, why
    assert report["J1_bytes_per_client_before_first_message_max"] > 0, why
    assert report["J3_room_page_per_s"] > 0 and report["J3_errors"] == 0, why
    for figure in ("J1_seconds_until_all_caught_up_before", "J3_room_page_bytes_before"):
        assert figure in report, why


def test_transport_benchmark_runs_and_reports_both_designs():
    result = run_bench("bench/transport.py", "--quick")
    report = json.loads((ROOT / "bench" / "results" / "transport-quick.json").read_text())
    why = f"{report.get('errors')}\nstderr:\n{tail(result.stderr)}"
    assert "errors" not in report, why
    assert report["T1"]["messages_per_s"] > 0 and report["T1"]["loadgen_processes"] >= 1, why
    assert report["T2"]["steps"] and report["T2"]["before_deliveries_per_s"] == 29_700, why
    assert report["T3"]["sockets"] == 200 and report["T3"]["kb_per_socket"] > 0, why
    for design in ("topic", "single"):
        rooms = report["T4"][design]
        assert rooms["delivery_ratio"] == 1.0 and rooms["redis_cpu_cores"] >= 0, why


def test_broadcast_benchmark_runs_taskflow_beside_the_bare_broadcaster():
    result = run_bench("bench/broadcast.py", "--quick")
    report = json.loads((ROOT / "bench" / "results" / "broadcast-quick.json").read_text())
    why = f"{json.dumps(report, indent=1)[:4000]}\nstderr:\n{tail(result.stderr)}"
    for server in ("TaskFlow", "bare"):
        for rate in ("10", "30"):
            step = report[server][rate]["median"]
            assert step["connected"] == 20 and step["delivery_ratio"] == 1.0, why
            assert step["p99_ms"] is not None and step["server_cpu_cores"] > 0, why
    ratios = [f for f in report["figures"] if "TaskFlow ÷ bare" in f["name"]]
    assert len(ratios) == 2 and all(f["value"] > 0 for f in ratios), why


def test_neighbour_benchmark_runs_and_limits_the_attacker():
    result = run_bench("bench/neighbour.py", "--quick")
    report = json.loads((ROOT / "bench" / "results" / "neighbour-quick.json").read_text())
    why = f"{json.dumps(report['attacker'])}\nstderr:\n{tail(result.stderr)}"
    assert set(report["attacked"]["statuses"]) == {"200"}, why
    assert report["attacker"]["message"].get("429", 0) > 0, why  # 6 a second against 4
    assert report["figures"][0]["value"] > 0, why


def test_search_benchmark_seeds_and_times_searches():
    result = run_bench("bench/search.py", "--quick", "--reseed")
    report = json.loads((ROOT / "bench" / "results" / "search-sqlite-quick.json").read_text())
    assert report["messages"] == 20_000 and report["seeded"], result.stdout[-2000:]
    names = [figure["name"] for figure in report["figures"]]
    assert names[0] == "search, two words" and len(names) == 4
    assert all(figure["value"]["p95"] > 0 for figure in report["figures"])
    assert report["found_per_two_word_search"] >= 1  # each search finds its message
