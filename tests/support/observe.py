"""What a test observes of a book: its events as comparable tuples, and its state."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from engine import Book, EventType


class Ev(NamedTuple):
    """An event with every field but seq, for exact comparisons."""

    type: EventType
    order_id: int
    side: int = 0
    price: int = 0
    quantity: int = 0
    leaves: int = 0
    contra_id: int = 0
    contra_leaves: int = 0
    reason: int = 0
    liquidity: int = 0
    flags: int = 0
    ts: int = 0


def as_evs(events: np.ndarray) -> list[Ev]:
    return [
        Ev(EventType(int(e["type"])), int(e["order_id"]), int(e["side"]), int(e["price"]),
           int(e["quantity"]), int(e["leaves"]), int(e["contra_id"]), int(e["contra_leaves"]),
           int(e["reason"]), int(e["liquidity"]), int(e["flags"]), int(e["ts"]))
        for e in events
    ]


def take(book: Book) -> list[Ev]:
    """The book's pending events, as Ev tuples."""
    return as_evs(book.take_events())


def kinds(evs: list[Ev]) -> list[EventType]:
    return [e.type for e in evs]


def state(book: Book) -> list[tuple]:
    """Everything observable about the resting orders, in priority order."""
    return [tuple(r.tolist()) for r in book.orders()]


def full_state(book: Book) -> tuple:
    """Book state plus depth and counters: equal before and after a rejected command."""
    bids, asks = book.depth(1000)
    return (state(book), bids.tolist(), asks.tolist(), book.order_count, book.bid_levels, book.ask_levels,
            book.last_timestamp)
