"""Per-call latency and batch throughput of the core, from Python.

Each round runs CALLS_PER_ROUND calls, so divide a round's time by 1,000 for the
cost of one call. Run with ``python -m pytest benchmarks`` (results, medians
per round) or in CI with ``--benchmark-disable`` (each benchmark runs once, as a
test that the workload still works). These never fail on a number.
"""
from __future__ import annotations

import numpy as np
import pytest

from bench_support import (
    CALLS_PER_ROUND,
    MarketableIocWorkload,
    MarketableSubmitWorkload,
    RestingAddWorkload,
    RestingSubmitKeywordsWorkload,
    RestingSubmitWorkload,
)
from engine import EVENT_DTYPE, Book, EventType
from engine.flow import generate_flow


def per_call(benchmark, workload):
    """Time the workload's CALLS_PER_ROUND calls per round (its setup untimed); the book after."""
    benchmark.extra_info["calls_per_round"] = CALLS_PER_ROUND
    benchmark.pedantic(workload.run, setup=workload.setup, rounds=200, iterations=1, warmup_rounds=5)
    return workload.book


@pytest.mark.benchmark(group="per-call: submit")
def test_submit_resting_limit_x1000(benchmark):
    book = per_call(benchmark, RestingSubmitWorkload())
    assert len(book) >= CALLS_PER_ROUND
    assert book.check_integrity() is None


@pytest.mark.benchmark(group="per-call: submit")
def test_add_resting_limit_x1000(benchmark):
    """Book.add: issue 11's target is 70 ns a call from a Python loop."""
    book = per_call(benchmark, RestingAddWorkload())
    assert len(book) >= CALLS_PER_ROUND
    assert book.check_integrity() is None


@pytest.mark.benchmark(group="per-call: submit")
def test_submit_resting_limit_with_keywords_x1000(benchmark):
    """submit with order_type, tif and ts spelled out: target 110 ns a call."""
    book = per_call(benchmark, RestingSubmitKeywordsWorkload())
    assert len(book) >= CALLS_PER_ROUND


@pytest.mark.benchmark(group="per-call: submit")
def test_ioc_marketable_one_fill_x1000(benchmark):
    book = per_call(benchmark, MarketableIocWorkload())
    ev = book.take_events()
    assert (ev["type"] == EventType.FILL).sum() == CALLS_PER_ROUND


@pytest.mark.benchmark(group="per-call: submit")
def test_submit_marketable_one_fill_x1000(benchmark):
    book = per_call(benchmark, MarketableSubmitWorkload())
    ev = book.take_events()
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


@pytest.mark.benchmark(group="batch: generated flow")
def test_batch_generated_flow_200k_into_out(benchmark):
    """The same, with the events written into one array reused round after
    round (execute's out=): no allocation or page faults for them. Issue 11's
    target: 45 ns a command with its events kept."""
    flow = generate_flow(200_000, seed=3)
    out = np.empty(2 * len(flow), dtype=EVENT_DTYPE)

    def run():
        book = Book("BATCH")
        return book, book.execute(flow, out=out)

    book, events = benchmark.pedantic(run, rounds=10, iterations=1, warmup_rounds=1)
    benchmark.extra_info["messages"] = len(flow)
    if benchmark.stats:
        benchmark.extra_info["ns_per_command"] = round(benchmark.stats.stats.median / len(flow) * 1e9, 1)
    assert events.base is out and (events["type"] == EventType.FILL).any()
