"""Replay on Dask workers against the single-process replay of the same
generated ITCH file (4,000,000 messages, 16 stocks): the speed-up and the
scaling from 1 to 2 workers. The clusters are started before timing (a
LocalCluster takes about a second to start); each parallel round includes
splitting the file by stock.

    python -m pytest benchmarks/test_bench_parallel.py --benchmark-columns=min,median,max
"""
from __future__ import annotations

import pytest

from engine._core import generate_itch
from engine.replay import replay_itch, replay_parallel

distributed = pytest.importorskip("distributed", reason="Dask is not installed (pip install 'dask[distributed]')")
GROUP = "parallel replay: ITCH file to books, 4M generated messages, 16 stocks"


@pytest.fixture(scope="module")
def itch(tmp_path_factory):
    path = tmp_path_factory.mktemp("par") / "day.itch"
    path.write_bytes(generate_itch(4_000_000, 16, 3))
    return path


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
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        r = benchmark.pedantic(lambda: replay_parallel(itch, scheduler=client), rounds=5, iterations=1,
                               warmup_rounds=1)
    record(benchmark, r.messages)
    benchmark.extra_info["split_seconds"] = round(r.split_seconds, 3)
