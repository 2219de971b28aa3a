"""Work on Dask workers against the single-process run of the same input:
the speed-up and the scaling from 1 to 2 workers, for three jobs:

* book building: a generated ITCH file of 4,000,000 messages, 16 stocks;
* re-matching every stock through the engine: 2,000,000 messages, 16 stocks
  (single process: ``rematch_stocks``, one pass);
* the surveillance audit: a generated TAQ tape of 8 symbols over 2 days
  (48,000 trades, 96,000 quotes; single process: ``surveil``).

The clusters are started before timing (a LocalCluster takes about a second
to start); each parallel round includes splitting the input.

    python -m pytest benchmarks/test_bench_parallel.py --benchmark-columns=min,median,max
"""
from __future__ import annotations

import pytest

import sys
from pathlib import Path

from engine._core import generate_itch
from engine.replay import rematch_stocks, replay_itch, replay_parallel
from engine.surveil.parallel import surveil_parallel
from engine.surveil.report import surveil

distributed = pytest.importorskip("distributed", reason="Dask is not installed (pip install 'dask[distributed]')")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.taq_files import write_taq  # noqa: E402

GROUP = "parallel replay: ITCH file to books, 4M generated messages, 16 stocks"
MATCH = "parallel re-matching: every stock of 2M generated ITCH messages, 16 stocks"
SURVEIL = "parallel surveillance: trade-through audit, 8 symbols x 2 days, 48k trades"


def itch_file(tmp_path_factory, messages: int) -> Path:
    path = tmp_path_factory.mktemp("par") / "day.itch"
    path.write_bytes(generate_itch(messages, 16, 3))
    return path


@pytest.fixture(scope="module")
def itch(tmp_path_factory):
    return itch_file(tmp_path_factory, 4_000_000)


def record(benchmark, messages: int) -> None:
    benchmark.extra_info["messages"] = messages
    if benchmark.stats:
        benchmark.extra_info["messages_per_second"] = round(messages / benchmark.stats.stats.median)


@pytest.mark.benchmark(group=GROUP)
def test_single_process(benchmark, itch):
    r = benchmark.pedantic(replay_itch, args=(itch,), rounds=5, iterations=1, warmup_rounds=1)
    record(benchmark, r.messages)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.benchmark(group=GROUP)
def test_dask_workers(benchmark, itch, workers):
    r = dask_round(workers, lambda client: benchmark.pedantic(
        lambda: replay_parallel(itch, scheduler=client), rounds=5, iterations=1, warmup_rounds=1))
    record(benchmark, r.messages)
    benchmark.extra_info["split_seconds"] = round(r.split_seconds, 3)


@pytest.fixture(scope="module")
def itch_match(tmp_path_factory):
    return itch_file(tmp_path_factory, 2_000_000)


@pytest.fixture(scope="module")
def taq(tmp_path_factory):
    return write_taq(tmp_path_factory.mktemp("taq"), symbols=[f"S{i}" for i in range(8)], trades_per_piece=3_000,
                     quotes_per_piece=6_000, unquoted=None)


def dask_round(workers: int, job):
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        return job(client)


@pytest.mark.benchmark(group=MATCH)
def test_match_single_process(benchmark, itch_match):
    runs = benchmark.pedantic(rematch_stocks, args=(itch_match,), rounds=3, iterations=1, warmup_rounds=1)
    record(benchmark, sum(r.stats["messages"] for r in runs.values()))


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.benchmark(group=MATCH)
def test_match_dask_workers(benchmark, itch_match, workers):
    r = dask_round(workers, lambda client: benchmark.pedantic(
        lambda: replay_parallel(itch_match, scheduler=client, mode="match"), rounds=3, iterations=1, warmup_rounds=1))
    record(benchmark, r.messages)


@pytest.mark.benchmark(group=SURVEIL)
def test_surveil_single_process(benchmark, taq):
    report = benchmark.pedantic(surveil, args=taq, rounds=3, iterations=1, warmup_rounds=1)
    benchmark.extra_info["trades"] = len(report.tape)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.benchmark(group=SURVEIL)
def test_surveil_dask_workers(benchmark, taq, workers):
    report = dask_round(workers, lambda client: benchmark.pedantic(
        lambda: surveil_parallel(*taq, scheduler=client), rounds=3, iterations=1, warmup_rounds=1))
    benchmark.extra_info["trades"] = len(report.tape)
