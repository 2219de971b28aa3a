"""A Databento DBN file of MBO records made from ITCH flow, as a Databento feed
of it would carry it (for samples and tests: there is no public US-equities
DBN sample to ship).

Each stock's messages go through the LOBSTER writer first, which resolves
every message to its order (id, side, price, shares); those rows become MBO
records: an add ``A``; a cancel or delete ``C`` (the shares removed); an
execution a fill ``F`` then a cancel ``C`` of the same shares, the fill
without F_LAST (the event ends with the cancel); a hidden or cross trade a
trade ``T``. Halts are left out. Instruments are the ITCH locates, named in
the metadata's symbol mappings; times are the day's epoch plus ITCH's ns after
midnight; prices are $0.0001 units times 100,000 (1e-9 dollars).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from engine._core import ItchDecoder, LobsterDecoder, LobsterWriter
from engine.enums import FeedKind, Side
from engine.replay.dbn import F_LAST, MBO_DTYPE, MBO_RTYPE, PRICE_SCALE, _metadata_module
from engine.replay.files import ReplayError


def mbo_from_itch(itch: bytes, day: dt.date) -> tuple[np.ndarray, dict[int, str]]:
    """The MBO records (``MBO_DTYPE``, in time order) for ITCH bytes, and the
    instrument id -> symbol of the stocks in them."""
    decoder = ItchDecoder()
    records, _ = decoder.decode(itch, True)
    symbols = {loc: sym for loc, (sym, _, _) in decoder.stocks().items()}
    epoch = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp()) * 1_000_000_000
    parts = []
    for loc in np.unique(records["locate"]).tolist():
        if loc not in symbols:
            continue
        rows, _ = LobsterWriter(1).write(np.ascontiguousarray(records[records["locate"] == loc]))
        resolved, _ = LobsterDecoder().decode(rows, True)
        resolved["locate"] = loc
        parts.append(resolved)
    if not parts:
        return np.zeros(0, dtype=MBO_DTYPE), symbols
    flow = np.concatenate(parts)
    flow = flow[np.argsort(flow["ts"], kind="stable")]
    kind = flow["kind"]
    flow = flow[kind != int(FeedKind.TRADING_HALT)]
    kind = flow["kind"]
    executions = kind == int(FeedKind.EXECUTE)
    out = np.zeros(len(flow) + int(executions.sum()), dtype=MBO_DTYPE)
    # each execution takes two rows: its fill, then its cancel
    at = np.arange(len(flow)) + np.concatenate([[0], np.cumsum(executions)[:-1]])
    fill_at = at[executions]
    cancel_at = at + executions
    action = np.select([kind == int(FeedKind.ADD), np.isin(kind, [int(FeedKind.HIDDEN_EXECUTION),
                                                                 int(FeedKind.CROSS_TRADE)])],
                       [ord("A"), ord("T")], ord("C")).astype(np.uint8)
    side = np.where(flow["side"] == int(Side.BUY), ord("B"), ord("A")).astype(np.uint8)
    for rows_at, is_fill in ((cancel_at, False), (fill_at, True)):
        src = flow[executions] if is_fill else flow
        dst = out[rows_at]
        dst["length"], dst["rtype"], dst["publisher_id"] = MBO_DTYPE.itemsize // 4, MBO_RTYPE, 2
        dst["instrument_id"] = src["locate"]
        dst["ts_event"] = dst["ts_recv"] = epoch + src["ts"]
        dst["order_id"] = src["order_id"]
        dst["price"] = src["price"] * PRICE_SCALE
        dst["size"] = src["quantity"]
        dst["action"] = ord("F") if is_fill else action
        dst["side"] = side[executions] if is_fill else side
        dst["flags"] = 0 if is_fill else F_LAST
        dst["channel_id"] = 0
        out[rows_at] = dst
    out["sequence"] = np.arange(len(out), dtype=np.uint32)
    return out, symbols


def itch_to_dbn(itch_path: str | Path, dbn_path: str | Path, day: dt.date) -> int:
    """Write a DBN file of MBO records for an ITCH file (held in memory: for
    samples); returns the record count."""
    dbn = _metadata_module()
    records, symbols = mbo_from_itch(Path(itch_path).read_bytes(), day)
    start = int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp()) * 1_000_000_000
    mappings = [SimpleNamespace(raw_symbol=sym, intervals=[SimpleNamespace(
        start_date=day, end_date=day + dt.timedelta(days=1), symbol=str(loc))]) for loc, sym in symbols.items()]
    meta = dbn.Metadata(dataset="XNAS.ITCH", start=start, stype_in=dbn.SType.RAW_SYMBOL,
                        stype_out=dbn.SType.INSTRUMENT_ID, schema=dbn.Schema.MBO,
                        symbols=list(symbols.values()), mappings=mappings).encode()
    try:
        Path(dbn_path).write_bytes(meta + records.tobytes())
    except OSError as exc:
        raise ReplayError(f"{dbn_path}: cannot write ({exc.strerror})") from None
    return len(records)


__all__ = ["itch_to_dbn", "mbo_from_itch"]
