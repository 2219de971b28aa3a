"""Rule 611 on versus off (issue 13): a small case worked by hand, and
generated multi-venue flow, where under the rule nothing trades through
unexcused and only the rule re-prices orders."""
import math

import numpy as np

from engine import COMMAND_DTYPE, QUOTE_DTYPE, Action, OrderType, Side, TimeInForce
from engine.flow import generate_mixed
from engine.surveil.onoff import rule611_on_off


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
