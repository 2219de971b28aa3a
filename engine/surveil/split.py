"""A TAQ tape and its quotes split by (symbol, day), each piece audited on
its own, and the pieces put back in the tape's order: how a tape of many
symbols is audited, in one process (``surveil``) or on Dask workers
(``surveil_parallel``), with the same result.

* The split reads each file once and writes each (symbol, day) piece's rows,
  as they are, to a CSV file of its own in a work folder (which, on a
  cluster, every worker must see), each row with its line in the original
  file, so the readers' errors name the line a user can find. Corrected or
  cancelled prints (``CORR``) are dropped and counted here, as the reader
  does.
* :func:`audit_piece` reads one piece's trades and quotes with the same
  readers and classifies them as the single-process audit does.
* :func:`merge_tape` and :func:`merge_audit` put the rows back in tape
  order, so the audit and its notes do not depend on how the pieces ran.
"""
from __future__ import annotations

import csv
import io
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

import numpy as np

from engine.replay.files import SOURCE_LINE, ReplayError, open_stream
from engine.replay.parallel import worker_name
from engine.replay.rematch import safe_symbol
from engine.replay.quotes import TAQ_COLUMNS
from engine.surveil.audit import AuditResult, SelfHelp, classify, crossed_note
from engine.surveil.tape_quotes import piece_quotes, symbol_note
from engine.surveil.trades import TRADE_COLUMNS, Tape, read_trades


@dataclass
class TaqSplit:
    """A tape and its quotes split by (symbol, day)."""

    trades: str
    quotes: Optional[str]
    folder: Path
    pieces: list[dict]  # {"day", "symbol", "trades", "quotes", "order"}, by (day, symbol)
    corrected: int
    rows: int  # the tape's trades kept
    seconds: float


def split_taq(trades: str | Path, quotes: str | Path | None, folder: str | Path, *, date: Optional[str] = None,
              symbol: Optional[str] = None) -> TaqSplit:
    """Split a TAQ trades file, and its TAQ quote file, by (symbol, day)
    into ``folder`` (see the module)."""
    t0 = time.perf_counter()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pieces: dict[tuple[str, str], dict] = {}
    corrected = kept = 0
    with _Writers(TRADE_COLUMNS, str(trades)) as out:
        for line, r, col in out.rows(trades):
            day, sym = r[col["DT_NY"]][:10], r[col["SYMBOL"]]
            if (date and day != date) or (symbol and sym != symbol):
                continue
            if "CORR" in col and r[col["CORR"]] not in ("", "0", "00"):
                corrected += 1
                continue
            piece = pieces.get((day, sym))
            if piece is None:
                stem = str(folder / f"{safe_symbol(sym)}_{day}")
                piece = pieces[(day, sym)] = {"day": day, "symbol": sym, "trades": stem + ".trades.csv",
                                              "quotes": None, "order": stem + ".order.npy", "rows": []}
            out.write(piece["trades"], r, line)
            piece["rows"].append(kept)
            kept += 1
    for piece in pieces.values():
        np.save(piece["order"], np.array(piece.pop("rows"), dtype=np.int64))
    if quotes is not None:
        _split_quotes(quotes, pieces)
    return TaqSplit(str(trades), str(quotes) if quotes else None, folder, [pieces[k] for k in sorted(pieces)],
                    corrected, kept, time.perf_counter() - t0)


def _split_quotes(quotes: str | Path, pieces: dict) -> None:
    """Each piece's quote rows into a file beside its trades: by (day,
    symbol), or by day alone when the tape has one symbol (the rows are then
    chosen as :func:`piece_quotes` chooses them). A quote file of the
    project's own layout (one day, one symbol, no SYMBOL) serves a one-piece
    tape whole."""
    one_symbol = len({sym for _, sym in pieces}) == 1
    by_day = {day: piece for (day, _), piece in pieces.items()}
    with open_stream(quotes) as raw:
        header = next(csv.reader(io.TextIOWrapper(raw, encoding="ascii", newline="")), None)
    if header is None or header[: len(TAQ_COLUMNS)] != TAQ_COLUMNS:
        if len(pieces) == 1:
            next(iter(pieces.values()))["quotes"] = str(quotes)
            return
        raise ReplayError(f"{quotes}: line 1: splitting by symbol and day needs TAQ quotes ({','.join(TAQ_COLUMNS)})")
    with _Writers(TAQ_COLUMNS, str(quotes)) as out:
        for line, r, col in out.rows(quotes):
            day = r[col["DT_NY"]][:10]
            piece = by_day.get(day) if one_symbol else pieces.get((day, r[col["SYMBOL"]] if "SYMBOL" in col else ""))
            if piece is None:
                continue
            piece["quotes"] = piece["trades"][: -len(".trades.csv")] + ".quotes.csv"
            out.write(piece["quotes"], r, line)


class _Writers:
    """CSV piece files written as rows arrive, each with the original header
    and a last column holding the row's line in the original file."""

    def __init__(self, needed: list[str], name: str) -> None:
        self.needed, self.name = needed, name
        self.files: dict[str, tuple[Any, Any]] = {}
        self.header: list[str] = []

    def rows(self, path: str | Path) -> Iterator[tuple[int, list[str], dict]]:
        with open_stream(path) as raw:
            reader = csv.reader(io.TextIOWrapper(raw, encoding="ascii", newline=""))
            self.header = next(reader, None) or []
            if any(c not in self.header for c in self.needed):
                raise ReplayError(f"{self.name}: line 1: expected a TAQ header with {','.join(self.needed)}")
            col = {c: i for i, c in enumerate(self.header)}
            last = max(col[c] for c in ("DT_NY", "SYMBOL") if c in col)
            for line, r in enumerate(reader, start=2):
                if not r:
                    continue
                if len(r) <= last:
                    raise ReplayError(f"{self.name}: line {line}: malformed row (too few fields)")
                yield line, r, col

    def write(self, path: str, row: list[str], line: int) -> None:
        entry = self.files.get(path)
        if entry is None:
            handle = open(path, "w", newline="")
            entry = self.files[path] = (handle, csv.writer(handle))
            entry[1].writerow(self.header + [SOURCE_LINE])
        entry[1].writerow(row + [""] * (len(self.header) - len(row)) + [line])

    def __enter__(self) -> "_Writers":
        return self

    def __exit__(self, *exc: object) -> None:
        for handle, _ in self.files.values():
            handle.close()


# --------------------------------------------------------------- the task
def audit_piece(piece: dict, trades_name: str, quotes_name: Optional[str], self_help: list, several: bool,
                audit: bool) -> dict:
    """A task: one (symbol, day) piece read and, when there are quotes,
    audited; its rows back with their places in the tape."""
    t0 = time.perf_counter()
    tape = read_trades(piece["trades"], name=trades_name)
    order = np.load(piece["order"])
    if len(order) != len(tape):
        raise ReplayError(f"{piece['trades']}: {len(tape)} trades where the split wrote {len(order)}")
    out: dict = {"order": order, "tape": tape, "rows": len(tape), "seconds": 0.0, "worker": worker_name()}
    if audit:
        by_key = {}
        if piece["quotes"] is not None:
            q = piece_quotes(piece["quotes"], piece["day"], piece["symbol"], not several, name=quotes_name)
            by_key[(piece["day"], piece["symbol"])] = q
            out["quoted"] = q.symbols
        out["trades"], out["quote_venues"], out["notes"] = classify(tape, by_key, [SelfHelp(*d) for d in self_help],
                                                                     several)
    out["seconds"] = time.perf_counter() - t0
    return out


def merge_tape(path: str, results: list[dict], split: TaqSplit) -> Tape:
    """The pieces' trades back in the tape's order, as read_trades reads the file."""
    order = np.concatenate([r["order"] for r in results]) if results else np.zeros(0, dtype=np.int64)
    place = np.argsort(order, kind="stable")
    tapes = [r["tape"] for r in results]

    def column(name: str, dtype: Any) -> np.ndarray:
        parts = [getattr(t, name) for t in tapes]
        return np.concatenate(parts).astype(dtype)[place] if parts else np.zeros(0, dtype=dtype)

    venue_names = np.concatenate([np.array(t.venues, dtype=object)[t.venue] for t in tapes])[place] if tapes \
        else np.zeros(0, dtype=object)
    venues = list(dict.fromkeys(venue_names.tolist()))  # first met, in tape order, as the reader numbers them
    ids = {v: i for i, v in enumerate(venues)}
    symbol = column("symbol", object)
    return Tape(path, column("day", object), column("ts", np.int64),
                np.array([ids[v] for v in venue_names.tolist()], dtype=np.int16), venues,
                column("price", np.int64), column("size", np.int64), column("conditions", object),
                list(dict.fromkeys(symbol.tolist())), split.corrected, symbol)


def merge_audit(tape: Tape, results: list[dict]) -> AuditResult:
    order = np.concatenate([r["order"] for r in results]) if results else np.zeros(0, dtype=np.int64)
    place = np.argsort(order, kind="stable")
    trades = {}
    for name in ("class", "code", "through", "shares_through", "cents_through"):
        parts = [r["trades"][name] for r in results]
        trades[name] = np.concatenate(parts)[place] if parts else np.zeros(0)
    columns = {"day": tape.day, "symbol": tape.symbol_of(), "ts": tape.ts,
               "venue": np.array(tape.venues, dtype=object)[tape.venue], "price": tape.price, "size": tape.size,
               "conditions": tape.conditions}
    merged = {**columns, **trades}
    merged = {k: merged[k] for k in ("day", "symbol", "ts", "venue", "price", "size", "conditions", "class", "code",
                                     "through", "shares_through", "cents_through")}
    # results come in submission order, the split's (day, symbol) order: the single-process audit's
    quote_venues = next((r["quote_venues"] for r in results if r["quote_venues"]), [])
    notes = [n for r in results for n in r["notes"]]
    note = crossed_note(merged["code"])
    notes += [note] if note else []
    note = symbol_note((s for r in results for s in r.get("quoted", [])), tape.symbols)
    return AuditResult(merged, tape.venues, quote_venues, tape.days, notes + ([note] if note else []))


def audit_split(trades: str | Path, quotes: str | Path, *, date: Optional[str] = None, symbol: Optional[str] = None,
                self_help: Iterable[SelfHelp] = ()) -> AuditResult:
    """The audit of a tape of several symbols in this process: split once
    (into a temporary folder), each piece audited in turn, merged."""
    declared = [(d.venue, d.start, d.end, d.day) for d in self_help]
    with tempfile.TemporaryDirectory(prefix="engine-surveil-") as folder:
        split = split_taq(trades, quotes, folder, date=date, symbol=symbol)
        several = len({p["symbol"] for p in split.pieces}) > 1
        results = [audit_piece(p, str(trades), str(quotes), declared, several, True) for p in split.pieces]
    return merge_audit(merge_tape(str(trades), results, split), results)


__all__ = ["TaqSplit", "audit_piece", "audit_split", "merge_audit", "merge_tape", "split_taq"]
