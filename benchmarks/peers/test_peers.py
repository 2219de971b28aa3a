"""The same book-building workload through this engine and through the engines a
user would otherwise pick, in one run; compare within each group (pytest-benchmark
prints each row's ratio to the fastest). Peers not installed are skipped with a
message: ``pip install -e ".[peers]"`` installs them.

Workload: one stock's generated ITCH 5.0 flow (60,000 order messages: adds,
deletes, partial cancels, executions, replaces). Each peer gets it in its own
native inputs, built before timing; each run checks the best bid it leaves
against one computed without any engine.

    python -m pytest benchmarks/peers --benchmark-columns=median,rounds
"""
from __future__ import annotations


import numpy as np
import pytest

from engine import Book, FEED_DTYPE, FeedBook, FeedKind, Side, TimeInForce
from engine._core import BookBuilder, ItchDecoder, generate_itch

from support.reference_book import ReferenceBook

from .hftbacktest_replay import depth_events, replay
from .workload import book_building_ops, final_best_bid, level_updates

OPS = book_building_ops()
BEST_BID = final_best_bid(OPS)
GROUP = "peers: book building, 60k ITCH messages, per call from Python"
ROUNDS = 5


def _record(benchmark, name: str) -> None:
    benchmark.extra_info["engine"] = name
    benchmark.extra_info["operations"] = len(OPS)


@pytest.mark.benchmark(group=GROUP)
def test_this_engine_per_call(benchmark):
    def run():
        b = Book("PEER")
        submit, cancel, reduce, replace = b.submit, b.cancel, b.reduce, b.replace
        for op in OPS:
            k = op.kind
            if k == "add":
                submit(op.order_id, op.side, op.price, op.qty)
            elif k == "delete":
                cancel(op.order_id)
            elif k == "take":
                reduce(op.order_id, op.qty)
            else:
                replace(op.order_id, op.price, op.qty, new_order_id=op.new_id)
        b.clear_events()  # events accumulate as in normal use; taking them is not part of the workload
        return b

    b = benchmark.pedantic(run, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    assert b.best_bid()[0] == BEST_BID
    _record(benchmark, "regnms-engine Book (per call)")


@pytest.mark.benchmark(group=GROUP)
def test_this_engine_feed_book_per_call(benchmark):
    """FeedBook: the per-call face of book building (add, execute shares of a
    named order, delete, replace), no events. Issue 11's target: at least 2x
    faster than nautilus_trader's L3 book applying prebuilt deltas."""
    def run():
        f = FeedBook("PEER")
        add, execute, delete, replace = f.add, f.execute, f.delete, f.replace
        for op in OPS:
            k = op.kind
            if k == "add":
                add(op.order_id, op.side, op.price, op.qty)
            elif k == "delete":
                delete(op.order_id)
            elif k == "take":
                execute(op.order_id, op.qty)
            else:
                replace(op.order_id, op.new_id, op.price, op.qty)
        return f

    f = benchmark.pedantic(run, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    assert f.book.best_bid()[0] == BEST_BID
    _record(benchmark, "regnms-engine FeedBook (per call)")


@pytest.mark.benchmark(group=GROUP)
def test_this_engine_batch(benchmark):
    recs, _ = ItchDecoder().decode(generate_itch(60_000, 1, 7), True)
    recs = np.ascontiguousarray(recs)

    def run():
        bb = BookBuilder()
        bb.apply(recs)
        return bb

    bb = benchmark.pedantic(run, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    assert bb.book(1).best_bid()[0] == BEST_BID
    _record(benchmark, "regnms-engine BookBuilder (one batch call)")
    assert recs.dtype == FEED_DTYPE and FeedKind.ADD in recs["kind"]


@pytest.mark.benchmark(group=GROUP)
def test_reference_book_pure_python(benchmark):
    def run():
        r = ReferenceBook()
        ts = 0
        for op in OPS:
            if op.kind == "add":
                r.submit({"ts": ts, "order_id": op.order_id, "side": op.side, "price": op.price, "quantity": op.qty,
                          "order_type": 1, "tif": 1, "display_quantity": 0, "post_only": 0, "stp": 0, "flags": 0,
                          "participant": 0})
            elif op.kind == "delete":
                r.cancel(ts, op.order_id)
            elif op.kind == "take":
                r.reduce(ts, op.order_id, op.qty)
            else:
                r.replace(ts, op.order_id, op.new_id, op.price, op.qty)
            r.events.clear()
        return r

    r = benchmark.pedantic(run, rounds=1, iterations=1)
    assert r._best(Side.BUY) == BEST_BID
    _record(benchmark, "the project's pure-Python reference book")


@pytest.mark.benchmark(group=GROUP)
def test_liquibook(benchmark):
    lb = pytest.importorskip("liquibook", reason="liquibook is not installed (pip install liquibook)")

    def run():
        book = lb.DepthOrderBook()
        live = {}
        for op in OPS:
            if op.kind == "add":
                o = lb.SimpleOrder(op.side == Side.BUY, op.price, op.qty)
                live[op.order_id] = o
                book.add(o, 0)
            elif op.kind == "delete":
                book.cancel(live.pop(op.order_id))
            elif op.kind == "take":
                book.replace(live[op.order_id], -op.qty, 0)
            else:
                book.cancel(live.pop(op.order_id))
                o = lb.SimpleOrder(op.side == Side.BUY, op.price, op.qty)
                live[op.new_id] = o
                book.add(o, 0)
        return book, live

    book, live = benchmark.pedantic(run, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    assert max(o.price() for o in live.values() if o.is_buy()) == BEST_BID
    _record(benchmark, "liquibook (SWIG wrapper of the C++ library)")


@pytest.mark.benchmark(group=GROUP)
def test_nautilus_trader_l3_book(benchmark):
    pytest.importorskip("nautilus_trader", reason="nautilus_trader is not installed (pip install nautilus_trader)")
    from nautilus_trader.model.book import OrderBook
    from nautilus_trader.model.data import BookOrder
    from nautilus_trader.model.enums import BookType, OrderSide
    from nautilus_trader.model.identifiers import InstrumentId
    from nautilus_trader.model.objects import Price, Quantity

    def order(side, price, qty, oid):
        return BookOrder(OrderSide.BUY if side == Side.BUY else OrderSide.SELL, Price(price / 10_000, 2),
                         Quantity.from_int(qty), oid)

    # inputs in nautilus's own types, built before timing
    prepared = []
    shares: dict[int, list] = {}
    for op in OPS:
        if op.kind == "add":
            shares[op.order_id] = [op.side, op.price, op.qty]
            prepared.append(("add", order(op.side, op.price, op.qty, op.order_id)))
        elif op.kind == "take":
            s = shares[op.order_id]
            s[2] -= op.qty
            prepared.append(("update", order(s[0], s[1], s[2], op.order_id)))
        elif op.kind == "delete":
            s = shares.pop(op.order_id)
            prepared.append(("delete", order(s[0], s[1], max(s[2], 1), op.order_id)))
        else:
            s = shares.pop(op.order_id)
            prepared.append(("delete", order(s[0], s[1], max(s[2], 1), op.order_id)))
            shares[op.new_id] = [op.side, op.price, op.qty]
            prepared.append(("add", order(op.side, op.price, op.qty, op.new_id)))

    def run():
        book = OrderBook(InstrumentId.from_str("XYZ.SIM"), BookType.L3_MBO)
        add, update, delete = book.add, book.update, book.delete
        for seq, (kind, o) in enumerate(prepared):
            if kind == "add":
                add(o, seq, 0, seq)
            elif kind == "update":
                update(o, seq, 0, seq)
            else:
                delete(o, seq, 0, seq)
        return book

    book = benchmark.pedantic(run, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    assert round(book.best_bid_price().as_double() * 10_000) == BEST_BID
    _record(benchmark, "nautilus_trader OrderBook (L3_MBO)")


@pytest.mark.benchmark(group=GROUP)
def test_bmoscon_order_book_levels_only(benchmark):
    ob_mod = pytest.importorskip("order_book", reason="order-book is not installed (pip install order-book)")
    updates = level_updates(OPS)

    def run():
        book = ob_mod.OrderBook()
        bids, asks = book.bids, book.asks
        for is_bid, price, size in updates:
            side = bids if is_bid else asks
            if size:
                side[price] = size
            elif price in side:
                del side[price]
        return book

    book = benchmark.pedantic(run, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    assert book.bids.index(0)[0] == BEST_BID
    _record(benchmark, "order-book (bmoscon; price levels only, no orders)")


@pytest.mark.benchmark(group=GROUP)
def test_hftbacktest_depth_replay(benchmark):
    h = pytest.importorskip("hftbacktest", reason="hftbacktest is not installed (pip install hftbacktest)")
    updates = level_updates(OPS)
    ev = depth_events(h, [b for b, _, _ in updates], np.array([p for _, p, _ in updates]),
                      [q for _, _, q in updates])
    hbt = replay(benchmark, h, ev, ROUNDS)
    assert round(hbt.depth(0).best_bid * 10_000) == BEST_BID
    hbt.close()
    _record(benchmark, "hftbacktest (price-level depth events, one batch)")


# ------------------------------------------------------------------ matching
MATCH_GROUP = "peers: matching, 30k generated orders and cancels, per call from Python"


def _matching_flow():
    from engine import Action, OrderType
    from engine.flow import generate_flow

    flow = generate_flow(30_000, seed=9)
    keep = ((flow["action"] == Action.NEW) & (flow["order_type"] == OrderType.LIMIT) & (flow["flags"] == 0)
            & (flow["display_quantity"] == 0) & (flow["post_only"] == 0)) | (flow["action"] == Action.CANCEL)
    return [(int(a), int(i), int(s), int(p), int(q), int(t)) for a, i, s, p, q, t in
            flow[keep][["action", "order_id", "side", "price", "quantity", "tif"]].tolist()]


MATCH = _matching_flow()


def _engine_volume() -> int:
    from engine import EventType

    b = Book("M")
    for a, i, s, p, q, t in MATCH:
        if a == 1:
            b.submit(i, s, p, q, tif=t)
        else:
            b.cancel(i)
    ev = b.take_events()
    return int(ev[ev["type"] == EventType.FILL]["quantity"].sum())


@pytest.mark.benchmark(group=MATCH_GROUP)
def test_this_engine_matching(benchmark):
    def run():
        b = Book("M")
        submit, cancel = b.submit, b.cancel
        for a, i, s, p, q, t in MATCH:
            if a == 1:
                submit(i, s, p, q, tif=t)
            else:
                cancel(i)
        return b

    benchmark.pedantic(run, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    benchmark.extra_info["engine"] = "regnms-engine Book (per call)"


@pytest.mark.benchmark(group=MATCH_GROUP)
def test_this_engine_matching_lean_calls(benchmark):
    """The same flow through Book.add / Book.ioc (the positional fast paths)."""
    def run():
        b = Book("M")
        add, ioc, submit, cancel = b.add, b.ioc, b.submit, b.cancel
        day, immediate = int(TimeInForce.DAY), int(TimeInForce.IOC)  # plain ints: an IntEnum compares slowly
        for a, i, s, p, q, t in MATCH:
            if a != 1:
                cancel(i)
            elif t == day:
                add(i, s, p, q)
            elif t == immediate:
                ioc(i, s, p, q)
            else:
                submit(i, s, p, q, tif=t)
        return b

    benchmark.pedantic(run, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    benchmark.extra_info["engine"] = "regnms-engine Book (add/ioc per call)"


@pytest.mark.benchmark(group=MATCH_GROUP)
def test_reference_book_matching(benchmark):
    def run():
        r = ReferenceBook()
        filled = 0
        for a, i, s, p, q, t in MATCH:
            if a == 1:
                r.submit({"ts": 0, "order_id": i, "side": s, "price": p, "quantity": q, "order_type": 1, "tif": t,
                          "display_quantity": 0, "post_only": 0, "stp": 0, "flags": 0, "participant": 0})
            else:
                r.cancel(0, i)
            filled += sum(e.quantity for e in r.events if e.type == 3)
            r.events.clear()
        return filled

    filled = benchmark.pedantic(run, rounds=1, iterations=1)
    assert filled == _engine_volume() and filled > 0  # the same matching, share for share
    benchmark.extra_info["engine"] = "the project's pure-Python reference book"


@pytest.mark.benchmark(group=MATCH_GROUP)
def test_liquibook_matching(benchmark):
    lb = pytest.importorskip("liquibook", reason="liquibook is not installed (pip install liquibook)")

    def run():
        book = lb.DepthOrderBook()
        live = {}
        for a, i, s, p, q, t in MATCH:
            if a == 1:
                o = lb.SimpleOrder(s == Side.BUY, p, q)
                book.add(o, lb.oc_immediate_or_cancel if t == 3 else lb.oc_no_conditions)
                if t != 3:
                    live[i] = o
            elif i in live:
                book.cancel(live.pop(i))
        return book

    benchmark.pedantic(run, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    benchmark.extra_info["engine"] = "liquibook (SWIG wrapper of the C++ library)"
