"""Every order a venue refuses gets one REJECTED event with a specific reason,
and the book is left exactly as it was."""
import pytest

from engine import MAX_PRICE, MAX_QUANTITY, OrderType, PostOnly, Reason, Side
from engine import EventType as T
from engine import TimeInForce as TIF
from support.observe import full_state, take

BUY, SELL = Side.BUY, Side.SELL
MKT = OrderType.MARKET

NEW_ORDER_REJECTS = [
    # (id, side, price, qty, keyword args, reason)
    ("zero id", (0, BUY, 100500, 100), {}, Reason.INVALID_ORDER_ID),
    ("duplicate id", (1, BUY, 100400, 100), {}, Reason.DUPLICATE_ORDER_ID),
    ("bad side", (50, 3, 100500, 100), {}, Reason.INVALID_SIDE),
    ("side zero", (50, 0, 100500, 100), {}, Reason.INVALID_SIDE),
    ("bad order type", (50, BUY, 100500, 100), {"order_type": 9}, Reason.INVALID_ORDER_TYPE),
    ("bad tif", (50, BUY, 100500, 100), {"tif": 0}, Reason.INVALID_TIME_IN_FORCE),
    ("bad tif high", (50, BUY, 100500, 100), {"tif": 5}, Reason.INVALID_TIME_IN_FORCE),
    ("market day", (50, BUY, 0, 100), {"order_type": MKT, "tif": TIF.DAY}, Reason.INVALID_TIME_IN_FORCE),
    ("zero quantity", (50, BUY, 100500, 0), {}, Reason.INVALID_QUANTITY),
    ("negative quantity", (50, BUY, 100500, -100), {}, Reason.INVALID_QUANTITY),
    ("huge quantity", (50, BUY, 100500, MAX_QUANTITY + 1), {}, Reason.QUANTITY_OUT_OF_RANGE),
    ("int64 max quantity", (50, BUY, 100500, 2**63 - 1), {}, Reason.QUANTITY_OUT_OF_RANGE),
    ("zero price", (50, BUY, 0, 100), {}, Reason.INVALID_PRICE),
    ("negative price", (50, BUY, -100, 100), {}, Reason.INVALID_PRICE),
    ("price too high", (50, BUY, MAX_PRICE + 100, 100), {}, Reason.PRICE_OUT_OF_RANGE),
    ("int64 max price", (50, BUY, 2**63 - 1, 100), {}, Reason.PRICE_OUT_OF_RANGE),
    ("off tick above $1", (50, BUY, 100550, 100), {}, Reason.PRICE_NOT_ON_TICK),
    ("$1.0001", (50, BUY, 10001, 100), {}, Reason.PRICE_NOT_ON_TICK),
    ("market with price", (50, SELL, 100500, 100), {"order_type": MKT}, Reason.INVALID_PRICE),
    ("display > quantity", (50, BUY, 100500, 100), {"display_quantity": 200}, Reason.INVALID_DISPLAY_QUANTITY),
    ("bad post-only", (50, BUY, 100500, 100), {"post_only": 3}, Reason.INVALID_POST_ONLY),
    ("bad stp", (50, BUY, 100500, 100), {"stp": 5}, Reason.INVALID_STP_MODE),
    ("post-only ioc", (50, BUY, 100400, 100), {"post_only": PostOnly.REJECT, "tif": TIF.IOC},
     Reason.INCOMPATIBLE_INSTRUCTIONS),
    ("post-only market", (50, SELL, 0, 100), {"post_only": PostOnly.REJECT, "order_type": MKT},
     Reason.INCOMPATIBLE_INSTRUCTIONS),
    ("hidden reserve", (50, BUY, 100400, 100), {"hidden": True, "display_quantity": 10},
     Reason.INCOMPATIBLE_INSTRUCTIONS),
    ("post-only would remove", (50, BUY, 100600, 100), {"post_only": PostOnly.REJECT},
     Reason.POST_ONLY_WOULD_REMOVE),
    ("timestamp going backwards", (50, BUY, 100400, 100), {"ts": 99}, Reason.TIMESTAMP_REGRESSION),
    ("bad lock/cross mode", (50, BUY, 100400, 100), {"lock_cross": 4}, Reason.INVALID_LOCK_CROSS_MODE),
    ("unknown flag", (50, BUY, 100400, 100), {"flags": 1 << 7}, Reason.INVALID_FLAGS),
    ("market iso", (50, SELL, 0, 100), {"order_type": MKT, "tif": TIF.IOC, "flags": 4}, Reason.ISO_REQUIRES_LIMIT),
]


@pytest.fixture
def busy_book(book):
    """A book with resting orders on both sides at ts=100."""
    book.submit(1, BUY, 100500, 100, ts=100)
    book.submit(2, SELL, 100600, 100, ts=100)
    book.submit(3, SELL, 100700, 500, ts=100, display_quantity=100)
    book.take_events()
    return book


@pytest.mark.parametrize("args, kwargs, reason", [r[1:] for r in NEW_ORDER_REJECTS],
                         ids=[r[0] for r in NEW_ORDER_REJECTS])
def test_new_order_rejects(busy_book, args, kwargs, reason):
    before = full_state(busy_book)
    seq = busy_book.last_sequence
    kwargs = {"ts": 100, **kwargs}
    assert busy_book.submit(*args, **kwargs) == 1
    ev = busy_book.take_events()
    assert ev.size == 1
    e = take_one(ev)
    assert (e["type"], e["reason"], e["order_id"], e["quantity"], e["ts"]) == (
        T.REJECTED, reason, args[0], args[3], kwargs["ts"])
    assert busy_book.last_sequence == seq + 1
    assert full_state(busy_book) == before


def take_one(ev):
    return {k: int(ev[0][k]) for k in ev.dtype.names}


def test_market_order_into_an_empty_side_is_rejected(book):
    book.submit(1, SELL, 0, 100, order_type=MKT)
    assert [(e.type, e.reason) for e in take(book)] == [(T.REJECTED, Reason.NO_LIQUIDITY)]


@pytest.mark.parametrize(
    "call, reason",
    [(lambda b: b.cancel(99, ts=100), Reason.UNKNOWN_ORDER_ID),
     (lambda b: b.cancel(0, ts=100), Reason.UNKNOWN_ORDER_ID),
     (lambda b: b.cancel(1, ts=50), Reason.TIMESTAMP_REGRESSION),
     (lambda b: b.reduce(99, 10, ts=100), Reason.UNKNOWN_ORDER_ID),
     (lambda b: b.reduce(1, 101, ts=100), Reason.QUANTITY_EXCEEDS_LEAVES),
     (lambda b: b.reduce(1, 0, ts=100), Reason.INVALID_QUANTITY),
     (lambda b: b.reduce(1, 10, ts=50), Reason.TIMESTAMP_REGRESSION),
     (lambda b: b.replace(99, 100500, 10, ts=100), Reason.UNKNOWN_ORDER_ID),
     (lambda b: b.replace(1, 100500, 10, new_order_id=2, ts=100), Reason.DUPLICATE_ORDER_ID),
     (lambda b: b.replace(1, 100501, 10, ts=100), Reason.PRICE_NOT_ON_TICK),
     (lambda b: b.replace(1, MAX_PRICE + 100, 10, ts=100), Reason.PRICE_OUT_OF_RANGE),
     (lambda b: b.replace(1, -1, 10, ts=100), Reason.INVALID_PRICE),
     (lambda b: b.replace(1, 100500, -1, ts=100), Reason.INVALID_QUANTITY),
     (lambda b: b.replace(1, 100500, MAX_QUANTITY + 1, ts=100), Reason.QUANTITY_OUT_OF_RANGE),
     (lambda b: b.replace(1, 100500, 10, ts=50), Reason.TIMESTAMP_REGRESSION),
     (lambda b: b.expire(ts=50), Reason.TIMESTAMP_REGRESSION),
     (lambda b: b.expire(tif=TIF.FOK, ts=100), Reason.INVALID_TIME_IN_FORCE)],
    ids=["cancel unknown", "cancel id 0", "cancel past", "reduce unknown", "reduce too much", "reduce zero",
         "reduce past", "replace unknown", "replace to a live id", "replace off tick", "replace price high",
         "replace price negative", "replace qty negative", "replace qty high", "replace past", "expire past",
         "expire fok"],
)
def test_operation_rejects(busy_book, call, reason):
    before = full_state(busy_book)
    assert call(busy_book) == 1
    assert [(e.type, e.reason) for e in take(busy_book)] == [(T.REJECTED, reason)]
    assert full_state(busy_book) == before


def test_rejected_command_does_not_move_the_clock(busy_book):
    busy_book.submit(60, BUY, 100501, 100, ts=500)  # rejected: off tick
    busy_book.submit(61, BUY, 100400, 100, ts=200)  # still accepted: the clock stayed at 100
    assert [e.type for e in take(busy_book)] == [T.REJECTED, T.ACCEPTED]
    assert busy_book.last_timestamp == 200


def test_every_reject_reason_is_covered_here():
    tested = {r[-1] for r in NEW_ORDER_REJECTS} | {
        Reason.NO_LIQUIDITY, Reason.UNKNOWN_ORDER_ID, Reason.QUANTITY_EXCEEDS_LEAVES,
        Reason.INVALID_ACTION,  # test_batch.py
        Reason.INVALID_FLAGS,  # test_batch.py (only reachable through raw records)
        # the Reg NMS rejects: tests/test_reg_nms_matrix.py and tests/test_reg_nms_requirements.py
        Reason.ISO_REQUIRES_LIMIT, Reason.WOULD_LOCK_CROSS, Reason.INVALID_QUOTE, Reason.INVALID_SELF_HELP,
        Reason.UNKNOWN_VENUE,  # below
        Reason.INVALID_LOCK_CROSS_MODE,  # NEW_ORDER_REJECTS
    }
    rejects = {r for r in Reason if 0 < r < 40}
    assert rejects <= tested


def test_unknown_venue_in_a_raw_quote_record():
    import numpy as np

    from engine import ProtectedBook, new_quotes

    b = ProtectedBook("T", venues=["X"])
    q = new_quotes(1)
    q["venue"], q["ts"], q["bid_price"], q["bid_size"] = 40, 1, 100, 100
    ev = b.update_quotes(q)
    assert ev["reason"].tolist() == [Reason.UNKNOWN_VENUE]
    assert isinstance(ev, np.ndarray) and b.quote_version == 0
