"""Per-call latency and batch throughput of the core, from Python.

Each round runs CALLS_PER_ROUND calls, so divide a round's time by 1,000 for the
cost of one call. Run with ``python -m pytest benchmarks`` (results, medians
per round) or in CI with ``--benchmark-disable`` (each benchmark runs once, as a
test that the workload still works). These never fail on a number.
"""
from __future__ import annotations

import pytest

from bench_support import CALLS_PER_ROUND, MarketableSubmitWorkload, RestingSubmitWorkload
from engine import Book, EventType
from engine.flow import generate_flow


@pytest.mark.benchmark(group="per-call: submit")
def test_submit_resting_limit_x1000(benchmark):
    w = RestingSubmitWorkload()
    benchmark.extra_info["calls_per_round"] = CALLS_PER_ROUND
    benchmark.pedantic(w.run, setup=w.setup, rounds=200, iterations=1, warmup_rounds=5)
    assert len(w.book) >= CALLS_PER_ROUND
    assert w.book.check_integrity() is None


@pytest.mark.benchmark(group="per-call: submit")
def test_submit_marketable_one_fill_x1000(benchmark):
    w = MarketableSubmitWorkload()
    benchmark.extra_info["calls_per_round"] = CALLS_PER_ROUND
    benchmark.pedantic(w.run, setup=w.setup, rounds=200, iterations=1, warmup_rounds=5)
    ev = w.book.take_events()
    assert (ev["type"] == EventType.FILL).sum() == CALLS_PER_ROUND


@pytest.mark.benchmark(group="batch: generated flow")
def test_batch_generated_flow_200k(benchmark):
    flow = generate_flow(200_000, seed=3)

    def run():
        book = Book("BATCH")
        return book, book.execute(flow)

    book, events = benchmark.pedantic(run, rounds=10, iterations=1, warmup_rounds=1)
    benchmark.extra_info["messages"] = len(flow)
    assert book.check_integrity() is None
    assert (events["type"] == EventType.FILL).any()
