"""python -m engine bench: the latency report, its JSON, and argument errors."""
import json
import subprocess
import sys

import pytest

from engine.bench import OPERATIONS, run_bench
from engine.flow import generate_mixed


def test_run_bench_reports_every_operation_kind():
    r = run_bench(20_000, seed=3)
    assert r.operations == 20_000
    assert {"resting", "marketable", "cancel", "replace", "quote"} <= set(r.per_operation)
    for s in r.per_operation.values():
        assert 0 <= s.p50 <= s.p90 <= s.p99 <= s.p99_9 <= s.max
        assert s.count > 0
    assert sum(s.count for s in r.per_operation.values()) == 20_000
    assert "p99.9" in r.report() and r.throughput > 0
    plain = run_bench(10_000, seed=3, check=False)
    assert "quote" not in plain.per_operation and plain.config["check"] is False


def test_mixed_workload_shape():
    commands, quotes, schedule = generate_mixed(10_000, seed=4, quote_share=0.25, venues=3)
    assert len(schedule) == 10_000 and len(quotes) == 2_500 and len(commands) == 7_500
    assert sorted(schedule[schedule >= 0].tolist()) == list(range(7_500))
    assert sorted((-schedule[schedule < 0] - 1).tolist()) == list(range(2_500))
    assert set(quotes["venue"].tolist()) == {0, 1, 2}
    assert (quotes["bid_price"] < quotes["ask_price"]).all()
    with pytest.raises(ValueError, match="quote_share"):
        generate_mixed(10, quote_share=1.5)


def test_cli_bench_json_and_errors():
    out = subprocess.run([sys.executable, "-m", "engine", "bench", "--operations", "5000", "--json"],
                         capture_output=True, text=True, timeout=120, check=True)
    data = json.loads(out.stdout)
    assert data["operations"] == 5_000 and set(data["per_operation"]) <= set(OPERATIONS)
    assert data["machine"]["cores"] >= 1 and data["throughput_per_second"] > 0
    bad = subprocess.run([sys.executable, "-m", "engine", "bench", "--venues", "40"], capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2 and "venues=40 must be in 1..32" in bad.stderr


def test_measure_latency_with_a_command_that_emits_nothing():
    """Issue 9, item 2: an expiry with nothing resting emits no event; the latency
    loop read the event that was not there (a crash on a fresh book)."""
    import numpy as np

    from engine import Action, Book, TimeInForce, new_commands, new_quotes
    from engine._core import measure_latency

    c = new_commands(2)
    c["action"], c["tif"], c["ts"] = Action.EXPIRE, TimeInForce.DAY, [1, 2]
    ns, kind = measure_latency(Book("L"), c, new_quotes(0), np.array([0, 1], dtype=np.int64))
    assert kind.tolist() == [7, 7] and ns.shape == (2,)  # LatencyOp::Other


def test_open_loop_reports_each_rate_and_counts_queueing():
    """Open loop (issue 11): latency from each operation's offered time. Offered
    far faster than the engine can go, operations queue, and the queueing is
    counted: the median at 10^9/s is far above the median at a modest rate."""
    from engine.bench import run_open_loop

    r = run_open_loop((0.2e6, 1e9), operations=20_000, seed=3)
    slow, flooded = r.points
    assert [p.rate for p in r.points] == [0.2e6, 1e9] and r.operations == 20_000
    assert 0 < slow.p50 <= slow.p99 <= slow.p99_9 <= slow.max
    assert flooded.p50 > 50 * slow.p50  # half the operations waited behind thousands of others
    assert "offered/s" in r.report() and '"points"' in r.to_json()


def test_cli_open_loop_json_and_bad_rates():
    out = subprocess.run([sys.executable, "-m", "engine", "bench", "--open-loop", "0.5,1", "--operations", "5000",
                          "--json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    assert [p["rate"] for p in d["points"]] == [0.5e6, 1e6] and d["operations"] == 5000
    bad = subprocess.run([sys.executable, "-m", "engine", "bench", "--open-loop", "fast"], capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2 and "--open-loop" in bad.stderr and "'fast'" in bad.stderr
