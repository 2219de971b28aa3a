"""The catalogue of bad input: every kind the public API can receive.

For each: either an exception whose message names the argument, or exactly one
REJECTED event with the expected reason; and in both cases the engine's state
is exactly what it was (a full snapshot: every order, both sides' depth, the
counters and clock, the protected-quote table, the configuration and fees, and
the whole saved state byte for byte but for the sequence number a REJECTED
event takes). The book has re-pricing due when the bad input arrives (a
self-help interval began since its last command), so a refusal that moved
anything would show.
"""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from engine import (
    MAX_PRICE,
    EventType,
    Feed,
    OrderFlag,
    OrderType,
    ProtectedBook,
    Reason,
    Side,
    TimeInForce,
    new_commands,
    new_quotes,
)

BUY, SELL = Side.BUY, Side.SELL
VENUES = ["X", "Y", "Z"]
INT64_MAX, INT64_MIN = 2**63 - 1, -(2**63)


def populated() -> ProtectedBook:
    """A book with resting orders of several kinds, quotes, a slid order and self-help history."""
    b = ProtectedBook("CAT", venues=VENUES)
    b.update_quote("X", 100_300, 300, 0, 0, ts=10)
    b.update_quote("Y", 0, 0, 100_700, 200, ts=11)
    b.submit(1, BUY, 100_200, 100, ts=12)
    b.submit(2, SELL, 100_800, 500, ts=13, display_quantity=100)
    b.submit(3, BUY, 100_100, 200, ts=14, hidden=True)
    b.submit(4, BUY, 100_900, 100, ts=15)  # slides against Y's offer
    b.declare_self_help("Z", start=5, end=6, ts=16)
    b.declare_self_help("Y", start=18, end=10**12, ts=16)  # from ts 18, order 4 is due to go back to its limit
    b.set_fee_schedule(take_fee_nd=2_000_000)
    b.take_events()
    return b


def saved_state(b: ProtectedBook) -> bytes:
    """The whole saved state, with the sequence number and checksum blanked."""
    s = b.save_snapshot()
    return s[:17] + bytes(8) + s[25:-4]


def snapshot(b: ProtectedBook) -> tuple:
    bids, asks = b.depth(1_000)
    return (
        b.orders().tobytes(), bids.tobytes(), asks.tobytes(), len(b), b.bid_levels, b.ask_levels,
        b.last_timestamp, b.protected_bbo(at=b.last_timestamp), tuple(b.quote(v) for v in VENUES),
        b.quote_version, tuple(sorted(b.config.items())), tuple(sorted(b.fee_schedule.items())),
        b.in_regular_hours, b.pending_events,
    )


def bad_commands(**fields) -> np.ndarray:
    c = new_commands(1)
    c[0]["action"], c[0]["ts"], c[0]["order_id"], c[0]["side"] = 1, 20, 50, BUY
    c[0]["price"], c[0]["quantity"], c[0]["order_type"], c[0]["tif"] = 100_200, 100, 1, 1
    for k, v in fields.items():
        c[0][k] = v
    return c


# (name, call, expectation): ("raise", exception type, text in the message) or ("reject", reason)
CATALOGUE = [
    # ---- wrong types: exceptions naming the argument
    ("float price", lambda b: b.submit(50, BUY, 100_200.0, 100), ("raise", TypeError, "price")),
    ("Decimal price", lambda b: b.submit(50, BUY, Decimal("10.02"), 100), ("raise", TypeError, "price")),
    ("str quantity", lambda b: b.submit(50, BUY, 100_200, "100"), ("raise", TypeError, "quantity")),
    ("None side", lambda b: b.submit(50, None, 100_200, 100), ("raise", TypeError, "side")),
    ("float ts", lambda b: b.submit(50, BUY, 100_200, 100, ts=20.0), ("raise", TypeError, "ts")),
    ("float order id on cancel", lambda b: b.cancel(1.0), ("raise", TypeError, "order_id")),
    ("str venue on quote", lambda b: b.update_quote("Q", 1, 1, 0, 0, ts=20), ("raise", ValueError, "venue")),
    ("float bid on quote", lambda b: b.update_quote("X", 100_300.5, 1, 0, 0, ts=20),
     ("raise", TypeError, "bid_price")),
    # ---- out-of-range integers, near the int64 limits
    ("order id 2**64", lambda b: b.submit(2**64, BUY, 100_200, 100), ("raise", OverflowError, "order_id")),
    ("negative order id", lambda b: b.submit(-1, BUY, 100_200, 100), ("raise", OverflowError, "order_id")),
    ("price 2**63", lambda b: b.submit(50, BUY, 2**63, 100), ("raise", OverflowError, "price")),
    ("quantity below int64", lambda b: b.submit(50, BUY, 100_200, INT64_MIN - 1),
     ("raise", OverflowError, "quantity")),
    ("side 256", lambda b: b.submit(50, 256, 100_200, 100), ("raise", OverflowError, "side")),
    ("participant 2**32", lambda b: b.submit(50, BUY, 100_200, 100, participant=2**32),
     ("raise", OverflowError, "participant")),
    ("negative flags", lambda b: b.submit(50, BUY, 100_200, 100, flags=-1), ("raise", OverflowError, "flags")),
    ("int64 max price", lambda b: b.submit(50, BUY, INT64_MAX, 100), ("reject", Reason.PRICE_OUT_OF_RANGE)),
    ("int64 min price", lambda b: b.submit(50, BUY, INT64_MIN, 100), ("reject", Reason.INVALID_PRICE)),
    ("int64 max quantity", lambda b: b.submit(50, BUY, 100_200, INT64_MAX),
     ("reject", Reason.QUANTITY_OUT_OF_RANGE)),
    ("price just above the maximum", lambda b: b.submit(50, BUY, MAX_PRICE + 100, 100),
     ("reject", Reason.PRICE_OUT_OF_RANGE)),
    ("int64 min timestamp", lambda b: b.submit(50, BUY, 100_200, 100, ts=INT64_MIN),
     ("reject", Reason.TIMESTAMP_REGRESSION)),
    ("zero quantity", lambda b: b.submit(50, BUY, 100_200, 0), ("reject", Reason.INVALID_QUANTITY)),
    ("side 3", lambda b: b.submit(50, 3, 100_200, 100), ("reject", Reason.INVALID_SIDE)),
    ("unknown flag", lambda b: b.submit(50, BUY, 100_200, 100, flags=1 << 9), ("reject", Reason.INVALID_FLAGS)),
    ("lock/cross mode 9", lambda b: b.submit(50, BUY, 100_200, 100, lock_cross=9),
     ("reject", Reason.INVALID_LOCK_CROSS_MODE)),
    ("market ISO", lambda b: b.submit(50, BUY, 0, 100, order_type=OrderType.MARKET, flags=OrderFlag.ISO),
     ("reject", Reason.ISO_REQUIRES_LIMIT)),
    # ---- ids, prices, time
    ("duplicate id", lambda b: b.submit(1, BUY, 100_200, 100), ("reject", Reason.DUPLICATE_ORDER_ID)),
    ("unknown id cancel", lambda b: b.cancel(999), ("reject", Reason.UNKNOWN_ORDER_ID)),
    ("unknown id reduce", lambda b: b.reduce(999, 10), ("reject", Reason.UNKNOWN_ORDER_ID)),
    ("unknown id replace", lambda b: b.replace(999, 100_200, 10), ("reject", Reason.UNKNOWN_ORDER_ID)),
    ("replace onto a live id", lambda b: b.replace(1, 100_200, 10, new_order_id=3),
     ("reject", Reason.DUPLICATE_ORDER_ID)),
    ("off-grid price", lambda b: b.submit(50, BUY, 100_250, 100), ("reject", Reason.PRICE_NOT_ON_TICK)),
    ("$1.0001", lambda b: b.submit(50, BUY, 10_001, 100), ("reject", Reason.PRICE_NOT_ON_TICK)),
    ("order timestamp going backwards", lambda b: b.submit(50, BUY, 100_200, 100, ts=5),
     ("reject", Reason.TIMESTAMP_REGRESSION)),
    ("cancel timestamp going backwards", lambda b: b.cancel(1, ts=5), ("reject", Reason.TIMESTAMP_REGRESSION)),
    ("quote timestamp going backwards", lambda b: b.update_quote("X", 100_300, 100, 0, 0, ts=5),
     ("reject", Reason.TIMESTAMP_REGRESSION)),
    ("expire an IOC time in force", lambda b: b.expire(tif=TimeInForce.IOC),
     ("reject", Reason.INVALID_TIME_IN_FORCE)),
    # ---- the quote table and controls
    ("negative quote size", lambda b: b.update_quote("X", 100_300, -1, 0, 0, ts=20),
     ("reject", Reason.INVALID_QUOTE)),
    ("negative quote price", lambda b: b.update_quote("X", -1, 100, 0, 0, ts=20),
     ("reject", Reason.INVALID_QUOTE)),
    ("unknown feed", lambda b: b.update_quote("X", 100_300, 100, 0, 0, ts=20, feed=9),
     ("reject", Reason.INVALID_QUOTE)),
    ("condition of two letters", lambda b: b.update_quote("X", 1, 1, 0, 0, ts=20, feed=Feed.CQS, condition="AB"),
     ("raise", ValueError, "condition")),
    ("venue index 40", lambda b: b.update_quote(40, 1, 1, 0, 0, ts=20), ("raise", ValueError, "venue")),
    ("a venue index the book was not given", lambda b: b.update_quote(3, 1, 1, 0, 0, ts=20),
     ("raise", ValueError, "venue=3")),
    ("self-help for a venue index the book was not given", lambda b: b.declare_self_help(5),
     ("raise", ValueError, "venue=5")),
    ("self-help for an unknown venue", lambda b: b.declare_self_help("Q"), ("raise", ValueError, "venue")),
    ("revoke self-help never declared", lambda b: b.revoke_self_help("X"), ("reject", Reason.INVALID_SELF_HELP)),
    ("overlapping self-help", lambda b: b.declare_self_help("Z", start=5, end=7),
     ("reject", Reason.INVALID_SELF_HELP)),
    ("fee over the cap", lambda b: b.set_fee_schedule(take_fee_nd=3_000_001), ("raise", ValueError, "take_fee_nd")),
    ("a taker rebate of 10**17", lambda b: b.set_fee_schedule(take_fee_nd=-10**17), ("raise", ValueError, "take_fee_nd")),
    ("a maker rebate of 10**17", lambda b: b.set_fee_schedule(make_rebate_nd=10**17),
     ("raise", ValueError, "make_rebate_nd")),
    ("configure: a good window with a bad mode", lambda b: b.configure(flicker_window_ns=5, default_lock_cross=9),
     ("raise", ValueError, "default_lock_cross")),
    ("a query before the book's clock", lambda b: b.check_print(100_300, ts=1), ("raise", ValueError, "ts=1")),
    ("protected BBO before the book's clock", lambda b: b.protected_bbo(at=1), ("raise", ValueError, "at=1")),
    ("flicker window over 1 s", lambda b: b.configure(flicker_window_ns=1_000_000_001),
     ("raise", ValueError, "flicker_window_ns")),
    ("default lock/cross mode 0", lambda b: b.configure(default_lock_cross=0),
     ("raise", ValueError, "default_lock_cross")),
    # ---- arrays
    ("commands not an array", lambda b: b.execute([1, 2]), ("raise", TypeError, "commands")),
    ("commands of the wrong dtype", lambda b: b.execute(np.zeros(2, dtype=np.int64)), ("raise", TypeError, "commands")),
    ("commands not contiguous", lambda b: b.execute(new_commands(4)[::2]), ("raise", ValueError, "commands")),
    ("commands two-dimensional", lambda b: b.execute(new_commands(4).reshape(2, 2)), ("raise", ValueError, "commands")),
    ("commands misaligned", lambda b: b.execute(_misaligned(bad_commands())), ("raise", ValueError, "aligned")),
    ("quotes misaligned", lambda b: b.update_quotes(_misaligned(_quote_record())), ("raise", ValueError, "aligned")),
    ("quotes of the wrong dtype", lambda b: b.update_quotes(new_commands(2)), ("raise", TypeError, "quotes")),
    ("quotes not contiguous", lambda b: b.update_quotes(new_quotes(4)[::2]), ("raise", ValueError, "quotes")),
    ("a record with an unknown action", lambda b: b.execute(bad_commands(action=9)),
     ("reject", Reason.INVALID_ACTION)),
    ("a record with reserved bits set", lambda b: b.execute(bad_commands(reserved=1)),
     ("reject", Reason.INVALID_FLAGS)),
    ("a quote record for venue 40", lambda b: b.update_quotes(_quote_record(venue=40)),
     ("reject", Reason.UNKNOWN_VENUE)),
    ("a quote record for a venue the book was not given", lambda b: b.update_quotes(_quote_record(venue=3)),
     ("reject", Reason.UNKNOWN_VENUE)),
    ("a quote record with reserved bits", lambda b: b.update_quotes(_quote_record(reserved=7)),
     ("reject", Reason.INVALID_QUOTE)),
]


def _misaligned(records: np.ndarray) -> np.ndarray:
    """The same records at an odd address (a view into a byte buffer)."""
    raw = np.zeros(records.nbytes + 1, dtype=np.uint8)
    raw[1:] = records.view(np.uint8)
    return raw[1:].view(records.dtype)


def _quote_record(**fields) -> np.ndarray:
    q = new_quotes(1)
    q[0]["ts"], q[0]["venue"], q[0]["bid_price"], q[0]["bid_size"] = 20, 0, 100_300, 100
    for k, v in fields.items():
        q[0][k] = v
    return q


@pytest.mark.parametrize("call, expected", [c[1:] for c in CATALOGUE], ids=[c[0] for c in CATALOGUE])
def test_bad_input(call, expected):
    b = populated()
    before = snapshot(b)
    saved = saved_state(b)
    seq = b.last_sequence
    if expected[0] == "raise":
        _, exc, name = expected
        with pytest.raises(exc, match=name):
            call(b)
        assert b.last_sequence == seq
    else:
        out = call(b)
        events = out if isinstance(out, np.ndarray) else b.take_events()
        assert events["type"].tolist() == [EventType.REJECTED]
        assert events["reason"].tolist() == [expected[1]]
        assert b.last_sequence == seq + 1
    assert snapshot(b) == before
    assert saved_state(b) == saved


# Queries and other calls that must answer without changing anything.
QUERIES = [
    ("check_print at a later time", lambda b: b.check_print(100_600, ts=10**10)),
    ("protected BBO at a later time", lambda b: b.protected_bbo(at=10**10)),
    ("depth of 10**10 levels", lambda b: b.depth(10**10)),
    ("a record of each kind", lambda b: (b.order_record(70, BUY, 100_200, 100), b.cancel_record(1),
                                         b.reduce_record(1, 5), b.replace_record(1, 100_200, 50), b.expire_record(),
                                         b.quote_record("X", 100_300, 100, 0, 0))),
    ("dry runs of every control", lambda b: (b.configure(rule611=False, dry_run=True),
                                             b.set_fee_schedule(take_fee_nd=1, dry_run=True),
                                             b.declare_self_help("X", ts=30, dry_run=True),
                                             b.revoke_self_help("Y", ts=30, dry_run=True),
                                             b.end_regular_hours(ts=30, dry_run=True))),
]


@pytest.mark.parametrize("call", [q[1] for q in QUERIES], ids=[q[0] for q in QUERIES])
def test_queries_change_nothing(call):
    """Issue 9, items 18 and 24: a query never changes state (check_print for a later
    time expired the look-back history), and never asks for absurd memory
    (depth(10**10) tried to allocate 224 GiB)."""
    b = populated()
    before, saved, seq = snapshot(b), saved_state(b), b.last_sequence
    call(b)
    assert (snapshot(b), saved_state(b), b.last_sequence) == (before, saved, seq)


def test_the_catalogue_covers_every_reject_reason_a_caller_can_cause():
    covered = {c[2][1] for c in CATALOGUE if c[2][0] == "reject"}
    reachable = {r for r in Reason if 0 < r < 40} - {
        Reason.INVALID_ORDER_ID, Reason.INVALID_ORDER_TYPE, Reason.INVALID_DISPLAY_QUANTITY, Reason.INVALID_POST_ONLY,
        Reason.INVALID_STP_MODE, Reason.INCOMPATIBLE_INSTRUCTIONS, Reason.NO_LIQUIDITY, Reason.POST_ONLY_WOULD_REMOVE,
        Reason.QUANTITY_EXCEEDS_LEAVES, Reason.WOULD_LOCK_CROSS,  # each has its own test in test_rejects.py
    }
    assert reachable <= covered, reachable - covered


def test_a_bad_record_in_a_batch_loses_nothing_else():
    b = populated()
    c = new_commands(3)
    for i, (oid, price) in enumerate([(60, 100_200), (61, 100_250), (62, 100_100)]):
        c[i]["action"], c[i]["ts"], c[i]["order_id"], c[i]["side"] = 1, 20 + i, oid, BUY
        c[i]["price"], c[i]["quantity"], c[i]["order_type"], c[i]["tif"] = price, 100, 1, 1
    ev = b.execute(c)
    # the first accepted command does the re-pricing that was due (order 4 back to its limit)
    assert [(int(e["type"]), int(e["order_id"])) for e in ev] == [(8, 4), (1, 60), (2, 61), (1, 62)]
    assert 60 in b and 62 in b and 61 not in b


# ---- malformed replay files: an error naming the file and where, never a silent skip
def _bad_files(tmp):
    from engine._core import generate_itch

    good = generate_itch(40, 1, seed=2)
    files = {
        "lobster_bad_type_message_1.csv": (b"34200.0,1,1,100,100500,1\n34200.1,9,7,100,100500,1\n", r"line 2"),
        "lobster_short_row_message_1.csv": (b"34200.0,1,1,100\n", r"line 1: only 4 of 6 columns"),
        "lobster_text_in_price_message_1.csv": (b"34200.0,1,1,100,10.05,1\n", r"line 1"),
        "truncated.itch": (good[:-3], r"byte \d+: the file ends inside a message"),
        "wrong_length.itch": (b"\x00\x07A" + b"\x00" * 6 + good, r"byte 0: a known message type with the wrong length"),
        "zero_length.itch": (good[:14] + b"\x00\x00", r"byte 14: a message of length 0"),
    }
    for name, (data, _) in files.items():
        (tmp / name).write_bytes(data)
    return {tmp / name: pattern for name, (_, pattern) in files.items()}


def test_malformed_replay_files_name_the_file_and_place(tmp_path):
    from engine.replay import ReplayError, replay

    for path, pattern in _bad_files(tmp_path).items():
        with pytest.raises(ReplayError, match=rf"{path.name}: {pattern}"):
            replay(path)


def test_replay_anomalies_are_counted_not_skipped_silently(tmp_path):
    """An execution or cancel for an order never added: counted and reported, the replay goes on."""
    from engine.replay import replay

    p = tmp_path / "anomaly_message_1.csv"
    p.write_bytes(b"34200.0,1,1,100,100500,1\n34200.1,4,77,50,100600,-1\n34200.2,2,78,10,100700,-1\n"
                  b"34200.3,3,1,100,100500,1\n")
    r = replay(p)
    assert r.stats["unknown_orders"] == 2 and r.stats["messages"] == 4
    assert "anomalies: unknown_orders 2" in r.summary()
