"""The trade-through audit (REQ-AUD-02, REQ-RPT-01): every trade of a tape
checked against the protected quotes as they stood when it printed, with the
engine's own Rule 611 decision (``ProtectedBook.check_print``), so the audit
and the hot path cannot disagree.

For each day, the quotes (each venue's, from a quote file) are fed in time
order into a ``ProtectedBook`` that knows every quoting venue; before each
trade, the quote updates strictly older than it are applied (a quote stamped
in the same instant as a trade is applied after it: it may be the venue's
reaction to that trade). The trade is then classified:

* ``inside``: at or within the protected best bid and offer;
* a trade-through cleared by an exception, named by the engine's code
  (``CROSSED_MARKET``, ``FLICKER`` for the one-second look-back, ``SUB_PENNY``,
  ``SELF_HELP``, ``ISO_RECEIVED`` for an ISO print, ``AUCTION``, ``BENCHMARK``,
  ``NON_REGULAR_WAY``, ``STOPPED``, ``MIXED`` when quotes were cleared by
  different codes), its sale conditions mapped as REQ-RPT-01 lays out (the
  stopped-order exception (b)(9) is by side and the tape names none: a
  stopped print above the protected offer is taken as a sale, else a
  purchase);
* ``exempt``: a print Rule 611 does not cover (qualified contingent trade 7,
  the generic exempt code 8);
* ``outside hours``: before 09:30 or after 16:00 New York time (the tape's
  ``DT_NY``), or marked extended hours (T, U);
* ``violation``: a trade-through that nothing clears.

Self-help is not on any feed (REQ-FEED-04): declarations against venues, each
an interval of the day, are passed in (``SelfHelp``) and the engine's own
Rule 611 check honours them, so a print through a venue under self-help is
cleared ``SELF_HELP`` (Rule 611(b)(1)).

For every trade-through it measures the displayed shares traded through (the
sizes of the protected quotes bypassed: the SEC's measure) and the amount,
in cents a share, beyond the best protected price traded through.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

import numpy as np

from engine._core import ProtectedBook
from engine.dtypes import QUOTE_DTYPE
from engine.enums import ComplianceCode, Side
from engine.replay.quotes import QuoteFile, quotes_from_frame
from engine.surveil.trades import MICROS_PER_DOLLAR, Tape

# REQ-RPT-01: sale conditions -> the order flags the Rule 611 check reads
ISO, NON_REGULAR_WAY, AUCTION, BENCHMARK, STOPPED = 1 << 2, 1 << 3, 1 << 4, 1 << 5, 1 << 6
CONDITION_FLAGS = {"F": ISO, "O": AUCTION, "5": AUCTION, "6": AUCTION, "Q": AUCTION, "M": AUCTION,
                   "4": BENCHMARK, "W": BENCHMARK, "B": BENCHMARK, "1": STOPPED,
                   "C": NON_REGULAR_WAY, "N": NON_REGULAR_WAY, "R": NON_REGULAR_WAY}
EXEMPT_CONDITIONS = {"7": "qualified contingent trade", "8": "611 exempt"}
EXTENDED_HOURS = {"T", "U"}
OPEN_NS, CLOSE_NS = (9 * 3600 + 1800) * 1_000_000_000, 16 * 3600 * 1_000_000_000
UNITS_PER_MICRO = 100  # a $0.0001 unit in micro-dollars

CLASSES = ["inside", "cleared", "violation", "exempt", "outside hours", "no quotes"]


@dataclass
class AuditResult:
    """Every trade's class and code, and the totals the report reads."""

    trades: dict  # column -> numpy array, a row per trade (day, ts, venue, price, size, class, code, ...)
    venues: list[str]
    quote_venues: list[str]
    days: list[str]
    notes: list[str] = field(default_factory=list)

    def _mask(self, cls: str) -> np.ndarray:
        return self.trades["class"] == cls

    def totals(self, by: Optional[str] = None) -> dict:
        """Trades, shares, dollars, displayed shares traded through and the mean
        amount traded through (cents a share) per class and code (``by``: also
        per ``"venue"`` or ``"day"``)."""
        t = self.trades
        columns = [t["class"], t["code"]] if by is None else [t[by], t["class"], t["code"]]
        key = np.array(["\x1f".join(parts) for parts in zip(*(c.tolist() for c in columns))], dtype=object)
        if not len(key):
            return {}
        names, first, group = np.unique(key, return_index=True, return_inverse=True)
        size = t["size"].astype(np.int64)
        sums = {"trades": np.bincount(group), "shares": np.bincount(group, weights=size),
                "dollars": np.bincount(group, weights=t["price"] * size / MICROS_PER_DOLLAR),
                "shares_through": np.bincount(group, weights=t["shares_through"]),
                "cents_through": np.bincount(group, weights=t["cents_through"])}
        out: dict = {}
        for g in np.argsort(first, kind="stable").tolist():  # in the order first met
            k = tuple(c[first[g]] for c in columns)
            out[k] = {"trades": int(sums["trades"][g]), "shares": int(sums["shares"][g]),
                      "dollars": float(sums["dollars"][g]), "shares_through": int(sums["shares_through"][g]),
                      "mean_cents_through": float(sums["cents_through"][g] / sums["trades"][g])}
        return out

    def exception_rates(self) -> dict[str, float]:
        """The share of audited trades (within hours, with quotes) that each
        exception cleared, and the violation rate (REQ-AUD-02)."""
        t = self.trades
        audited = np.isin(t["class"], ["inside", "cleared", "violation"])
        n = int(audited.sum())
        rates = Counter(t["code"][audited & self._mask("cleared")].tolist())
        out = {code: count / n for code, count in sorted(rates.items())} if n else {}
        out["violation"] = int(self._mask("violation").sum()) / n if n else 0.0
        return out

    def summary(self) -> str:
        t = self.trades
        n = len(t["class"])
        counts = Counter(t["class"].tolist())
        through = t["class"] == "cleared"
        lines = [f"trade-through audit: {n:,} trades on {', '.join(self.days)} against quotes from "
                 f"{len(self.quote_venues)} venues (times from DT_NY; a quote in the same instant as a trade "
                 f"is applied after it)"]
        for cls in CLASSES:
            if counts.get(cls):
                lines.append(f"  {cls}: {counts[cls]:,} ({100 * counts[cls] / n:.2f}%)")
        for code, count in Counter(t["code"][through].tolist()).most_common():
            mine = through & (t["code"] == code)
            lines.append(f"    cleared by {code}: {count:,} trades, {int(t['size'][mine].sum()):,} shares,"
                         f" {int(t['shares_through'][mine].sum()):,} displayed shares traded through,"
                         f" {float(t['cents_through'][mine].mean()):.2f} cents a share beyond")
        bad = self._mask("violation")
        if bad.any():
            lines.append(f"    violations: {int(bad.sum()):,} trades, {int(t['size'][bad].sum()):,} shares,"
                         f" {int(t['shares_through'][bad].sum()):,} displayed shares traded through,"
                         f" {float(t['cents_through'][bad].mean()):.2f} cents a share beyond")
        rates = self.exception_rates()
        lines.append("  exception rates (of trades audited): " + ", ".join(
            f"{k} {100 * v:.2f}%" for k, v in rates.items()))
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    def to_pandas(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.trades)


def _flags(conditions: str) -> tuple[int, Optional[str], bool]:
    """(order flags, exempt reason or None, extended hours) of a sale-condition text."""
    flags, exempt, extended = 0, None, False
    for c in conditions:
        flags |= CONDITION_FLAGS.get(c, 0)
        exempt = exempt or EXEMPT_CONDITIONS.get(c)
        extended = extended or c in EXTENDED_HOURS
    return flags, exempt, extended


@dataclass(frozen=True)
class SelfHelp:
    """A self-help declaration against ``venue`` (Rule 611(b)(1), REQ-SH-01):
    from ``start`` to ``end`` (ns after midnight; ``None``: to the end of the
    day), on ``day`` (YYYY-MM-DD; ``None``: every day of the tape)."""

    venue: str
    start: int
    end: Optional[int] = None
    day: Optional[str] = None

    @classmethod
    def parse(cls, text: str) -> "SelfHelp":
        """``"VENUE [YYYY-MM-DD] HH:MM[:SS[.f]]-[HH:MM[:SS[.f]]]"``, e.g. ``"P 10:15-10:30"``."""
        parts = text.split()
        if len(parts) not in (2, 3) or "-" not in parts[-1]:
            raise ValueError(f"self-help {text!r}: expected 'VENUE [YYYY-MM-DD] HH:MM[:SS]-[HH:MM[:SS]]'")
        first, _, last = parts[-1].partition("-")
        day = parts[1] if len(parts) == 3 else None
        if day is not None and (len(day) != 10 or day[4] != "-" or day[7] != "-" or not day.replace("-", "").isdigit()):
            raise ValueError(f"self-help {text!r}: day {day!r} is not YYYY-MM-DD")
        start, end = _clock(first, text), (_clock(last, text) if last else None)
        if end is not None and end <= start:
            raise ValueError(f"self-help {text!r}: ends before it starts")
        return cls(parts[0], start, end, day)


def _clock(text: str, where: str) -> int:
    h, _, rest = text.partition(":")
    m, _, s = rest.partition(":")
    try:
        seconds = int(h) * 3600 + int(m) * 60
        whole, _, frac = (s or "0").partition(".")
        if not (0 <= int(h) < 24 and 0 <= int(m) < 60 and 0 <= int(whole) < 60) or (frac and not frac.isdigit()):
            raise ValueError
        return (seconds + int(whole)) * 1_000_000_000 + int(frac.ljust(9, "0")[:9] or 0)
    except ValueError:
        raise ValueError(f"self-help {where!r}: time {text!r} is not HH:MM[:SS[.f]]") from None


def _quotes_by_day(tape: Tape, quotes: Any) -> dict:
    """``quotes`` as {day or (day, symbol): QuoteFile}: a dict as given, one
    QuoteFile for a one-day tape, or a DataFrame in either quote layout."""
    if isinstance(quotes, dict):
        return quotes
    if isinstance(quotes, QuoteFile):
        if len(tape.days) > 1:
            raise ValueError(f"quotes: one day's quotes for a tape of {len(tape.days)} days: pass {{day: QuoteFile}}")
        return {day: quotes for day in tape.days}
    out = {(day, sym): quotes_from_frame(quotes, date=day, symbol=sym or None) for day, sym in tape.pieces()}
    if len(tape.days) > 1 and not any(q.days for q in out.values()):
        raise ValueError(f"quotes: a frame without days (ts after midnight) for a tape of {len(tape.days)} days")
    return out


def audit_trades(tape: Tape, quotes: Any, self_help: Iterable[SelfHelp] = ()) -> AuditResult:
    """Classify every trade of ``tape`` against the quotes of its day and
    symbol: ``quotes[(day, symbol)]`` or ``quotes[day]``, a quote file read
    for that day and symbol (``read_quotes(path, date=day, symbol=symbol)``);
    or one QuoteFile for a one-day tape; or a pandas DataFrame with a quote
    file's columns. ``self_help`` declarations are in force (see the module
    for the rules). Quotes that mix symbols are refused: one book of them
    would be no symbol's protected quotes."""
    trades, quote_venues, notes = classify(tape, _quotes_by_day(tape, quotes), list(self_help))
    note = crossed_note(trades["code"])
    return AuditResult(trades, tape.venues, quote_venues, tape.days, notes + ([note] if note else []))


def crossed_note(code: np.ndarray) -> Optional[str]:
    """The finding to report when trade-throughs were cleared as crossed."""
    crossed = int((code == ComplianceCode.CROSSED_MARKET.name).sum())
    if not crossed:
        return None
    return (f"{crossed:,} trade-throughs are cleared because the protected quotes were crossed: crossed quotes are "
            f"a sign of stale ones (a thinned quote sample), so this is a finding about the data, and the violations "
            f"then largely measure missing quote updates, not the trading centers")


def classify(tape: Tape, by_key: dict, declared: list[SelfHelp],
             several: Optional[bool] = None) -> tuple[dict, list[str], list[str]]:
    """Each trade's columns with its class, code and measures; the venues of
    the first quotes met; notes. ``several``: name the symbol in notes
    (default: when the tape has several; a piece of a bigger tape is told)."""
    n = len(tape)
    cls = np.empty(n, dtype=object)
    code = np.empty(n, dtype=object)
    shares_through = np.zeros(n, dtype=np.int64)
    cents_through = np.zeros(n, dtype=np.float64)
    through_venues = np.empty(n, dtype=object)
    notes = []
    venues: list[str] = []
    symbol = tape.symbol_of()
    if several is None:
        several = len(set(symbol.tolist())) > 1
    for day, sym in tape.pieces():
        rows = np.flatnonzero((tape.day == day) & (symbol == sym))
        label = f"{sym} on {day}" if several else day
        q = by_key.get((day, sym), by_key.get(day))
        if q is not None and len(q.symbols) > 1:
            raise ValueError(f"quotes for {label} hold {len(q.symbols)} symbols ({', '.join(q.symbols[:5])}): "
                             f"read them per symbol (read_quotes(path, date=day, symbol=symbol))")
        if q is None or not len(q.quotes):
            notes.append(f"no quotes for {label}: its trades are classed 'no quotes'")
        else:
            venues = venues or q.venues
        day_venues = q.venues if q is not None else []
        mine = [d for d in declared if d.day in (None, day)]
        for d in mine:
            if d.venue not in day_venues:
                notes.append(f"self-help declared against {d.venue} on {label}, which has no quotes that day")
        _audit_day(tape, rows, q.quotes if q is not None else np.zeros(0, dtype=QUOTE_DTYPE), day_venues,
                   [d for d in mine if d.venue in day_venues], cls, code, shares_through, cents_through,
                   through_venues)
    trades = {"day": tape.day, "symbol": symbol, "ts": tape.ts,
              "venue": np.array(tape.venues, dtype=object)[tape.venue], "price": tape.price, "size": tape.size,
              "conditions": tape.conditions, "class": cls, "code": code, "through": through_venues,
              "shares_through": shares_through, "cents_through": cents_through}
    return trades, venues, notes


def _audit_day(tape: Tape, rows: np.ndarray, quotes: np.ndarray, venues: list[str], self_help: list[SelfHelp],
               cls: np.ndarray, code: np.ndarray, shares_through: np.ndarray, cents_through: np.ndarray,
               through_venues: np.ndarray) -> None:
    book = ProtectedBook("AUDIT", venues=venues or ["none"])
    for d in self_help:
        book.declare_self_help(d.venue, d.start, d.end)
    order = rows[np.argsort(tape.ts[rows], kind="stable")]
    # per trade, worked out for all at once: the quotes strictly older, the price in units, the conditions' meaning
    cuts = np.searchsorted(quotes["ts"], tape.ts[order], side="left").tolist() if len(quotes) else [0] * len(order)
    all_units = ((tape.price[order] + UNITS_PER_MICRO // 2) // UNITS_PER_MICRO).tolist()  # nearest $0.0001
    meaning = {c: _flags(c) for c in set(tape.conditions[order].tolist())}
    applied = 0
    seen = np.zeros(max(len(venues), 1), dtype=bool)
    for k, i in enumerate(order.tolist()):
        ts = int(tape.ts[i])
        cut = cuts[k]
        if cut > applied:
            batch = np.ascontiguousarray(quotes[applied:cut])
            book.update_quotes(batch)
            seen[batch["venue"]] = True
            applied = cut
        flags, exempt, extended = meaning[tape.conditions[i]]
        through_venues[i] = ()
        if extended or ts < OPEN_NS or ts >= CLOSE_NS:
            cls[i], code[i] = "outside hours", ""
            continue
        if exempt:
            cls[i], code[i] = "exempt", exempt
            continue
        if not seen.any():
            cls[i], code[i] = "no quotes", ""
            continue
        units = all_units[k]
        side = Side.BUY
        if flags & STOPPED:  # (b)(9) is by side, the tape has none: a print above the offer could be a stopped sell
            offer = book.protected_bbo().offer
            side = Side.SELL if offer is not None and units > offer else Side.BUY
        check = book.check_print(units, side=side, flags=flags, ts=max(ts, book.last_timestamp))
        if not check.through and not check.self_help:
            cls[i], code[i] = "inside", ""
            continue
        cls[i] = "cleared" if check.allowed else "violation"
        code[i] = check.code.name if check.allowed else "NONE"
        through_venues[i] = check.through + check.self_help
        shares, beyond = displayed_through(book, through_venues[i], units)  # the quotes bypassed, cleared or not
        shares_through[i] = shares
        cents_through[i] = beyond / 100  # units of $0.0001 -> cents


def displayed_through(book: ProtectedBook, venues: Iterable[str], price: int) -> tuple[int, int]:
    """The displayed shares of ``venues``' protected quotes that a print at
    ``price`` traded through (the SEC's measure), and how far beyond the best
    of them it printed, in units of $0.0001."""
    shares = beyond = 0
    for name in venues:
        quote = book.quote(name)
        if quote.ask_price is not None and price > quote.ask_price:
            shares += quote.ask_size
            beyond = max(beyond, price - quote.ask_price)
        elif quote.bid_price is not None and price < quote.bid_price:
            shares += quote.bid_size
            beyond = max(beyond, quote.bid_price - price)
    return shares, beyond


__all__ = ["AuditResult", "CLASSES", "CONDITION_FLAGS", "EXEMPT_CONDITIONS", "SelfHelp", "audit_trades", "classify",
           "crossed_note", "displayed_through"]
