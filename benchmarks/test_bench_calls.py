"""Per-call latency from Python for the rest of the API, and batch throughput of
quote updates. Each round runs 1,000 calls (CALLS_PER_ROUND): divide by 1,000."""
from __future__ import annotations

import pytest

from bench_support import CALLS_PER_ROUND, CancelWorkload, ReplaceWorkload, RestingSubmitWorkload, SweepWorkload
from engine import EventType, ProtectedBook
from engine.flow import generate_mixed


@pytest.mark.benchmark(group="per-call: submit")
def test_submit_marketable_five_fills_x1000(benchmark):
    w = SweepWorkload()
    benchmark.pedantic(w.run, setup=w.setup, rounds=100, iterations=1, warmup_rounds=3)
    assert (w.book.take_events()["type"] == EventType.FILL).sum() == 5 * CALLS_PER_ROUND


@pytest.mark.benchmark(group="per-call: cancel and replace")
def test_cancel_x1000(benchmark):
    w = CancelWorkload()
    benchmark.pedantic(w.run, setup=w.setup, rounds=100, iterations=1, warmup_rounds=3)
    assert all(i not in w.book for i in w.ids)


@pytest.mark.benchmark(group="per-call: cancel and replace")
def test_replace_x1000(benchmark):
    w = ReplaceWorkload()
    benchmark.pedantic(w.run, setup=w.setup, rounds=100, iterations=1, warmup_rounds=3)
    assert w.book.check_integrity() is None


@pytest.mark.benchmark(group="per-call: queries")
def test_top_of_book_x1000(benchmark):
    w = RestingSubmitWorkload()
    w.setup()
    w.run()
    top = w.book.top

    def read():
        for _ in range(CALLS_PER_ROUND):
            top()

    benchmark.pedantic(read, rounds=200, iterations=1, warmup_rounds=5)
    assert w.book.top().bid_price is not None


@pytest.mark.benchmark(group="per-call: quote update")
def test_quote_update_x1000(benchmark):
    book = ProtectedBook("Q", venues=["A", "B", "C", "D"])
    state = {"ts": 0}
    update = book.update_quote

    def run():
        ts = state["ts"]
        for k in range(CALLS_PER_ROUND):
            update(k & 3, 100_400 - (k & 7) * 100, 300, 100_600 + (k & 7) * 100, 300, ts=ts + k)
        state["ts"] = ts + CALLS_PER_ROUND

    benchmark.pedantic(run, rounds=200, iterations=1, warmup_rounds=5)
    assert book.protected_bbo().bid is not None


@pytest.mark.benchmark(group="batch: quote updates")
def test_batch_quote_updates_100k(benchmark):
    _, quotes, _ = generate_mixed(500_000, seed=2, quote_share=0.2)

    def run():
        book = ProtectedBook("Q", venues=["V0", "V1", "V2", "V3"])
        return book.update_quotes(quotes)

    events = benchmark.pedantic(run, rounds=10, iterations=1, warmup_rounds=1)
    assert len(quotes) == 100_000 and (events["type"] != 2).all()
    benchmark.extra_info["quotes"] = len(quotes)
