"""REGNMS.md §20, the edge-case test matrix: one test per row (rows 1-34).

Default setup unless a row says otherwise: regular trading hours, time
10:00:05.000, no global exception. "Y offer 100500u" is an automated protected
offer from venue Y. A row that says "print P" is checked two ways where it
matters: with ``check_print`` (the decision alone) and with real orders (the
decision in the matching path).
"""
import pytest

from engine import ComplianceCode as C
from engine import EventType as T
from engine import (
    FeeCapRegime,
    Feed,
    LockCrossMode,
    OrderFlag,
    OrderType,
    ProtectedBook,
    Reason,
    Side,
    TimeInForce,
)
from support.observe import take

BUY, SELL = Side.BUY, Side.SELL
IOC = TimeInForce.IOC


def hms(text: str) -> int:
    """'10:00:05.000' -> ns after midnight."""
    h, m, s = text.split(":")
    sec, _, frac = s.partition(".")
    return ((int(h) * 60 + int(m)) * 60 + int(sec)) * 1_000_000_000 + int(frac.ljust(9, "0"))


NOW = hms("10:00:05.000")


def book(**kw) -> ProtectedBook:
    return ProtectedBook("T", venues=["X", "Y", "Z", "V", "W"], **kw)


def bid(b, venue, price, size=100, ts=NOW - 1_000_000, **kw):
    b.update_quote(venue, price, size, 0, 0, ts=ts, **kw)


def offer(b, venue, price, size=100, ts=NOW - 1_000_000, **kw):
    b.update_quote(venue, 0, 0, price, size, ts=ts, **kw)


def setup_x_y(b):
    bid(b, "X", 100400, 300)
    offer(b, "Y", 100600, 200)


def fills(evs):
    return [(e.order_id, e.contra_id, e.price, e.quantity, e.reason) for e in evs if e.type == T.FILL]


def codes(ev):
    return ev[ev["type"] == T.FILL]["compliance_code"].tolist()


def test_row01_inside_the_protected_bbo_is_no_trade_through():
    b = book()
    setup_x_y(b)
    r = b.check_print(100500, ts=NOW)
    assert (r.allowed, r.code, r.through) == (True, C.NO_TRADE_THROUGH, ())
    b.submit(1, SELL, 100500, 100, ts=NOW)
    b.submit(2, BUY, 100500, 100, ts=NOW, tif=IOC)
    assert codes(b.take_events()) == [C.NO_TRADE_THROUGH]


def test_row02_print_above_the_pbo_is_blocked():
    b = book()
    setup_x_y(b)
    r = b.check_print(100700, ts=NOW)
    assert (r.allowed, r.code, r.blocked) == (False, C.BLOCKED_RULE_611, ("Y",))
    b.submit(1, SELL, 100700, 100, ts=NOW)
    b.take_events()
    b.submit(2, BUY, 100700, 100, ts=NOW, tif=IOC)
    ev = b.take_events()
    assert ev["type"].tolist() == [T.ACCEPTED, T.BLOCKED, T.CANCELLED]
    assert b.venue_names(int(ev[1]["venues"])) == ["Y"]
    assert (ev[1]["price"], ev[1]["compliance_code"], ev[1]["contra_id"]) == (100700, C.BLOCKED_RULE_611, 1)
    assert ev[2]["reason"] == Reason.WOULD_TRADE_THROUGH
    assert b.order(1).leaves == 100  # nothing committed


def test_row03_a_purchase_below_a_protected_bid_is_a_trade_through():
    b = book()
    offer(b, "Y", 100600, 200, ts=NOW - 5)
    b.submit(1, SELL, 100200, 100, ts=NOW - 4)  # rested before X's bid arrived
    bid(b, "X", 100400, 300, ts=NOW - 3)
    r = b.check_print(100200, side=BUY, ts=NOW)
    assert (r.allowed, r.blocked) == (False, ("X",))
    b.take_events()
    b.submit(2, BUY, 100200, 100, ts=NOW, tif=IOC)  # a buy, and still blocked
    assert [e.type for e in take(b)] == [T.ACCEPTED, T.BLOCKED, T.CANCELLED]


def test_row04_locked_market_is_not_crossed():
    b = book()
    bid(b, "X", 100500)
    offer(b, "Y", 100500)
    assert b.protected_bbo().locked and not b.protected_bbo().crossed
    r = b.check_print(100600, ts=NOW)
    assert (r.allowed, r.blocked) == (False, ("Y",))
    assert b.check_print(100500, ts=NOW).code == C.NO_TRADE_THROUGH  # REQ-TT-02
    assert b.check_print(100400, ts=NOW).blocked == ("X",)


def test_row05_crossed_protected_market_allows_b4():
    b = book()
    bid(b, "X", 100600)
    offer(b, "Y", 100500)
    r = b.check_print(100800, ts=NOW)
    assert (r.allowed, r.code) == (True, C.CROSSED_MARKET)
    b.submit(1, SELL, 100800, 100, ts=NOW)
    b.take_events()
    b.submit(2, BUY, 100800, 100, ts=NOW, tif=IOC)
    ev = b.take_events()
    assert codes(ev) == [C.CROSSED_MARKET]
    audit = ev[ev["type"] == T.TRADE_THROUGH]
    assert b.venue_names(int(audit["venues"][0])) == ["Y"] and audit["compliance_code"][0] == C.CROSSED_MARKET


def test_row06_a_slow_bid_does_not_make_the_market_crossed():
    b = book()
    b.update_quote("X", 100600, 100, 0, 0, ts=NOW - 2_000_000, feed=Feed.CQS, condition="B")  # slow on bid
    offer(b, "Y", 100500)
    assert not b.protected_bbo().crossed
    r = b.check_print(100600, ts=NOW)
    assert (r.allowed, r.blocked) == (False, ("Y",))


def test_row07_a_manual_offer_is_not_protected_and_may_be_locked():
    b = book()
    b.update_quote("Y", 0, 0, 100500, 100, ts=NOW - 10, feed=Feed.UQDF, condition="A")  # manual ask
    assert b.check_print(100600, ts=NOW).code == C.NO_TRADE_THROUGH
    b.submit(1, BUY, 100500, 100, ts=NOW)  # displaying a bid at 100500 is allowed
    assert [e.type for e in take(b)] == [T.ACCEPTED]
    assert b.top().bid_price == 100500 and not b.order(1).repriced


def test_row08_zero_size_is_no_quote():
    b = book()
    bid(b, "Z", 100450, 0)
    assert b.protected_bbo().bid is None
    assert b.check_print(100400, ts=NOW).code == C.NO_TRADE_THROUGH


def test_row09_a_stale_quote_stays_protected():
    b = book()
    offer(b, "Y", 100500, ts=hms("09:59:00.000"))
    r = b.check_print(100600, ts=NOW)
    assert (r.allowed, r.blocked) == (False, ("Y",))


def flicker_book():
    b = book()
    offer(b, "Y", 100600, ts=hms("10:00:00.000"))
    offer(b, "Y", 100500, ts=hms("10:00:04.600"))
    return b


def test_row10_flicker_within_one_second_allows_b8():
    b = flicker_book()
    r = b.check_print(100600, ts=hms("10:00:05.000"))
    assert (r.allowed, r.code, r.venue_codes) == (True, C.FLICKER, {"Y": C.FLICKER})
    b.submit(1, SELL, 100600, 100, ts=hms("10:00:05.000"))
    b.submit(2, BUY, 100600, 100, ts=hms("10:00:05.000"), tif=IOC)
    assert codes(b.take_events()) == [C.FLICKER]


def test_row11_flicker_outside_one_second_is_blocked():
    b = flicker_book()
    assert not b.check_print(100600, ts=hms("10:00:05.700")).allowed
    # REQ-EXC-08 boundary, in whole nanoseconds (D3, D5): 100600u was last
    # displayed at 04.599999999. The window (t - 1 s, t] leaves out t - 1 s, so
    # at t = 05.599999999 that last nanosecond is just outside it; one
    # nanosecond earlier it is inside.
    assert not flicker_book().check_print(100600, ts=hms("10:00:05.600")).allowed
    assert not flicker_book().check_print(100600, ts=hms("10:00:05.599999999")).allowed
    assert flicker_book().check_print(100600, ts=hms("10:00:05.599999998")).allowed


def test_row12_flicker_does_not_cover_a_worse_print():
    b = flicker_book()
    r = b.check_print(100700, ts=hms("10:00:05.000"))
    assert (r.allowed, r.blocked) == (False, ("Y",))


@pytest.mark.parametrize(
    "quote, print_price, allowed",
    [(9999, 10050, True), (9999, 10099, False), (10000, 10099, True), (10100, 10150, False)],
    ids=["row13_51u_exempt", "row14_100u_not_exempt", "row15_dollar_quote_exempt", "row16_quote_above_dollar"],
)
def test_rows13_to_16_subpenny_exemption(quote, print_price, allowed):
    b = book()
    offer(b, "Y", quote)
    r = b.check_print(print_price, ts=NOW)
    assert r.allowed is allowed
    assert r.code == (C.SUB_PENNY if allowed else C.BLOCKED_RULE_611)


def test_req_exm_01_bid_side_and_the_switch():
    b = book()
    bid(b, "X", 5000)
    assert b.check_print(4901, side=SELL, ts=NOW).code == C.SUB_PENNY
    assert not b.check_print(4900, side=SELL, ts=NOW).allowed
    b.configure(subpenny_exemption=False)  # D11: the exemption relieves, it can be switched off
    assert not b.check_print(4901, side=SELL, ts=NOW).allowed


def test_row13_end_to_end_sub_penny_print_above_a_dollar():
    b = book()
    b.submit(1, SELL, 10050, 100, ts=NOW - 5, flags=OrderFlag.ISO)  # off-grid print needs a resting order at it
    assert take(b)[0].reason == Reason.PRICE_NOT_ON_TICK  # ... but orders may not be off the grid (REQ-TICK-01)


def test_row17_order_entry_at_the_dollar_boundary():
    b = book()
    for i, price in enumerate([10001, 10000, 9999], start=1):
        b.submit(i, BUY, price, 100, ts=NOW)
    assert [(e.type, e.reason) for e in take(b)] == [
        (T.REJECTED, Reason.PRICE_NOT_ON_TICK), (T.ACCEPTED, 0), (T.ACCEPTED, 0)]


def test_row18_slide_at_the_dollar_boundary():
    b = book()
    offer(b, "Y", 10000)
    b.submit(1, BUY, 10200, 100, ts=NOW, lock_cross=LockCrossMode.SLIDE)
    o = b.order(1)
    assert (o.price, o.display_price, o.limit_price) == (10000, 9999, 10200)
    assert b.top().bid_price == 9999


def test_req_lc_02_sell_side_dollar_boundary():
    b = book()
    bid(b, "X", 9999)
    b.submit(1, SELL, 9800, 100, ts=NOW)
    o = b.order(1)
    assert (o.price, o.display_price) == (9999, 10000)


def self_help_book():
    b = book()
    offer(b, "Z", 100500, ts=hms("10:14:00.000"))
    offer(b, "Y", 100600, ts=hms("10:14:00.000"))
    b.declare_self_help("Z", ts=hms("10:15:00.000"))
    return b


def test_row19_self_help_venue_is_traded_through_under_b1():
    b = self_help_book()
    r = b.check_print(100600, ts=hms("10:15:01.000"))
    assert (r.allowed, r.code, r.through, r.self_help) == (True, C.SELF_HELP, (), ("Z",))
    # REQ-EXC-01: a print at 100700 trades through Y and is blocked
    assert b.check_print(100700, ts=hms("10:15:01.000")).blocked == ("Y",)
    b.submit(1, SELL, 100600, 100, ts=hms("10:15:01.000"))
    b.submit(2, BUY, 100600, 100, ts=hms("10:15:01.000"), tif=IOC)
    ev = b.take_events()
    assert codes(ev) == [C.SELF_HELP]
    audit = ev[ev["type"] == T.TRADE_THROUGH]
    assert b.venue_names(int(audit["venues"][0])) == ["Z"] and audit["compliance_code"][0] == C.SELF_HELP


def test_row20_after_revocation_the_print_is_blocked():
    b = self_help_book()
    b.revoke_self_help("Z", ts=hms("10:20:00.000"))
    r = b.check_print(100600, ts=hms("10:20:00.500"))  # REQ-SH-04 example
    assert (r.allowed, r.blocked) == (False, ("Z",))


def test_req_sh_01_self_help_is_evaluated_at_execution_time():
    b = book()
    offer(b, "Z", 100500, ts=hms("10:00:00.000"))
    b.declare_self_help("Z", start=hms("10:15:00.000"), end=hms("10:20:00.000"), ts=hms("10:00:00.000"))
    assert not b.check_print(100600, ts=hms("10:14:59.999")).allowed
    assert b.check_print(100600, ts=hms("10:15:00.000")).code == C.SELF_HELP
    assert not b.check_print(100600, ts=hms("10:20:00.000")).allowed
    assert b.self_help_active("Z", hms("10:17:00.000")) and not b.self_help_active("Z", hms("10:20:00.000"))


def test_row21_incoming_ioc_iso_is_not_checked_and_not_routed():
    b = book()
    offer(b, "Y", 100500, 300)
    b.submit(1, SELL, 100600, 500, ts=NOW)
    b.take_events()
    b.submit(2, BUY, 100600, 400, ts=NOW, tif=IOC, flags=OrderFlag.ISO)
    ev = b.take_events()
    f = ev[ev["type"] == T.FILL]
    assert (f["price"].tolist(), f["quantity"].tolist(), f["compliance_code"].tolist()) == (
        [100600], [400], [C.ISO_RECEIVED])
    assert T.ROUTE not in ev["type"].tolist()
    # REQ-EXC-05: the same order without the ISO flag gets 0 fills at 100600
    b.submit(3, BUY, 100600, 100, ts=NOW, tif=IOC)
    assert T.FILL not in b.take_events()["type"].tolist()


def sweep_book():
    b = book()
    offer(b, "Y", 100500, 300)
    offer(b, "Z", 100600, 200)
    offer(b, "W", 100700, 100)
    b.submit(1, SELL, 100700, 1000, ts=NOW)
    b.take_events()
    return b


def test_row22_routable_order_sweeps_then_trades_under_b6():
    b = sweep_book()
    b.submit(2, BUY, 100700, 800, ts=NOW, flags=OrderFlag.ROUTABLE)
    ev = b.take_events()
    assert ev["type"].tolist() == [T.ACCEPTED, T.ROUTE, T.ROUTE, T.TRADE_THROUGH, T.TRADE_THROUGH, T.FILL]
    routes = ev[ev["type"] == T.ROUTE]
    assert [(b.venue_names(int(r["venues"])), int(r["price"]), int(r["quantity"])) for r in routes] == [
        (["Y"], 100500, 300), (["Z"], 100600, 200)]
    assert all(r["flags"] & 4 and r["reason"] == Reason.ROUTE_ISO for r in routes)
    fill = ev[ev["type"] == T.FILL][0]
    assert (fill["price"], fill["quantity"], fill["compliance_code"]) == (100700, 300, C.ISO_ROUTED)
    assert b.order(2) is None  # 300 + 200 routed + 300 filled = 800


def test_row23_an_iso_short_of_the_full_size_does_not_cover():
    b = sweep_book()
    b.submit(2, BUY, 100500, 200, ts=NOW, flags=OrderFlag.ROUTABLE, tif=IOC)  # routes only 200 of Y's 300
    ev = b.take_events()
    r = ev[ev["type"] == T.ROUTE][0]
    assert (int(r["quantity"]), r["reason"]) == (200, Reason.ROUTE_ISO_PARTIAL)
    check = b.check_print(100700, ts=NOW)
    assert (check.allowed, check.blocked) == (False, ("Y", "Z"))
    b.submit(3, BUY, 100700, 100, ts=NOW, tif=IOC)
    assert T.BLOCKED in b.take_events()["type"].tolist()


def test_row24_market_iso_is_rejected():
    b = book()
    offer(b, "Y", 100500)
    b.submit(1, BUY, 0, 100, ts=NOW, order_type=OrderType.MARKET, flags=OrderFlag.ISO)
    assert [(e.type, e.reason) for e in take(b)] == [(T.REJECTED, Reason.ISO_REQUIRES_LIMIT)]


@pytest.mark.parametrize(
    "mode, rank, display",
    [(LockCrossMode.SLIDE, 100500, 100400), (LockCrossMode.PRICE_ADJUST, 100400, 100400)],
)
def test_row25_lock_cross_modes(mode, rank, display):
    b = book()
    offer(b, "Y", 100500)
    b.submit(1, BUY, 100700, 100, ts=NOW, lock_cross=mode)
    o = b.order(1)
    assert (o.price, o.display_price, o.limit_price, o.repriced) == (rank, display, 100700, True)
    ev = b.take_events()
    assert ev["type"].tolist() == [T.ACCEPTED, T.REPRICED]
    assert (ev[1]["price"], ev[1]["aux"]) == (rank, display)
    assert ev[1]["reason"] == (Reason.SLID if mode == LockCrossMode.SLIDE else Reason.PRICE_ADJUSTED)


def test_row25_cancel_back_is_rejected():
    b = book()
    offer(b, "Y", 100500)
    b.submit(1, BUY, 100700, 100, ts=NOW, lock_cross=LockCrossMode.CANCEL_BACK)
    assert [(e.type, e.reason) for e in take(b)] == [(T.REJECTED, Reason.WOULD_LOCK_CROSS)]
    assert len(b) == 0


def test_req_lc_04_cancel_back_after_executing_cancels_the_rest():
    b = book()
    offer(b, "Y", 100500)
    b.submit(1, SELL, 100500, 40, ts=NOW)
    b.take_events()
    b.submit(2, BUY, 100700, 100, ts=NOW, lock_cross=LockCrossMode.CANCEL_BACK)
    assert [(e.type, e.quantity, e.reason) for e in take(b)] == [
        (T.ACCEPTED, 100, 0), (T.FILL, 40, 0), (T.CANCELLED, 60, Reason.WOULD_LOCK_CROSS)]


def test_row26_quote_moves_away_the_slid_order_follows():
    b = book()
    offer(b, "Y", 100500)
    b.submit(1, BUY, 100700, 100, ts=NOW)
    b.take_events()
    offer(b, "Y", 100600, ts=NOW + 10)
    ev = b.take_events()
    assert ev["type"].tolist() == [T.REPRICED]
    assert (ev[0]["price"], ev[0]["aux"], ev[0]["reason"]) == (100600, 100500, Reason.RESLID)
    o = b.order(1)
    assert (o.price, o.display_price, o.ts) == (100600, 100500, NOW + 10)  # new timestamp (MULTIPLE)
    # REQ-LC-05: above the limit, the order goes back to its limit; and stays there
    offer(b, "Y", 100900, ts=NOW + 20)
    o = b.order(1)
    assert (o.price, o.display_price, o.repriced) == (100700, 100700, False)
    assert b.take_events()["reason"].tolist() == [Reason.UNSLID]


def test_req_lc_05_quote_removed_unslides():
    b = book()
    offer(b, "Y", 100500)
    b.submit(1, BUY, 100700, 100, ts=NOW)
    b.update_quote("Y", 0, 0, 0, 0, ts=NOW + 1)
    o = b.order(1)
    assert (o.price, o.display_price, o.repriced) == (100700, 100700, False)


def test_row27_quote_locks_our_display_priority_kept():
    b = book()
    offer(b, "Y", 100500)
    b.submit(9, BUY, 100400, 100, ts=NOW)  # an ordinary bid at 100400, behind our slid order's display time
    b.submit(1, BUY, 100700, 100, ts=NOW - 0)  # slid: rank 100500, display 100400
    b.take_events()
    offer(b, "Y", 100400, ts=NOW + 10)
    ev = b.take_events()
    assert ev["type"].tolist() == [T.REPRICED]
    assert (ev[0]["price"], ev[0]["aux"], ev[0]["flags"]) == (100400, 100400, 1)  # PRIORITY_KEPT
    o = b.order(1)
    assert (o.price, o.display_price, o.ts) == (100400, 100400, NOW)
    # an incoming sell at 100400 may then fill: not above the PBO (100400)
    b.submit(5, SELL, 100400, 50, ts=NOW + 20, tif=IOC)
    f = b.take_events()
    assert codes(f) == [C.NO_TRADE_THROUGH]


def test_req_lc_05_quote_crosses_our_display_reslides():
    b = book()
    offer(b, "Y", 100500)
    b.submit(1, BUY, 100700, 100, ts=NOW)
    offer(b, "Y", 100300, ts=NOW + 10)  # crosses our displayed 100400
    o = b.order(1)
    assert (o.price, o.display_price) == (100300, 100200)


def test_d8_slid_orders_keep_their_arrival_order_among_themselves():
    b = book()
    offer(b, "Y", 100500)
    b.submit(1, BUY, 100700, 100, ts=NOW)
    b.submit(2, BUY, 100800, 100, ts=NOW + 1)
    b.submit(3, BUY, 100600, 100, ts=NOW + 2)
    offer(b, "Y", 100600, ts=NOW + 3)
    assert [(r["order_id"], r["price"]) for r in b.orders()] == [(1, 100600), (2, 100600), (3, 100600)]


def test_row28_hidden_order_ranked_at_the_locking_price():
    b = book()
    offer(b, "Y", 100500)
    b.submit(1, BUY, 100700, 100, ts=NOW, hidden=True)
    o = b.order(1)
    assert (o.price, o.display_price, o.limit_price) == (100500, 0, 100700)
    assert take(b)[-1].reason == Reason.RANKED_AT_LOCK
    # REQ-OH-02: an incoming sell cannot print above Y's offer against it
    b.submit(2, SELL, 100500, 100, ts=NOW, tif=IOC)
    assert codes(b.take_events()) == [C.NO_TRADE_THROUGH]


def test_row29_outside_regular_hours_the_policy_applies():
    b = book(regular_hours=False)
    offer(b, "Y", 100500, ts=hms("09:29:00.000"))
    t = hms("09:29:59.999999999")
    r = b.check_print(100700, ts=t)
    assert (r.allowed, r.code) == (False, C.BLOCKED_POLICY)
    b.configure(enforce_outside_rth=False)
    assert b.check_print(100700, ts=t).code == C.OUTSIDE_RTH
    b.configure(enforce_outside_rth=True)
    b.start_regular_hours(ts=hms("09:30:00.000"))
    assert b.check_print(100700, ts=hms("09:30:00.000")).code == C.BLOCKED_RULE_611
    assert b.take_events()["reason"].tolist() == [Reason.RTH_START]


def test_d4_fills_outside_rth_carry_the_policy_code():
    b = book(regular_hours=False)
    b.submit(1, SELL, 100500, 100, ts=1)
    b.submit(2, BUY, 100500, 100, ts=2, tif=IOC)
    assert codes(b.take_events()) == [C.POLICY_OUTSIDE_RTH]


def test_row30_closing_cross_allowed_under_b3():
    b = book()
    offer(b, "Y", 100500, ts=hms("15:59:00.000"))
    close = hms("16:00:00.000")
    assert b.check_print(100800, flags=OrderFlag.AUCTION, ts=close).code == C.AUCTION
    # REQ-EXC-03: a continuous match at 100800 at 15:59:59.9 is blocked
    assert not b.check_print(100800, ts=hms("15:59:59.900")).allowed
    b.submit(1, SELL, 100800, 100, ts=close)
    b.submit(2, BUY, 100800, 100, ts=close, tif=IOC, flags=OrderFlag.AUCTION)
    assert codes(b.take_events()) == [C.AUCTION]


def test_row31_stopped_buy_below_the_nbb_allowed_under_b9():
    b = book()
    bid(b, "X", 100700)
    offer(b, "Z", 100800)
    assert b.check_print(100500, side=BUY, flags=OrderFlag.STOPPED, ts=NOW).code == C.STOPPED
    assert not b.check_print(100500, side=BUY, ts=NOW).allowed
    # condition 3 fails for a stopped *sell* below the NBB: not covered
    assert not b.check_print(100500, side=SELL, flags=OrderFlag.STOPPED, ts=NOW).allowed


@pytest.mark.parametrize(
    "kwargs, field",
    [({"take_fee_nd": 3_100_000}, "take_fee_nd"), ({"take_rate_ppm": 3_100}, "take_rate_ppm")],
    ids=["0.31c_on_a_25_dollar_quote", "0.31pct_on_a_50c_quote"],
)
def test_row32_fee_schedule_over_the_cap_fails_to_load(kwargs, field):
    b = book()
    with pytest.raises(ValueError, match=field):
        b.set_fee_schedule(**kwargs)
    assert b.fee_schedule["take_fee_nd"] == 0 and b.fee_schedule["take_rate_ppm"] == 0


def test_row33_midpoint_pegs_are_not_offered():
    """D1: no midpoint peg for now, so a peg cannot cross a locked market.
    An order type other than LIMIT or MARKET is refused."""
    b = book()
    bid(b, "X", 100500)
    offer(b, "Y", 100500)
    b.submit(1, BUY, 100500, 100, ts=NOW, order_type=3)
    assert take(b)[0].reason == Reason.INVALID_ORDER_TYPE


def test_row34_iso_to_a_500_dollar_quote_is_for_its_round_lot_of_40():
    b = book()
    offer(b, "Y", 5_000_000, 40)
    b.submit(1, SELL, 5_000_100, 100, ts=NOW)
    b.take_events()
    b.submit(2, BUY, 5_000_100, 100, ts=NOW, flags=OrderFlag.ROUTABLE)
    ev = b.take_events()
    route = ev[ev["type"] == T.ROUTE][0]
    assert (int(route["quantity"]), int(route["price"])) == (40, 5_000_000)
    fill = ev[ev["type"] == T.FILL][0]
    assert (fill["quantity"], fill["compliance_code"]) == (60, C.ISO_ROUTED)


def test_fee_cap_regimes():
    b = book()
    b.set_fee_schedule(take_fee_nd=3_000_000, take_rate_ppm=3_000)  # exactly at the 2005 cap
    with pytest.raises(ValueError, match="take_fee_nd"):
        b.set_fee_schedule(take_fee_nd=3_000_000, regime=FeeCapRegime.CAP_2024)
    b.set_fee_schedule(take_fee_nd=1_000_000, take_rate_ppm=1_000, regime=FeeCapRegime.CAP_2024)
