"""Small read-only results of book queries."""
from __future__ import annotations

from typing import NamedTuple, Optional

from engine.enums import ComplianceCode, LockCrossMode, PostOnly, Side, StpMode, TimeInForce


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
    display_price: int  #: the price shown (one tick away when slid; 0 when hidden)
    limit_price: int  #: its own limit (it may rank elsewhere: slid or adjusted)
    lock_cross: LockCrossMode
    repriced: bool  #: ranked away from its limit, re-priced as quotes move
    routable: bool


class ProtectedBBO(NamedTuple):
    """The protected best bid and offer, with every venue at each price (REQ-PQ-04)."""

    bid: Optional[int]
    bid_venues: tuple[str, ...]
    offer: Optional[int]
    offer_venues: tuple[str, ...]
    crossed: bool
    locked: bool
    version: int


class PrintCheck(NamedTuple):
    """The Rule 611 decision for one print (``ProtectedBook.check_print``)."""

    allowed: bool
    code: ComplianceCode  #: what allows it, or why it is blocked
    through: tuple[str, ...]  #: protected quotes the print trades through
    blocked: tuple[str, ...]  #: of those, the ones nothing clears
    self_help: tuple[str, ...]  #: self-help venues it would have traded through, (b)(1)
    venue_codes: dict[str, ComplianceCode]  #: what cleared each venue


class AwayQuote(NamedTuple):
    """One venue's latest best bid and offer as the protected-quote table holds it."""

    venue: str
    bid_price: Optional[int]
    bid_size: int
    bid_automated: bool
    ask_price: Optional[int]
    ask_size: int
    ask_automated: bool
    closed: bool
    ts: Optional[int]


__all__ = ["AwayQuote", "OrderState", "PrintCheck", "ProtectedBBO", "TopOfBook"]
