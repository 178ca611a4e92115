"""The benchmarks still run (a short run; the real figures come from bench/, not tests)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_fanout_benchmark_runs_and_delivers_everything():
    subprocess.run(
        [sys.executable, "bench/fanout.py", "--quick", "--taskflow-only"],
        cwd=ROOT,
        check=True,
        timeout=300,
        capture_output=True,
    )
    report = json.loads((ROOT / "bench" / "results" / "fanout-quick.json").read_text())
    taskflow = report["TaskFlow"]
    assert taskflow["W1"]["delivery_ratio"] == taskflow["W2"]["delivery_ratio"] == 1.0
    assert taskflow["W4"]["sockets"] == 100 and taskflow["W5"]["mentions"] > 0
    assert taskflow["W6"]["requests_per_s"] > 0 and taskflow["W6"]["errors"] == 0
    assert (ROOT / "bench" / "results" / "latency-quick.png").stat().st_size > 0


def test_soak_runs_without_loss():
    output = subprocess.run(
        [
            sys.executable,
            "bench/soak.py",
            "--sockets",
            "50",
            "--users",
            "5",
            "--minutes",
            "0.1",
            "--rate",
            "5",
        ],
        cwd=ROOT,
        check=True,
        timeout=300,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(output)
    assert result["lost"] == 0 and result["error_count"] == 0 and result["messages_sent"] > 0
