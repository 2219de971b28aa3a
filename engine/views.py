"""Small read-only results of book queries."""
from __future__ import annotations

from typing import NamedTuple, Optional

from engine.enums import PostOnly, Side, StpMode, TimeInForce


class TopOfBook(NamedTuple):
    """Best displayed bid and offer; a price is None when that side shows nothing."""

    bid_price: Optional[int]
    bid_quantity: int
    ask_price: Optional[int]
    ask_quantity: int


class OrderState(NamedTuple):
    """One live order, as :meth:`engine.Book.order` reports it."""

    order_id: int
    side: Side
    price: int  #: the price it is ranked at, in units of $0.0001
    leaves: int  #: everything left to execute: displayed + reserve (or all of a hidden order)
    displayed: int  #: shown to the market (0 for a hidden order)
    reserve: int  #: reserve not yet displayed
    filled: int  #: executed so far
    display_quantity: int  #: a reserve order's display size (0 otherwise)
    participant: int
    tif: TimeInForce
    stp: StpMode
    post_only: PostOnly
    hidden: bool
    ts: int  #: time of its current priority


__all__ = ["OrderState", "TopOfBook"]
