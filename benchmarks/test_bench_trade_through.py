"""The cost of the Rule 611 check when the away quotes do not bind.

The same generated flow runs through a plain Book and through a ProtectedBook
whose five away venues quote outside the flow's prices, so every fill takes
the fast path (two comparisons against the cached protected BBO). The issue's
target: within 5% of the plain book. Compare the two medians of one run:

    python -m pytest benchmarks/test_bench_trade_through.py --benchmark-columns=min,median,max
"""
from __future__ import annotations

import pytest

from engine import Book, ComplianceCode, EventType, ProtectedBook
from engine.flow import generate_flow

FLOW = generate_flow(200_000, seed=21)
PRICED = FLOW["price"][FLOW["price"] > 0]
FAR_BID, FAR_OFFER = int(PRICED.min()) - 10_000, int(PRICED.max()) + 10_000


def plain_run():
    book = Book("B")
    return book, book.execute(FLOW)


def protected_run():
    book = ProtectedBook("B", venues=["A", "B", "C", "D", "E"])
    for v, offset in enumerate(range(0, 500, 100)):
        book.update_quote(v, FAR_BID - offset, 100, FAR_OFFER + offset, 100, ts=0)
    book.clear_events()
    return book, book.execute(FLOW)


@pytest.mark.benchmark(group="trade-through check: non-binding quotes, 200k messages")
def test_matching_plain_book(benchmark):
    book, events = benchmark.pedantic(plain_run, rounds=15, iterations=1, warmup_rounds=2)
    assert (events["type"] == EventType.FILL).sum() > 10_000


@pytest.mark.benchmark(group="trade-through check: non-binding quotes, 200k messages")
def test_matching_with_trade_through_check(benchmark):
    book, events = benchmark.pedantic(protected_run, rounds=15, iterations=1, warmup_rounds=2)
    fills = events[events["type"] == EventType.FILL]
    assert len(fills) > 10_000
    assert set(fills["compliance_code"].tolist()) == {ComplianceCode.NO_TRADE_THROUGH}
    # the same matching as the plain book, event for event
    _, plain = plain_run()
    keep = ["type", "order_id", "contra_id", "price", "quantity", "leaves", "contra_leaves", "reason"]
    assert (plain[keep] == events[keep]).all()


@pytest.mark.benchmark(group="trade-through check: interleaved ratio")
def test_overhead_ratio_interleaved(benchmark):
    """Alternate plain and protected runs so machine noise hits both alike; the
    ratio of their medians is recorded as extra_info["overhead_ratio"]."""
    import statistics
    import time

    plain, protected = [], []
    for _ in range(9):
        for run, times in ((plain_run, plain), (protected_run, protected)):
            t0 = time.perf_counter()
            run()
            times.append(time.perf_counter() - t0)
    ratio = statistics.median(protected) / statistics.median(plain)
    benchmark.extra_info["plain_median_ms"] = round(statistics.median(plain) * 1e3, 2)
    benchmark.extra_info["protected_median_ms"] = round(statistics.median(protected) * 1e3, 2)
    benchmark.extra_info["overhead_ratio"] = round(ratio, 4)
    print(f"\ntrade-through check overhead (interleaved medians): {ratio:.3f}x")
    benchmark.pedantic(protected_run, rounds=1, iterations=1)
