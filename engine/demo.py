"""The built-in demo: generate order flow, run it through a book, and report
what happened and how fast."""
from __future__ import annotations

import platform
import time
from typing import Callable

import numpy as np

import engine
from engine._core import Book
from engine.enums import EventType, Reason
from engine.events import event_counts, format_events
from engine.flow import PROFILES, generate_flow, resting_orders
from engine.prices import format_price


def _per_order_submit_ns(n: int, seed: int) -> float:
    """Mean cost of one resting-limit ``Book.submit`` called from Python."""
    orders = resting_orders(n, seed)
    ids, sides, prices, qtys = (orders[f].tolist() for f in ("order_id", "side", "price", "quantity"))
    book = Book("LOOP")
    submit = book.submit
    t0 = time.perf_counter_ns()
    for i in range(n):
        submit(ids[i], sides[i], prices[i], qtys[i])
    elapsed = time.perf_counter_ns() - t0
    return elapsed / n


def depth_table(book: Book, levels: int) -> list[str]:
    """The top ``levels`` displayed levels as a two-sided text table."""
    bids, asks = book.depth(levels)

    def cells(rows: np.ndarray, i: int) -> tuple[str, str]:
        if i >= len(rows):
            return "", ""
        return format_price(int(rows[i]["price"])), str(int(rows[i]["quantity"]))

    lines = [f"{'bid qty':>10} {'bid':>10}   {'ask':<10} {'ask qty':<10}"]
    for i in range(max(len(bids), len(asks))):
        bid_px, bid_qty = cells(bids, i)
        ask_px, ask_qty = cells(asks, i)
        lines.append(f"{bid_qty:>10} {bid_px:>10}   {ask_px:<10} {ask_qty:<10}")
    return lines


def run_demo(messages: int = 200_000, seed: int = 7, profile: str = "ten_dollars",
             show_events: int = 12, out: Callable[[str], None] = print) -> dict:
    """Run the demo and print a report; returns the figures it printed."""
    prof = PROFILES[profile]
    out(f"engine {engine.__version__}: Python {platform.python_version()} on {platform.machine()},"
        f" {platform.system()}")
    out(f"Generating {messages:,} messages of '{profile}' flow (seed {seed}, start {format_price(prof.start_price)},"
        f" {prof.tick_regime.name} ticks)...")
    t0 = time.perf_counter()
    flow = generate_flow(messages, seed=seed, profile=prof)
    out(f"  generated in {time.perf_counter() - t0:.2f} s")

    book = Book("DEMO", tick_regime=prof.tick_regime)
    t0 = time.perf_counter_ns()
    events = book.execute(flow)
    elapsed_ns = time.perf_counter_ns() - t0
    rate = messages / (elapsed_ns / 1e9) if elapsed_ns else float("inf")
    per_msg = elapsed_ns / messages if messages else 0.0

    out("")
    out(f"Batch run: {messages:,} messages in {elapsed_ns / 1e6:.1f} ms = {rate / 1e6:.2f} M msg/s"
        f" ({per_msg:.0f} ns per message, {len(events):,} events)")
    fills = events[events["type"] == EventType.FILL]
    shares = int(fills["quantity"].sum())
    notional = float((fills["price"].astype(np.float64) * fills["quantity"]).sum()) / 1e4
    out(f"  fills: {len(fills):,} for {shares:,} shares, ${notional:,.2f} notional")
    counts = event_counts(events)
    out("  events: " + ", ".join(f"{t.name} {counts.get(t.name, 0):,}" for t in EventType if counts.get(t.name)))
    rejects = {k.split(":", 1)[1]: v for k, v in counts.items() if k.startswith("REJECTED:")}
    if rejects:
        too_late = rejects.get(Reason.UNKNOWN_ORDER_ID.name, 0)
        out("  rejects: " + ", ".join(f"{k} {v:,}" for k, v in rejects.items())
            + (f" ({too_late:,} are cancels of orders that had just executed)" if too_late else ""))
    problem = book.check_integrity()
    out(f"  book after the run: {len(book):,} resting orders, {book.bid_levels} bid and {book.ask_levels} offer"
        f" levels, {book.memory_bytes / 1024:.0f} KiB; integrity {'OK' if problem is None else problem}")

    out("")
    for line in depth_table(book, 5):
        out(line)

    if show_events:
        out("")
        out(f"The first {show_events} events:")
        out(format_events(events, limit=show_events))

    loop_n = min(100_000, max(messages, 1))
    submit_ns = _per_order_submit_ns(loop_n, seed)
    out("")
    out(f"Per-order calls: {loop_n:,} resting limit orders via Book.submit() from a Python loop:"
        f" {submit_ns:.0f} ns per call (loop included)")
    return {"messages": messages, "elapsed_ns": elapsed_ns, "messages_per_second": rate, "fills": len(fills),
            "shares": shares, "resting_orders": len(book), "integrity": problem, "submit_ns": submit_ns,
            "top": book.top()}
