"""Away venues made from a flow's own book: for a historical flow that comes
without other venues' quotes (a LOBSTER file), each "mirror" venue quotes the
flow's top of book as it stood ``lag`` earlier, as a venue linked to this one
by arbitrage does in a fast market. While this book moves and the mirrors
have not caught up, the mirrors show better prices than this book: exactly
when Rule 611 binds (an incoming order that would take this book's worse
price is stopped or routed) and Rule 610(e) binds (a new order that would
lock or cross a mirror's stale quote is slid). These quotes are a model, not
data: a report that uses them says so.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np

from engine.dtypes import QUOTE_DTYPE
from engine.replay.build import replay
from engine.replay.files import lobster_orderbook_for
from engine.replay.quotes import QuoteFile

#: mirror venues and their lags (ns) when none are given: one inside the one-second look-back, one beyond it
DEFAULT_LAGS = {"MIRROR5MS": 5_000_000, "MIRROR2S": 2_000_000_000}
EMPTY_ASK = 9_999_999_999  # LOBSTER's placeholder for an empty level (bids: its negative)


def mirrored_quotes(ts: np.ndarray, bid: np.ndarray, bid_size: np.ndarray, ask: np.ndarray, ask_size: np.ndarray,
                    lags: Optional[dict[str, int]] = None) -> QuoteFile:
    """Quote updates of venues that show the top of book given (after each
    message at ``ts``; empty sides as price 0) ``lags[venue]`` ns later; a
    venue quotes only when the top it shows changes."""
    lags = dict(DEFAULT_LAGS if lags is None else lags)
    if not lags:
        raise ValueError("lags: name at least one mirror venue")
    for name, lag in lags.items():
        if not isinstance(lag, (int, np.integer)) or lag < 0:
            raise ValueError(f"lags: {name}'s lag {lag!r} is not a whole number of ns >= 0")
    top = np.stack([bid, bid_size, ask, ask_size], axis=1).astype(np.int64)
    # the last state of each instant is the one a venue could see
    last_of_instant = np.ones(len(ts), dtype=bool)
    last_of_instant[:-1] = ts[1:] != ts[:-1]
    keep = np.flatnonzero(last_of_instant)
    keep = keep[np.r_[True, (top[keep][1:] != top[keep][:-1]).any(axis=1)]] if len(keep) else keep
    parts = []
    for venue, (name, lag) in enumerate(lags.items()):
        q = np.zeros(len(keep), dtype=QUOTE_DTYPE)
        q["ts"] = ts[keep] + int(lag)
        q["venue"] = venue
        q["bid_price"], q["bid_size"] = top[keep, 0], top[keep, 1]
        q["ask_price"], q["ask_size"] = top[keep, 2], top[keep, 3]
        parts.append(q)
    quotes = np.concatenate(parts) if parts else np.zeros(0, dtype=QUOTE_DTYPE)
    quotes = np.ascontiguousarray(quotes[np.argsort(quotes["ts"], kind="stable")])
    return QuoteFile(quotes, list(lags))


def flow_mirrors(path: str | Path, lags: Optional[dict[str, int]] = None, symbol: Optional[str] = None) -> QuoteFile:
    """:func:`mirrored_quotes` of a LOBSTER or ITCH file's own top of book
    (built as the venue reported it, a LOBSTER file checked against its
    orderbook file when one lies beside it; ``symbol`` for a multi-stock ITCH
    file)."""
    result = replay(path, symbols=[symbol] if symbol else None, orderbook=lobster_orderbook_for(path),
                    book_levels=1, keep_book_states=True)
    if result.book_states is None or result.state_messages is None:
        raise ValueError(f"{path}: no book states")
    messages, states = result.state_messages, result.book_states
    if symbol is None and len(set(messages["locate"].tolist())) > 1:
        raise ValueError(f"{path}: holds several stocks: name one with symbol=")
    if symbol is not None:  # a row per message of any stock: keep the stock's own
        mine = result.symbols_of(messages["locate"]) == symbol
        messages, states = messages[mine], states[mine]
    ask, ask_size, bid, bid_size = (states[:, i] for i in range(4))
    empty_ask, empty_bid = ask >= EMPTY_ASK, bid <= -EMPTY_ASK
    return mirrored_quotes(messages["ts"], np.where(empty_bid, 0, bid), np.where(empty_bid, 0, bid_size),
                           np.where(empty_ask, 0, ask), np.where(empty_ask, 0, ask_size), lags)


__all__ = ["DEFAULT_LAGS", "flow_mirrors", "mirrored_quotes"]
