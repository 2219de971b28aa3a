"""Rule 611 on versus off: the same flow (commands and away venues' quotes, in
one schedule) through two ``ProtectedBook``s, one under the rule (the
trade-through check and lock/cross handling on) and one with both switched
off, and what the rule changes (the SEC proposed rescinding Rules 611 and
610(e) in June 2026, so "what if the rule goes" is a live question).

For each regime: fills, shares and dollars; the takers' average prices (buys
and sells apart); fills stopped (BLOCKED), shares routed away (ROUTE), orders
cancelled back for a trade-through, orders re-priced (slid or adjusted) or
refused for locking or crossing a protected quote; and, for the fills, the
shares and dollars that traded through a protected quote with nothing to
clear it and the displayed shares traded through, judged by an observer
book that sees the same quotes with the rule on.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Optional

import numpy as np

from engine._core import ProtectedBook
from engine.enums import EventType, Reason, Side
from engine.surveil.audit import displayed_through
from engine.replay.quotes import QuoteFile, read_quotes
from engine.replay.rematch import rematch


@dataclass
class Regime:
    """What one regime did with the flow."""

    fills: int = 0
    shares: int = 0
    dollars: float = 0.0
    taker_buy_shares: int = 0
    taker_buy_dollars: float = 0.0
    taker_sell_shares: int = 0
    taker_sell_dollars: float = 0.0
    blocked: int = 0  # fill attempts stopped (BLOCKED events)
    routed_shares: int = 0  # sent to away venues (ROUTE events)
    cancelled_for_trade_through: int = 0
    repriced: int = 0  # slid or price-adjusted (REPRICED events)
    refused_lock_cross: int = 0  # orders rejected because they would lock or cross
    through_fills: int = 0  # fills through a protected quote with nothing to clear them
    through_shares: int = 0
    through_dollars: float = 0.0
    displayed_shares_through: int = 0

    @property
    def taker_buy_price(self) -> float:
        return self.taker_buy_dollars / self.taker_buy_shares if self.taker_buy_shares else float("nan")

    @property
    def taker_sell_price(self) -> float:
        return self.taker_sell_dollars / self.taker_sell_shares if self.taker_sell_shares else float("nan")


@dataclass
class OnOffResult:
    on: Regime
    off: Regime
    notes: list[str] = field(default_factory=list)  # where the quotes may not be the flow's

    def differences(self) -> dict[str, float]:
        """Off minus on, for every count."""
        return {f.name: getattr(self.off, f.name) - getattr(self.on, f.name) for f in fields(Regime)}

    def summary(self) -> str:
        on, off = self.on, self.off
        rows = [("fills", "fills"), ("shares filled", "shares"), ("dollars filled", "dollars"),
                ("fills stopped (BLOCKED)", "blocked"), ("shares routed away", "routed_shares"),
                ("orders cancelled back (would trade through)", "cancelled_for_trade_through"),
                ("orders re-priced (slid, adjusted)", "repriced"),
                ("orders refused (would lock or cross)", "refused_lock_cross"),
                ("fills through a protected quote, unexcused", "through_fills"),
                ("  their shares", "through_shares"), ("  their dollars", "through_dollars"),
                ("  displayed shares traded through", "displayed_shares_through")]
        lines = ["Rule 611 and 610(e) on versus off, the same flow and quotes:",
                 f"  {'':46} {'on':>14} {'off':>14} {'off - on':>14}"]
        for label, name in rows:
            a, b = getattr(on, name), getattr(off, name)
            fmt = "{:>14,.2f}" if isinstance(a, float) else "{:>14,}"
            lines.append(f"  {label:46} " + " ".join(fmt.format(v) for v in (a, b, b - a)))
        for label, name in (("takers' average buy price ($)", "taker_buy_price"),
                            ("takers' average sell price ($)", "taker_sell_price")):
            a, b = getattr(on, name), getattr(off, name)
            lines.append(f"  {label:46} {a:>14.4f} {b:>14.4f} {b - a:>+14.4f}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


class _Observer:
    """A book that sees only the away quotes, with the rule on: it judges
    each fill of either regime. Fed either in a schedule's order
    (:meth:`update`) or by time (``quotes``: every quote stamped at or before a
    fill is applied before it, as the Rematcher applies them)."""

    def __init__(self, symbol: str, venues: list[str], quotes: Optional[np.ndarray] = None) -> None:
        self.book = ProtectedBook(symbol, venues=venues)
        self.quotes = quotes
        self.applied = 0

    def update(self, batch: np.ndarray) -> None:
        self.book.update_quotes(batch)

    def judge(self, ts: int, price: int) -> tuple[bool, int]:
        """(traded through a protected quote with nothing to clear it, the
        displayed shares of the quotes it traded through)."""
        if self.quotes is not None:
            cut = int(np.searchsorted(self.quotes["ts"], ts, side="right"))
            if cut > self.applied:
                self.book.update_quotes(np.ascontiguousarray(self.quotes[self.applied:cut]))
                self.applied = cut
        book = self.book
        last = book.last_timestamp
        check = book.check_print(price, ts=ts if last is None else max(ts, last))
        if check.allowed or not check.through:
            return False, 0
        return True, displayed_through(book, check.blocked, price)[0]


def _record(regime: Regime, events: np.ndarray, observer: _Observer) -> None:
    t = events["type"]
    fills = events[t == EventType.FILL]  # one event a fill, on the taker's side (liquidity: the maker's)
    regime.fills += len(fills)
    qty, price = fills["quantity"].astype(np.int64), fills["price"].astype(np.int64)
    regime.shares += int(qty.sum())
    regime.dollars += float((qty * price).sum()) / 10_000
    buys = fills["side"] == Side.BUY
    regime.taker_buy_shares += int(qty[buys].sum())
    regime.taker_buy_dollars += float((qty[buys] * price[buys]).sum()) / 10_000
    regime.taker_sell_shares += int(qty[~buys].sum())
    regime.taker_sell_dollars += float((qty[~buys] * price[~buys]).sum()) / 10_000
    regime.blocked += int((t == EventType.BLOCKED).sum())
    regime.routed_shares += int(events["quantity"][t == EventType.ROUTE].sum())
    regime.cancelled_for_trade_through += int(((t == EventType.CANCELLED)
                                               & (events["reason"] == Reason.WOULD_TRADE_THROUGH)).sum())
    regime.repriced += int(((t == EventType.REPRICED) & np.isin(events["reason"], [Reason.SLID,
                                                                                  Reason.PRICE_ADJUSTED])).sum())
    regime.refused_lock_cross += int(((t == EventType.REJECTED) & (events["reason"] == Reason.WOULD_LOCK_CROSS)).sum())
    for ts, p, q in zip(fills["ts"].tolist(), price.tolist(), qty.tolist()):
        through, displayed = observer.judge(ts, p)
        if through:
            regime.through_fills += 1
            regime.through_shares += q
            regime.through_dollars += q * p / 10_000
            regime.displayed_shares_through += displayed


def rule611_on_off(commands: np.ndarray, quotes: np.ndarray, schedule: np.ndarray, venues: list[str],
                   symbol: str = "X") -> OnOffResult:
    """Run ``commands`` (``COMMAND_DTYPE``) and ``quotes`` (``QUOTE_DTYPE``) in
    the order ``schedule`` gives (``>= 0``: that command; ``< 0``: quote
    ``-s - 1``, as engine.flow.generate_mixed makes it) under both regimes."""
    schedule = np.asarray(schedule, dtype=np.int64)
    on = ProtectedBook(symbol, venues=venues)
    off = ProtectedBook(symbol, venues=venues)
    off.configure(rule611=False, lock_cross_protection=False)
    observer = _Observer(symbol, venues)  # the quotes alone, to judge the fills under the rule
    result = OnOffResult(Regime(), Regime())
    is_quote = schedule < 0
    starts = np.flatnonzero(np.r_[True, is_quote[1:] != is_quote[:-1]])
    for a, b in zip(starts.tolist(), np.r_[starts[1:], len(schedule)].tolist()):
        run = schedule[a:b]
        if is_quote[a]:
            batch = np.ascontiguousarray(quotes[-run - 1])
            for book, regime in ((on, result.on), (off, result.off)):
                _record(regime, book.update_quotes(batch), observer)  # re-pricing the quotes cause
            observer.update(batch)
        else:
            batch = np.ascontiguousarray(commands[run])
            for book, regime in ((on, result.on), (off, result.off)):
                _record(regime, book.execute(batch), observer)
    return result


def rematch_on_off(path: str | Path, quotes: str | Path | QuoteFile, *, symbol: Optional[str] = None,
                   quote_date: Optional[str] = None, quote_feed: Optional[str] = None,
                   progress: bool = False) -> OnOffResult:
    """A LOBSTER or ITCH file's flow re-matched (engine.replay.rematch: each
    historical execution an inferred incoming IOC) against away quotes (a
    quote file, or :func:`mirrored_quotes` of the flow itself) under both
    regimes."""
    q = quotes if isinstance(quotes, QuoteFile) else read_quotes(quotes, feed=quote_feed, date=quote_date)
    result = OnOffResult(Regime(), Regime())
    for regime, rule in ((result.on, True), (result.off, False)):
        observer = _Observer("X", q.venues, q.quotes)
        run = rematch(path, q, symbol=symbol, quote_date=quote_date, rule611=rule, progress=progress,
                      on_events=lambda ev, regime=regime, observer=observer: _record(regime, ev, observer))
        result.notes = run.notes
    return result


__all__ = ["OnOffResult", "Regime", "rematch_on_off", "rule611_on_off"]
