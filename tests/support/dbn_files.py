"""DBN files for tests and benchmarks, written with the databento-dbn
package's own encoder (records as bytes of its MBOMsg, metadata from its
Metadata.encode)."""
import datetime as dt
from types import SimpleNamespace as NS

import databento_dbn as dbn
import numpy as np

from engine import FeedKind, Side

NS_PER_UNIT = 100_000  # 1e-9 dollars in $0.0001


def metadata(mappings=None, schema=None, ts_out=False) -> bytes:
    return dbn.Metadata(
        dataset="XNAS.ITCH", start=1_700_000_000_000_000_000, stype_in=dbn.SType.RAW_SYMBOL,
        stype_out=dbn.SType.INSTRUMENT_ID, schema=schema or dbn.Schema.MBO, symbols=[m[0] for m in mappings or []],
        mappings=[NS(raw_symbol=sym, intervals=[NS(start_date=dt.date(2023, 11, 14), end_date=dt.date(2023, 11, 15),
                                                   symbol=str(iid))]) for sym, iid in mappings or []],
        ts_out=ts_out).encode()


def mbo(action, side, order_id, price_units, size, instrument=7, ts=1, flags=dbn.F_LAST) -> bytes:
    rec = dbn.MBOMsg(publisher_id=2, instrument_id=instrument, ts_event=ts, order_id=order_id,
                     price=price_units * NS_PER_UNIT if price_units is not None else dbn.UNDEF_PRICE, size=size,
                     action=getattr(dbn.Action, action), side=getattr(dbn.Side, side), ts_recv=ts, flags=flags)
    return bytes(rec)[:56]


def itch_as_mbo(records: np.ndarray) -> bytes:
    """ITCH order messages as the MBO records a Databento feed of them would
    carry: executions as a fill then a cancel, replaces as a cancel and an add."""
    live: dict[int, tuple[int, int, int]] = {}  # id -> (side, price, shares)
    out = []
    for r in records:
        kind, oid, loc, ts = FeedKind(int(r["kind"])), int(r["order_id"]), int(r["locate"]), int(r["ts"])
        if kind == FeedKind.ADD:
            live[oid] = (int(r["side"]), int(r["price"]), int(r["quantity"]))
            out.append(mbo("ADD", "BID" if r["side"] == Side.BUY else "ASK", oid, int(r["price"]),
                           int(r["quantity"]), loc, ts))
            continue
        if oid not in live:
            continue
        side, price, shares = live[oid]
        side_name = "BID" if side == Side.BUY else "ASK"
        gone = shares if kind in (FeedKind.DELETE, FeedKind.REPLACE) else min(int(r["quantity"]), shares)
        if kind in (FeedKind.EXECUTE, FeedKind.EXECUTE_AT_PRICE):
            out.append(mbo("FILL", side_name, oid, price, gone, loc, ts, flags=0))
        if kind in (FeedKind.EXECUTE, FeedKind.EXECUTE_AT_PRICE, FeedKind.CANCEL, FeedKind.DELETE, FeedKind.REPLACE):
            out.append(mbo("CANCEL", side_name, oid, price, gone, loc, ts,
                           flags=0 if kind == FeedKind.REPLACE else dbn.F_LAST))
            live[oid] = (side, price, shares - gone)
            if shares - gone == 0:
                del live[oid]
        if kind == FeedKind.REPLACE:
            nid = int(r["new_order_id"])
            live[nid] = (side, int(r["price"]), int(r["quantity"]))
            out.append(mbo("ADD", side_name, nid, int(r["price"]), int(r["quantity"]), loc, ts))
    return b"".join(out)
