"""Rule 611 on versus off (issue 13): a small case worked by hand, and
generated multi-venue flow, where under the rule nothing trades through
unexcused and only the rule re-prices orders."""
import math

import numpy as np
import pytest

from engine import COMMAND_DTYPE, QUOTE_DTYPE, Action, OrderType, Side, TimeInForce
from engine.flow import generate_mixed
from engine.surveil.onoff import rule611_on_off
from support.shared_data import DATA, needs_data


def small_case():
    """Away venue A quotes 10.00 x 100 / 10.02 x 100. Our book: a sell of 300
    at 10.03; then a buy IOC of 200 at 10.03 (it would trade through A's 10.02
    offer); then a buy of 100 at 10.02 (it would lock A's offer)."""
    q = np.zeros(1, QUOTE_DTYPE)
    q[0] = (1, 100_000, 100, 100_200, 100, 0, 0, 0, 0, 0)
    c = np.zeros(3, COMMAND_DTYPE)
    c["ts"], c["action"], c["order_id"] = [2, 3, 4], Action.NEW, [1, 2, 3]
    c["side"], c["order_type"] = [Side.SELL, Side.BUY, Side.BUY], OrderType.LIMIT
    c["tif"] = [TimeInForce.DAY, TimeInForce.IOC, TimeInForce.DAY]
    c["price"], c["quantity"] = [100_300, 100_300, 100_200], [300, 200, 100]
    return c, q, np.array([-1, 0, 1, 2])


def test_a_case_worked_by_hand():
    c, q, schedule = small_case()
    r = rule611_on_off(c, q, schedule, ["A"])
    # on: the IOC is stopped and cancelled back; the bid at 10.02 slides to 10.01 (it would lock A)
    assert (r.on.fills, r.on.blocked, r.on.cancelled_for_trade_through, r.on.repriced) == (0, 1, 1, 1)
    # off: the IOC buys 200 at 10.03 through A's 100 offered at 10.02; the bid rests at 10.02, locking A
    assert (r.off.fills, r.off.shares, r.off.dollars, r.off.blocked, r.off.repriced) == (1, 200, 2_006.0, 0, 0)
    assert (r.off.through_fills, r.off.through_shares, r.off.displayed_shares_through) == (1, 200, 100)
    assert r.off.taker_buy_price == 10.03 and math.isnan(r.on.taker_buy_price)
    d = r.differences()
    assert (d["fills"], d["blocked"], d["through_shares"]) == (1, -1, 200)
    text = r.summary()
    assert "fills stopped (BLOCKED)" in text and "displayed shares traded through" in text


def test_on_generated_multi_venue_flow():
    commands, quotes, schedule = generate_mixed(60_000, seed=11, venues=4)
    r = rule611_on_off(commands, quotes, schedule, ["V0", "V1", "V2", "V3"])
    assert r.on.through_fills == 0  # under the rule nothing trades through unexcused
    assert r.on.repriced > 0 and r.off.repriced == 0  # lock/cross handling only under the rule
    assert r.off.fills > 0 and r.on.fills > 0


LOBSTER_NAME = "XYZ_2012-06-21_34200000_57600000_message_1.csv"


def test_a_file_flow_worked_by_hand(tmp_path):
    """A LOBSTER flow re-matched under both regimes against a quote file:
    away A quotes 10.00 x 100 / 10.02 x 100 from 09:30:00.5. History: a sell
    of 300 at 10.03 rests; 200 of it execute at 09:30:01 (an incoming buy IOC
    of 200 at 10.03, through A's offer); a buy of 100 at 10.02 arrives (it
    would lock A)."""
    from engine.surveil.onoff import rematch_on_off

    flow = tmp_path / LOBSTER_NAME
    flow.write_text("34200.0,1,1,300,100300,-1\n34201.0,4,1,200,100300,-1\n34202.0,1,2,100,100200,1\n")
    quotes = tmp_path / "quotes.csv"
    quotes.write_text("ts,venue,bid,bid_size,ask,ask_size,condition\n34200500000000,A,100000,100,100200,100,\n")
    r = rematch_on_off(flow, quotes)
    assert (r.on.fills, r.on.blocked, r.on.cancelled_for_trade_through, r.on.repriced) == (0, 1, 1, 1)
    assert (r.off.fills, r.off.shares, r.off.dollars, r.off.blocked, r.off.repriced) == (1, 200, 2_006.0, 0, 0)
    assert (r.off.through_fills, r.off.through_shares, r.off.displayed_shares_through) == (1, 200, 100)
    assert r.notes == []  # an own-layout quote file names no symbol or day to disagree with


def test_mirror_venues_show_the_last_top_of_each_instant_late():
    from engine.surveil.mirror import mirrored_quotes

    ts = np.array([10, 10, 20, 30, 40])
    q = mirrored_quotes(ts, np.array([100, 101, 101, 101, 102]), np.array([1, 2, 2, 2, 3]),
                        np.array([200, 200, 200, 201, 202]), np.array([5, 5, 5, 6, 7]), {"A": 0, "B": 15})
    assert q.venues == ["A", "B"]
    got = [(int(r["ts"]), q.venues[r["venue"]], int(r["bid_price"]), int(r["bid_size"]), int(r["ask_price"]),
            int(r["ask_size"])) for r in q.quotes]
    assert got == [(10, "A", 101, 2, 200, 5), (25, "B", 101, 2, 200, 5), (30, "A", 101, 2, 201, 6),
                   (40, "A", 102, 3, 202, 7), (45, "B", 101, 2, 201, 6), (55, "B", 102, 3, 202, 7)]
    for bad in ({}, {"A": -1}, {"A": 0.5}):
        with pytest.raises(ValueError, match="lag"):
            mirrored_quotes(ts, ts, ts, ts, ts, bad)


@needs_data
def test_on_the_shared_lobster_flow_with_mirror_venues():
    """AAPL's level-10 flow: a mirror showing the venue's own top at once
    never binds (the engine reproduces history: same fills, nothing stopped);
    mirrors 5 ms and 2 s late make the rule stop fills and slide orders."""
    from engine.surveil.mirror import flow_mirrors
    from engine.surveil.onoff import rematch_on_off

    path = DATA / "lobster" / "AAPL_2012-06-21_34200000_57600000_message_10.csv"
    r = rematch_on_off(path, flow_mirrors(path, {"NOW": 0}))
    assert (r.on.fills, r.off.fills, r.on.blocked, r.on.repriced, r.off.through_fills) == (94, 94, 0, 0, 0)
    r = rematch_on_off(path, flow_mirrors(path))
    assert (r.on.fills, r.off.fills, r.on.blocked, r.on.repriced, r.on.cancelled_for_trade_through) == \
        (86, 94, 19, 18, 15)
    assert (r.on.through_fills, r.off.through_fills, r.off.displayed_shares_through) == (0, 20, 4_059)
