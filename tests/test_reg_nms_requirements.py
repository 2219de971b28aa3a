"""The worked examples under each REQ of REGNMS.md that the engine implements,
beyond the §20 matrix, and the bad input of the Reg NMS API."""
import numpy as np
import pytest

from engine import ComplianceCode as C
from engine import EventType as T
from engine import (
    Book,
    Feed,
    LockCrossMode,
    OrderFlag,
    OrderType,
    PostOnly,
    ProtectedBook,
    QuoteFlag,
    Reason,
    Side,
    TimeInForce,
    new_quotes,
    quote_condition_flags,
)
from support.observe import full_state, take

BUY, SELL = Side.BUY, Side.SELL
IOC, FOK = TimeInForce.IOC, TimeInForce.FOK
NOW = 36_005_000_000_000  # 10:00:05


def book(**kw):
    return ProtectedBook("T", venues=["X", "Y", "Z", "V", "W"], **kw)


def offer(b, venue, price, size=100, ts=NOW - 1_000_000):
    b.update_quote(venue, 0, 0, price, size, ts=ts)


def bid(b, venue, price, size=100, ts=NOW - 1_000_000):
    b.update_quote(venue, price, size, 0, 0, ts=ts)


def fills(ev):
    f = ev[ev["type"] == T.FILL]
    return list(zip(f["price"].tolist(), f["quantity"].tolist(), f["compliance_code"].tolist(), strict=True))


# ------------------------------------------------------------------ REQ-FEED
@pytest.mark.parametrize(
    "feed, code, flags",
    [(Feed.UQDF, "A", QuoteFlag.ASK_MANUAL), (Feed.UQDF, "B", QuoteFlag.BID_MANUAL),
     (Feed.UQDF, "H", QuoteFlag.BID_MANUAL | QuoteFlag.ASK_MANUAL), (Feed.UQDF, "U", 3),
     (Feed.UQDF, "R", 0), (Feed.UQDF, "Y", 0), (Feed.UQDF, "O", 0), (Feed.UQDF, "F", 0),
     (Feed.UQDF, "L", QuoteFlag.CLOSED), (Feed.UQDF, "Z", QuoteFlag.CLOSED),
     (Feed.CQS, "A", QuoteFlag.ASK_MANUAL), (Feed.CQS, "B", QuoteFlag.BID_MANUAL), (Feed.CQS, "H", 3),
     (Feed.CQS, "E", QuoteFlag.BID_MANUAL), (Feed.CQS, "F", QuoteFlag.ASK_MANUAL), (Feed.CQS, "U", 3),
     (Feed.CQS, "W", 3), (Feed.CQS, "R", 0), (Feed.CQS, "N", 0), (Feed.UQDF, "N", 0), (Feed.UQDF, "I", 0),
     (Feed.UQDF, "X", 0), (Feed.CQS, "Q", QuoteFlag.UNKNOWN_CONDITION), (Feed.UQDF, "%", QuoteFlag.UNKNOWN_CONDITION)],
)
def test_req_feed_01_02_condition_codes(feed, code, flags):
    assert quote_condition_flags(feed, code) == flags


def test_req_feed_01_examples_in_the_table():
    b = book()
    b.update_quote("X", 100400, 500, 100600, 300, ts=1, feed=Feed.UQDF, condition="A")
    bbo = b.protected_bbo()
    assert (bbo.bid, bbo.offer) == (100400, None)  # X's ask is ignored
    b.update_quote("Y", 100300, 100, 100700, 100, ts=2, feed=Feed.CQS, condition="F")
    assert b.protected_bbo().offer is None  # CQS F: Y's ask is not protected
    b.update_quote("Y", 100300, 100, 100700, 100, ts=3, feed=Feed.UQDF, condition="F")
    assert b.protected_bbo().offer == 100700  # UQDF F (fast trading): protected
    b.update_quote("Z", 100300, 100, 100700, 100, ts=4, feed=Feed.CQS, condition="?")
    assert b.unknown_conditions == 1 and b.quote("Z").ask_automated  # unknown: protected, counted


def test_req_pq_02_eligibility_examples():
    b = book()
    b.update_quote("Z", 100400, 0, 0, 0, ts=1)  # bid 10.04 x 0, ask 0 x 0
    assert b.protected_bbo()[:4] == (None, (), None, ())
    b.update_quote("X", 100400, 300, 100600, 200, ts=2, feed=Feed.CQS, condition="R")
    assert b.protected_bbo()[:4] == (100400, ("X",), 100600, ("X",))
    b.update_quote("X", 100400, 300, 100600, 200, ts=3, closed=True)
    assert b.protected_bbo()[:4] == (None, (), None, ())


def test_req_pq_04_every_venue_at_the_pbb_is_kept():
    b = book()
    bid(b, "X", 100500, 300, ts=1)
    bid(b, "Z", 100500, 500, ts=2)
    assert b.protected_bbo().bid_venues == ("X", "Z")


def test_req_pq_06_and_tick_04_off_grid_away_quote_still_protected():
    b = book()
    offer(b, "Y", 100550, ts=1)
    assert b.off_grid_quotes == 1 and b.protected_bbo().offer == 100550
    assert not b.check_print(100600, ts=2).allowed


# ------------------------------------------------------------------ REQ-TT
def test_req_tt_05_each_print_is_checked_separately():
    b = book()
    offer(b, "Y", 100500, 100)
    b.submit(1, SELL, 100500, 200, ts=NOW)
    b.submit(2, SELL, 100600, 300, ts=NOW)
    b.take_events()
    b.submit(3, BUY, 100600, 500, ts=NOW, tif=IOC)
    ev = b.take_events()
    assert fills(ev) == [(100500, 200, C.NO_TRADE_THROUGH)]
    assert ev["type"].tolist() == [T.ACCEPTED, T.FILL, T.BLOCKED, T.CANCELLED]


def test_rule611_switch_and_flicker_window():
    b = book()
    offer(b, "Y", 100500)
    b.configure(rule611=False)
    assert b.check_print(100700, ts=NOW).code == C.CHECK_DISABLED
    b.configure(rule611=True)
    with pytest.raises(ValueError, match="flicker_window_ns"):
        b.configure(flicker_window_ns=2_000_000_000)  # D5: never longer than 1 s
    b.configure(flicker_window_ns=500_000_000)
    assert b.config["flicker_window_ns"] == 500_000_000


# ------------------------------------------------------------------ REQ-EXC
def test_req_exc_02_and_07_global_attestations():
    b = book()
    offer(b, "Y", 100500)
    assert b.check_print(100800, flags=OrderFlag.NON_REGULAR_WAY, ts=NOW).code == C.NON_REGULAR_WAY
    assert b.check_print(100137 - 37, flags=OrderFlag.BENCHMARK, ts=NOW).code in (C.BENCHMARK, C.NO_TRADE_THROUGH)
    assert b.check_print(100800, flags=OrderFlag.BENCHMARK, ts=NOW).code == C.BENCHMARK


def test_req_exc_04_crossed_market_excludes_self_help_venues():
    b = book()
    bid(b, "X", 100600, ts=1)
    offer(b, "Y", 100500, ts=2)
    assert b.check_print(100800, ts=3).code == C.CROSSED_MARKET
    b.declare_self_help("X", ts=4)  # X excluded: no longer crossed
    assert not b.protected_bbo(at=4).crossed
    assert b.check_print(100800, ts=5).blocked == ("Y",)


def test_req_exc_08_bid_side_flicker():
    b = book()
    bid(b, "X", 100400, ts=36_000_000_000_000)
    bid(b, "X", 100500, ts=36_004_800_000_000)
    assert b.check_print(100400, side=SELL, ts=NOW).code == C.FLICKER
    assert not b.check_print(100300, side=SELL, ts=NOW).allowed


def test_req_exc_08_manual_and_empty_states_do_not_count():
    b = book()
    b.update_quote("Y", 0, 0, 100600, 100, ts=36_004_500_000_000, ask_automated=False)  # manual
    offer(b, "Y", 100500, ts=36_004_600_000_000)
    assert not b.check_print(100600, ts=NOW).allowed


def test_faq_4_08_a_route_for_the_full_size_covers_later_orders_until_the_venue_updates():
    b = book()
    offer(b, "Y", 100500, 100)
    b.submit(1, SELL, 100600, 500, ts=NOW)
    b.submit(2, BUY, 100500, 100, ts=NOW, flags=OrderFlag.ROUTABLE, tif=IOC)  # routes 100 to Y
    b.take_events()
    assert b.check_print(100600, ts=NOW).code == C.ROUTE_PENDING
    b.submit(3, BUY, 100600, 100, ts=NOW, tif=IOC)
    assert fills(b.take_events()) == [(100600, 100, C.ROUTE_PENDING)]
    offer(b, "Y", 100500, 100, ts=NOW + 1)  # Y's new quote answers the route
    assert not b.check_print(100600, ts=NOW + 1).allowed


# ------------------------------------------------------------------ REQ-ISOIN
def test_req_isoin_02_ioc_iso_walks_the_book():
    b = book()
    offer(b, "Y", 100500, 300)
    b.submit(1, SELL, 100600, 200, ts=NOW)
    b.submit(2, SELL, 100700, 300, ts=NOW)
    b.take_events()
    b.submit(3, BUY, 100700, 400, ts=NOW, tif=IOC, flags=OrderFlag.ISO)
    ev = b.take_events()
    assert fills(ev) == [(100600, 200, C.ISO_RECEIVED), (100700, 200, C.ISO_RECEIVED)]
    assert all(ev[ev["type"] == T.FILL]["flags"] & 4)  # ISO sale condition (REQ-ISOIN-04)


def test_req_isoin_03_day_iso_posts_at_its_limit_then_is_ordinary():
    b = book()
    offer(b, "Y", 100500, 300)
    b.submit(1, SELL, 100600, 200, ts=NOW)
    b.take_events()
    b.submit(2, BUY, 100600, 500, ts=NOW, flags=OrderFlag.ISO)
    ev = b.take_events()
    assert fills(ev) == [(100600, 200, C.ISO_RECEIVED)]
    o = b.order(2)
    assert (o.price, o.display_price, o.leaves, o.repriced) == (100600, 100600, 300, False)  # not slid
    b.submit(3, SELL, 100600, 100, ts=NOW + 1, tif=IOC)  # a later sell against it is checked normally
    assert T.BLOCKED in b.take_events()["type"].tolist()


def test_req_isoin_01_iso_must_not_be_routable_or_post_only():
    b = book()
    b.submit(1, BUY, 100600, 100, ts=NOW, flags=OrderFlag.ISO | OrderFlag.ROUTABLE)
    b.submit(2, BUY, 100600, 100, ts=NOW, flags=OrderFlag.ISO, post_only=PostOnly.REJECT)
    assert [e.reason for e in take(b)] == [Reason.INCOMPATIBLE_INSTRUCTIONS] * 2


# ------------------------------------------------------------------ REQ-OH
def test_req_oh_01_examples():
    b = book()
    offer(b, "Y", 100500, 100)
    b.submit(1, BUY, 100700, 500, ts=NOW, tif=IOC)  # non-routable IOC: 0 fills, cancelled
    ev = b.take_events()
    assert ev["type"].tolist() == [T.ACCEPTED, T.CANCELLED] and len(b) == 0
    b.submit(2, BUY, 100700, 500, ts=NOW, flags=OrderFlag.ROUTABLE)  # routable: route 100, rest 400 slid
    ev = b.take_events()
    assert ev["type"].tolist() == [T.ACCEPTED, T.ROUTE, T.REPRICED]
    assert (int(ev[1]["quantity"]), int(ev[1]["price"])) == (100, 100500)
    o = b.order(2)
    assert (o.leaves, o.price, o.display_price, o.limit_price) == (400, 100500, 100400, 100700)


def test_req_oh_01_market_order_is_bounded_by_the_protected_bbo():
    b = book()
    offer(b, "Y", 100500, 100)
    b.submit(1, SELL, 100500, 100, ts=NOW)
    b.submit(2, SELL, 100600, 100, ts=NOW)
    b.take_events()
    b.submit(3, BUY, 0, 300, ts=NOW, order_type=OrderType.MARKET)
    ev = b.take_events()
    assert fills(ev) == [(100500, 100, C.NO_TRADE_THROUGH)]
    assert ev[-1]["reason"] == Reason.WOULD_TRADE_THROUGH and ev[-1]["quantity"] == 200


def test_req_oh_01_fok_executes_nothing_unless_it_fills_without_trading_through():
    b = book()
    offer(b, "Y", 100500, 100)
    b.submit(1, SELL, 100500, 100, ts=NOW)
    b.submit(2, SELL, 100600, 100, ts=NOW)
    b.take_events()
    before = full_state(b)
    b.submit(3, BUY, 100600, 200, ts=NOW, tif=FOK)
    ev = b.take_events()
    # REQ-AUD-01 / D15: the blocked attempt names the venue that stopped it
    assert ev["type"].tolist() == [T.ACCEPTED, T.BLOCKED, T.CANCELLED] and ev[2]["reason"] == Reason.WOULD_TRADE_THROUGH
    assert b.venue_names(ev[1]["venues"]) == ["Y"] and ev[1]["price"] == 100600
    assert full_state(b)[:-1] == before[:-1]
    b.submit(4, BUY, 100600, 100, ts=NOW, tif=FOK)  # fillable inside the protected BBO
    assert fills(b.take_events()) == [(100500, 100, C.NO_TRADE_THROUGH)]


def test_routable_ioc_takes_local_then_routes_the_rest():
    b = book()
    offer(b, "Y", 100600, 300)
    b.submit(1, SELL, 100600, 100, ts=NOW)
    b.take_events()
    b.submit(2, BUY, 100700, 500, ts=NOW, tif=IOC, flags=OrderFlag.ROUTABLE)
    ev = b.take_events()
    assert ev["type"].tolist() == [T.ACCEPTED, T.FILL, T.ROUTE, T.CANCELLED]
    assert int(ev[2]["quantity"]) == 300 and ev[3]["quantity"] == 100


# ------------------------------------------------------------------ REQ-LC
def test_req_lc_06_post_only_steps_back_from_the_away_offer():
    b = book()
    offer(b, "Y", 100500)
    b.submit(1, BUY, 100600, 100, ts=NOW, post_only=PostOnly.REPRICE)
    assert b.order(1).price == 100400
    b.submit(2, BUY, 100500, 100, ts=NOW, post_only=PostOnly.REJECT)
    assert take(b)[-1].reason == Reason.POST_ONLY_WOULD_REMOVE


def test_req_lc_01_lock_cross_switch_and_crossed_market_exception():
    b = book()
    offer(b, "Y", 100500)
    b.configure(lock_cross_protection=False)
    b.submit(1, BUY, 100500, 100, ts=NOW)
    assert not b.order(1).repriced
    b.configure(lock_cross_protection=True, default_lock_cross=LockCrossMode.PRICE_ADJUST)
    b.submit(2, BUY, 100600, 100, ts=NOW)
    assert (b.order(2).price, b.order(2).display_price) == (100400, 100400)
    c = book()
    bid(c, "X", 100600, ts=1)
    offer(c, "Y", 100500, ts=2)  # crossed protected market: display allowed (REQ-LC-01(b))
    c.submit(1, BUY, 100500, 100, ts=3)
    assert not c.order(1).repriced


def test_slid_order_replace_and_cancel():
    b = book()
    offer(b, "Y", 100500)
    b.submit(1, BUY, 100700, 100, ts=NOW)
    b.replace(1, 100700, 50, ts=NOW + 1)  # same limit, smaller: priority kept
    assert take(b)[-1].flags == 1 and b.order(1).limit_price == 100700
    b.replace(1, 100400, 50, ts=NOW + 2, new_order_id=7)  # below the offer: no longer slid
    o = b.order(7)
    assert (o.price, o.repriced) == (100400, False)
    b.submit(2, BUY, 100800, 100, ts=NOW + 3)
    b.cancel(2, ts=NOW + 4)
    assert b.check_integrity() is None
    b.take_events()
    offer(b, "Y", 100600, ts=NOW + 5)  # nothing left to re-slide
    assert T.REPRICED not in b.take_events()["type"].tolist()


# ------------------------------------------------------------------ REQ-FEE
@pytest.mark.parametrize(
    "price, qty, fee",
    [(250_000, 1_000, 3_000_000_000),  # $25.00: $0.003/sh -> $3.00 per 1,000 sh
     (10_000, 100, 300_000_000),  # $1.00: $0.003 (both formulas agree)
     (9_999, 100, 299_970_000),  # $0.9999: $0.0029997/sh
     (5_000, 100, 150_000_000),  # $0.50: $0.0015/sh
     (500, 10_000, 1_500_000_000)],  # $0.05: $1.50 per 10,000 sh
)
def test_req_fee_01_fees_on_fills_at_the_cap(price, qty, fee):
    b = book()
    b.set_fee_schedule(take_fee_nd=3_000_000, take_rate_ppm=3_000, make_rebate_nd=2_000_000, make_rate_ppm=0)
    b.submit(1, SELL, price, qty, ts=NOW)
    b.submit(2, BUY, price, qty, ts=NOW, tif=IOC)
    f = b.take_events()
    f = f[f["type"] == T.FILL][0]
    assert int(f["fee"]) == fee
    assert int(f["aux"]) == (2_000_000 * qty if price >= 10_000 else 0)


# ------------------------------------------------------------------ inputs
def test_quote_batch_matches_single_updates():
    q = new_quotes(3)
    q["ts"] = [1, 2, 3]
    q["venue"] = [0, 1, 1]
    q["bid_price"], q["bid_size"] = [100400, 0, 0], [300, 0, 0]
    q["ask_price"], q["ask_size"] = [0, 100600, 100500], [0, 200, 100]
    q["feed"], q["condition"] = [Feed.DIRECT, Feed.UQDF, Feed.CQS], [0, ord("R"), ord("F")]
    a, b = book(), book()
    a.update_quotes(q)
    for r in q:
        b.update_quote(int(r["venue"]), int(r["bid_price"]), int(r["bid_size"]), int(r["ask_price"]),
                       int(r["ask_size"]), ts=int(r["ts"]), feed=int(r["feed"]), condition=int(r["condition"]))
    assert a.protected_bbo() == b.protected_bbo()
    # Y's last update replaces its quote: a CQS 'F' ask is slow, so Y protects nothing
    assert a.protected_bbo()[:4] == (100400, ("X",), None, ())
    assert a.quote("Y")[4:7] == (100500, 100, False)
    with pytest.raises(TypeError, match="quotes must have dtype"):
        a.update_quotes(np.zeros(3))
    with pytest.raises(ValueError, match="C-contiguous"):
        a.update_quotes(new_quotes(4)[::2])


@pytest.mark.parametrize(
    "kwargs, reason",
    [({"bid_price": -1}, Reason.INVALID_QUOTE), ({"ask_size": -5}, Reason.INVALID_QUOTE),
     ({"feed": 7}, Reason.INVALID_QUOTE), ({"ts": 5}, Reason.TIMESTAMP_REGRESSION)],
)
def test_bad_quotes_are_rejected_and_change_nothing(kwargs, reason):
    b = book()
    b.update_quote("X", 100400, 100, 100600, 100, ts=10)
    b.take_events()
    before = (b.protected_bbo(), b.quote_version)
    args = {"venue": "Y", "bid_price": 100300, "bid_size": 100, "ask_price": 100700, "ask_size": 100, "ts": 11}
    args.update(kwargs)
    venue = args.pop("venue")
    b.update_quote(venue, args.pop("bid_price"), args.pop("bid_size"), args.pop("ask_price"), args.pop("ask_size"),
                   **args)
    ev = b.take_events()
    assert ev["type"].tolist() == [T.REJECTED] and ev["reason"].tolist() == [reason]
    assert (b.protected_bbo(), b.quote_version) == before


def test_bad_venue_and_self_help_arguments():
    b = book()
    with pytest.raises(ValueError, match="venue='Q'"):
        b.update_quote("Q", 1, 1, 0, 0)
    with pytest.raises(ValueError, match="venue=32"):
        b.declare_self_help(32)
    with pytest.raises(TypeError, match="venues"):
        ProtectedBook("T", venues=[1, 2])
    with pytest.raises(ValueError, match="duplicate"):
        ProtectedBook("T", venues=["A", "A"])
    with pytest.raises(TypeError, match="unexpected"):
        Book("T", venues=["A"])
    b.revoke_self_help("X", ts=1)  # nothing declared
    b.declare_self_help("X", ts=2)
    b.declare_self_help("X", ts=3)  # overlaps the open declaration
    assert [e.reason for e in take(b)] == [Reason.INVALID_SELF_HELP, Reason.INVALID_SELF_HELP]


def test_plain_book_ignores_reg_nms_flags():
    b = Book("P")
    b.submit(1, SELL, 100500, 100, flags=OrderFlag.ROUTABLE)
    b.submit(2, BUY, 100500, 100, flags=OrderFlag.ISO, tif=IOC)
    ev = b.take_events()
    assert ev[ev["type"] == T.FILL]["compliance_code"].tolist() == [C.NONE]


def test_slid_orders_follow_a_self_help_boundary_even_after_a_query():
    b = book()
    offer(b, "Y", 100500, ts=1)
    b.submit(1, BUY, 100700, 100, ts=2)  # slid against Y
    b.declare_self_help("Y", start=10, end=20, ts=3)
    assert b.check_print(100600, ts=11).code == C.SELF_HELP  # the query passes the boundary first
    b.submit(2, SELL, 101000, 100, ts=12)  # the next command re-places the slid order
    o = b.order(1)
    assert (o.price, o.repriced) == (100700, False)  # Y excluded: nothing to lock


def test_req_tick_04_never_rank_at_an_off_grid_away_price():
    """Found by the sanitizer driver: sliding to an off-grid away offer ranked the order off the grid."""
    b = book()
    offer(b, "Y", 100550, ts=1)  # a bad feed: $10.055 is off the penny grid
    b.submit(1, BUY, 100700, 100, ts=2)
    o = b.order(1)
    assert (o.price, o.display_price, o.limit_price, o.repriced) == (100500, 100500, 100700, True)
    b.submit(2, SELL, 100300, 100, ts=3)
    b.update_quote("X", 100450, 100, 0, 0, ts=4)  # an off-grid bid
    assert b.check_integrity() is None


# ------------------------------------------------------ hardening (issue 9)
def ev_rows(ev, *fields):
    return [tuple(int(e[f]) for f in fields) for e in ev]


def test_req_aud_01_trade_through_audit_for_venue_31():
    """Issue 9, item 1: auditing a trade-through of the last venue (bit 31) walked
    the venue bits with a shift of 32 (undefined; it crashed)."""
    names = [f"V{i}" for i in range(32)]
    b = ProtectedBook("T", venues=names)
    b.update_quote("V31", 0, 0, 100500, 300, ts=NOW - 1)
    b.submit(1, SELL, 100600, 100, ts=NOW)
    b.take_events()
    b.submit(2, BUY, 100600, 100, ts=NOW, tif=IOC, flags=OrderFlag.ISO)  # (b)(5): allowed, audited
    ev = b.take_events()
    assert ev["type"].tolist() == [T.ACCEPTED, T.TRADE_THROUGH, T.FILL]
    audit = ev[1]
    assert (int(audit["venues"]), int(audit["aux"]), int(audit["quantity"]), int(audit["side"])) == (
        1 << 31, 100500, 300, SELL)
    assert b.venue_names(audit["venues"]) == ["V31"]
    assert audit["compliance_code"] == C.ISO_RECEIVED and ev[2]["compliance_code"] == C.ISO_RECEIVED


def test_req_aud_01_a_fok_stopped_by_rule_611_reports_who_stopped_it():
    """Issue 9, item 26 (D15): Y offers 20.00 x 100; the book offers 20.00 x 100 and
    20.01 x 200; a FOK buy 300 @ 20.01 executes nothing and reports a BLOCKED event
    naming Y, as the same order sent IOC does."""
    def setup():
        b = book()
        offer(b, "Y", 200000, 100)
        b.submit(1, SELL, 200000, 100, ts=NOW)
        b.submit(2, SELL, 200100, 200, ts=NOW)
        b.take_events()
        return b

    fok, ioc = setup(), setup()
    fok.submit(3, BUY, 200100, 300, ts=NOW, tif=FOK)
    ioc.submit(3, BUY, 200100, 300, ts=NOW, tif=IOC)
    f, i = fok.take_events(), ioc.take_events()
    assert f["type"].tolist() == [T.ACCEPTED, T.BLOCKED, T.CANCELLED]
    assert i["type"].tolist() == [T.ACCEPTED, T.FILL, T.BLOCKED, T.CANCELLED]
    fields = ("order_id", "contra_id", "price", "quantity", "venues", "compliance_code")
    assert ev_rows(f[1:2], *fields) == ev_rows(i[2:3], *fields) == [(3, 2, 200100, 200, 1 << 1, C.BLOCKED_RULE_611)]
    assert (int(f[2]["quantity"]), int(f[2]["reason"])) == (300, Reason.WOULD_TRADE_THROUGH)
    assert [o["order_id"] for o in fok.orders()] == [1, 2]  # FOK executed nothing


def test_req_exc_06_an_earlier_partial_iso_does_not_count_towards_the_full_size():
    """Issue 9, item 27: with Y offering 20.05 x 300, a routable IOC buy for 200
    routes an ISO of 200 to Y. A second routable buy for 600 @ 20.08 must route
    Y's full 300 in its own matching event before printing locally under (b)(6)."""
    b = book()
    offer(b, "Y", 200500, 300)
    b.submit(1, SELL, 200800, 1000, ts=NOW)
    b.take_events()
    b.submit(2, BUY, 200500, 200, ts=NOW, tif=IOC, flags=OrderFlag.ROUTABLE)
    first = b.take_events()
    assert ev_rows(first[first["type"] == T.ROUTE], "quantity", "reason") == [(200, Reason.ROUTE_ISO_PARTIAL)]
    b.submit(3, BUY, 200800, 600, ts=NOW, tif=IOC, flags=OrderFlag.ROUTABLE)
    ev = b.take_events()
    assert ev["type"].tolist() == [T.ACCEPTED, T.ROUTE, T.TRADE_THROUGH, T.FILL]
    assert ev_rows(ev[1:2], "venues", "price", "quantity", "leaves", "reason") == [
        (1 << 1, 200500, 300, 300, Reason.ROUTE_ISO)]
    assert fills(ev) == [(200800, 300, C.ISO_ROUTED)]


def test_req_exc_06_an_earlier_partial_iso_alone_clears_nothing():
    """Issue 9, item 27: the same earlier 200-share ISO does not let a non-routable
    order print through Y: Y was never swept for its full displayed size."""
    b = book()
    offer(b, "Y", 200500, 300)
    b.submit(1, SELL, 200800, 1000, ts=NOW)
    b.submit(2, BUY, 200500, 200, ts=NOW, tif=IOC, flags=OrderFlag.ROUTABLE)
    b.take_events()
    assert not b.check_print(200800, ts=NOW).allowed
    b.submit(3, BUY, 200800, 100, ts=NOW, tif=IOC)
    ev = b.take_events()
    assert ev["type"].tolist() == [T.ACCEPTED, T.BLOCKED, T.CANCELLED]


def test_req_lc_01b_an_order_shown_while_the_market_was_crossed_slides_when_it_uncrosses():
    """Issue 9, item 28(a): a bid displayed at its limit while the protected market
    was crossed (REQ-LC-01(b)) crosses Y's offer once the market uncrosses: it
    slides then (REQ-LC-02), with an event, instead of crossing silently."""
    b = book()
    bid(b, "X", 100800, ts=NOW - 3)
    offer(b, "Y", 100600, ts=NOW - 2)  # crossed: PBB 10.08 > PBO 10.06
    b.submit(1, BUY, 100700, 100, ts=NOW)
    assert (b.order(1).price, b.order(1).display_price, b.order(1).repriced) == (100700, 100700, False)
    b.take_events()
    bid(b, "X", 100500, ts=NOW + 1)  # uncrossed: our 10.07 bid now crosses Y's protected 10.06 offer
    ev = b.take_events()
    assert ev_rows(ev, "type", "order_id", "price", "aux", "leaves", "reason") == [
        (T.REPRICED, 1, 100600, 100500, 100, Reason.SLID)]
    o = b.order(1)
    assert (o.price, o.display_price, o.limit_price, o.repriced) == (100600, 100500, 100700, True)
    offer(b, "Y", 100900, ts=NOW + 2)  # Y moves away: back to the limit, as any slid order
    assert (b.order(1).price, b.order(1).repriced) == (100700, False)
    assert b.check_integrity() is None


@pytest.mark.parametrize("mode, events", [
    (LockCrossMode.PRICE_ADJUST, [(T.REPRICED, 1, Reason.PRICE_ADJUSTED)]),
    (LockCrossMode.CANCEL_BACK, [(T.CANCELLED, 1, Reason.WOULD_LOCK_CROSS)]),
])
def test_req_lc_01b_lapse_follows_the_orders_mode(mode, events):
    """Issue 9, item 28(a): PRICE_ADJUST adjusts (REQ-LC-03), CANCEL_BACK is
    cancelled back (REQ-LC-04) once the crossed-market exception lapses."""
    b = book()
    bid(b, "X", 100800, ts=NOW - 3)
    offer(b, "Y", 100600, ts=NOW - 2)
    b.submit(1, BUY, 100700, 100, ts=NOW, lock_cross=mode)
    b.take_events()
    bid(b, "X", 100500, ts=NOW + 1)
    assert ev_rows(b.take_events(), "type", "order_id", "reason") == events
    assert b.check_integrity() is None


def test_req_lc_01a_an_order_shown_under_self_help_slides_again_when_it_is_revoked():
    """Issue 9, item 28(b): X offers 10.05; a buy at 10.07 slides (ranked 10.05,
    shown 10.04); self-help against X moves it back to 10.07 (REQ-SH-03); once
    self-help is revoked it slides again rather than crossing X's protected
    offer, and a sell at 10.05 can then reach it."""
    b = book()
    offer(b, "X", 100500, ts=NOW - 1)
    b.submit(1, BUY, 100700, 100, ts=NOW)
    assert (b.order(1).price, b.order(1).display_price) == (100500, 100400)
    b.declare_self_help("X", ts=NOW + 1)
    assert (b.order(1).price, b.order(1).display_price, b.order(1).repriced) == (100700, 100700, False)
    b.take_events()
    b.revoke_self_help("X", ts=NOW + 2)
    ev = b.take_events()
    assert ev_rows(ev, "type", "order_id", "price", "aux", "reason") == [(T.REPRICED, 1, 100500, 100400, Reason.SLID)]
    b.submit(2, SELL, 100500, 100, ts=NOW + 3)
    assert fills(b.take_events()) == [(100500, 100, C.NO_TRADE_THROUGH)]


def test_req_lc_01_orders_placed_without_an_exception_are_not_touched_by_a_later_locker():
    """Issue 9, item 28, the other side of it: an order resting at its limit with no
    exception in play is left alone when an away venue later locks it (the locker
    is the one in breach, REQ-LC-05)."""
    b = book()
    b.submit(1, BUY, 100500, 100, ts=NOW)
    b.take_events()
    offer(b, "Y", 100500, ts=NOW + 1)
    assert b.take_events().size == 0 and b.order(1).price == 100500


def test_req_exc_08_look_back_edge_in_nanoseconds():
    """Issue 9, item 29 (D3, D5): the window is (t - 1 s, t] in whole nanoseconds. A
    state last displayed at exactly t - 1 s is outside it; one displayed a
    nanosecond later is inside."""
    def at(t_end):
        b = book()
        offer(b, "Y", 100700, ts=NOW - 5_000_000_000)
        offer(b, "Y", 100500, ts=t_end)  # 100700 was last displayed at t_end - 1
        return b
    t = NOW
    assert not at(t - 1_000_000_000 + 1).check_print(100600, ts=t).allowed   # last shown at t - 1 s
    assert at(t - 1_000_000_000 + 2).check_print(100600, ts=t).code == C.FLICKER  # at t - 1 s + 1 ns


def test_rejected_commands_change_nothing_under_reg_nms():
    """Issue 9, item 17: a refusal is one REJECTED event and nothing else, even when
    re-pricing is due (a self-help interval started since the last command).
    The re-pricing waits for the next command that is accepted."""
    def setup():
        b = book()
        offer(b, "X", 100500, ts=NOW - 1)
        b.submit(1, BUY, 100700, 100, ts=NOW)  # slid: ranked 10.05, shown 10.04
        b.declare_self_help("X", start=NOW + 10, end=NOW + 1_000_000, ts=NOW + 1)
        b.take_events()
        return b

    def post_only_replace(b):
        b.submit(8, SELL, 101000, 100, post_only=PostOnly.REJECT, ts=NOW + 2)
        b.take_events()
        return lambda b: b.replace(8, 100700, 100, ts=NOW + 20)

    refusals = [
        ("no liquidity", lambda b: lambda b: b.submit(9, BUY, 0, 100, order_type=OrderType.MARKET, ts=NOW + 20),
         Reason.NO_LIQUIDITY),
        # against the book as it will be (our bid back at 10.07), a post-only sell at 10.07 would remove
        ("post-only", lambda b: lambda b: b.submit(9, SELL, 100700, 100, post_only=PostOnly.REJECT, ts=NOW + 20),
         Reason.POST_ONLY_WOULD_REMOVE),
        ("post-only replace", post_only_replace, Reason.POST_ONLY_WOULD_REMOVE),
    ]
    for name, prepare, reason in refusals:
        b = setup()
        call = prepare(b)
        before = (full_state(b), b.last_sequence, b.orders().tobytes())
        call(b)
        ev = b.take_events()
        assert ev_rows(ev, "type", "reason") == [(T.REJECTED, reason)], name
        assert (full_state(b), b.last_sequence - 1, b.orders().tobytes()) == before, name
        b.submit(10, SELL, 101100, 100, ts=NOW + 30)  # the next accepted command does the due re-pricing
        ev = b.take_events()
        assert ev_rows(ev[:1], "type", "order_id", "price", "reason") == [(T.REPRICED, 1, 100700, Reason.UNSLID)], name


def test_cancel_back_refusal_while_repricing_is_due_changes_nothing():
    """Issue 9, item 17, for CANCEL_BACK (REQ-LC-04): refused untouched while a
    self-help boundary has passed since the last command; nothing else changes."""
    b = book()
    offer(b, "X", 100500, ts=NOW - 1)
    offer(b, "Y", 100600, ts=NOW - 1)
    b.submit(1, SELL, 100800, 100, ts=NOW)
    b.declare_self_help("X", start=NOW + 10, end=NOW + 1_000_000, ts=NOW + 1)
    b.take_events()
    before = full_state(b)
    b.submit(2, BUY, 100700, 100, lock_cross=LockCrossMode.CANCEL_BACK, ts=NOW + 20)  # locks Y's 10.06 after X goes
    assert ev_rows(b.take_events(), "type", "reason") == [(T.REJECTED, Reason.WOULD_LOCK_CROSS)]
    assert full_state(b) == before


def test_check_print_is_a_pure_query():
    """Issue 9, item 18: a query for a later time must not expire the look-back
    history (a later order was blocked where it would have filled, and recovery,
    which does not see queries, diverged). Earlier times are refused."""
    def setup():
        b = book()
        offer(b, "Y", 100700, ts=NOW - 2_000_000_000)
        offer(b, "Y", 100500, ts=NOW)  # 100700 shown until NOW: the look-back covers a 10.06 print until NOW + 1 s
        b.submit(1, SELL, 100600, 100, ts=NOW)
        b.take_events()
        return b

    queried, plain = setup(), setup()
    snap = queried.save_snapshot()
    assert not queried.check_print(100600, ts=NOW + 5_000_000_000).allowed  # later: outside the window
    assert queried.save_snapshot() == snap  # changed nothing
    for b in (queried, plain):
        b.submit(2, BUY, 100600, 100, ts=NOW + 500_000_000, tif=IOC)
        assert fills(b.take_events()) == [(100600, 100, C.FLICKER)]
    with pytest.raises(ValueError, match=r"ts=.* is earlier than the book's clock"):
        queried.check_print(100600, ts=NOW)
    with pytest.raises(ValueError, match=r"at=.* is earlier than the book's clock"):
        queried.protected_bbo(at=1)


def test_configure_is_all_or_nothing():
    """Issue 9, item 19: a bad argument raises naming it and changes nothing (the
    look-back window was applied before the bad lock/cross mode was seen)."""
    b = book()
    before = b.config
    with pytest.raises(ValueError, match="default_lock_cross"):
        b.configure(flicker_window_ns=500_000_000, rule611=False, default_lock_cross=9)
    with pytest.raises(ValueError, match="flicker_window_ns"):
        b.configure(rule611=False, flicker_window_ns=2_000_000_000)
    assert b.config == before
    assert b.configure(rule611=False, dry_run=True) == {"rule611": False} and b.config == before


def test_venues_the_book_was_not_given_are_refused():
    """Issue 9, item 22: a one-venue book accepted quotes for venue 7, which then
    blocked fills. By index or in a batch, an unknown venue is refused."""
    b = ProtectedBook("T", venues=["X"])
    b.submit(1, SELL, 100600, 100, ts=NOW)
    b.take_events()
    with pytest.raises(ValueError, match="venue=7"):
        b.update_quote(7, 0, 0, 100500, 100, ts=NOW)
    with pytest.raises(ValueError, match="venue=1"):
        b.declare_self_help(1, ts=NOW)
    q = new_quotes(1)
    q["ts"], q["venue"], q["ask_price"], q["ask_size"] = NOW, 7, 100500, 100
    ev = b.update_quotes(q)
    assert ev_rows(ev, "type", "reason", "venues") == [(T.REJECTED, Reason.UNKNOWN_VENUE, 1 << 7)]
    b.submit(2, BUY, 100600, 100, ts=NOW, tif=IOC)
    assert fills(b.take_events()) == [(100600, 100, C.NO_TRADE_THROUGH)]


@pytest.mark.parametrize("field, value", [
    ("take_fee_nd", -10**17), ("make_rebate_nd", 10**17), ("take_fee_nd", 3_000_001),
    ("make_rate_ppm", -3_001), ("take_rate_ppm", 3_001), ("make_rebate_nd", -3_000_001)])
def test_req_fee_02_every_fee_field_is_bounded_by_the_cap(field, value):
    """Issue 9, item 23: fee fields outside the cap regime (rebates included) fail
    to load, naming the field, and nothing changes."""
    b = book()
    b.set_fee_schedule(take_fee_nd=2_000_000)
    before = b.fee_schedule
    with pytest.raises(ValueError, match=field):
        b.set_fee_schedule(**{field: value})
    assert b.fee_schedule == before


def test_req_fee_02_fees_and_rebates_at_the_cap_never_overflow():
    """Issue 9, item 23: with every field within the cap, fee x shares fits easily,
    and the signs are right (a taker rebate is negative)."""
    b = book()
    b.set_fee_schedule(take_fee_nd=-3_000_000, make_rebate_nd=3_000_000)
    b.submit(1, SELL, 1_000_000_000, 1_000_000_000, ts=NOW)  # $100,000 x the largest order
    b.submit(2, BUY, 1_000_000_000, 1_000_000_000, ts=NOW, tif=IOC)
    f = b.take_events()
    f = f[f["type"] == T.FILL]
    assert (int(f["fee"][0]), int(f["aux"][0])) == (-3_000_000 * 10**9, 3_000_000 * 10**9)


def test_a_command_about_an_order_due_to_be_cancelled_back_is_refused_untouched():
    """Found by the widened fuzzer (issue 9): a cancel looked its order up, then the
    re-pricing due at its time cancelled that order back (its crossed-market
    exception had lapsed), and the cancel freed it a second time. Judged as the
    book will be, the order is gone: the cancel is refused and changes nothing;
    a new order may take its id."""
    b = book()
    bid(b, "X", 100800, ts=NOW - 3)
    offer(b, "Y", 100600, ts=NOW - 2)
    b.submit(1, BUY, 100700, 100, ts=NOW, lock_cross=LockCrossMode.CANCEL_BACK)  # shown while crossed
    b.declare_self_help("X", start=NOW + 10, ts=NOW + 1)  # from NOW + 10 the market is no longer crossed
    b.take_events()
    before = full_state(b)
    b.cancel(1, ts=NOW + 20)
    assert ev_rows(b.take_events(), "type", "order_id", "reason") == [(T.REJECTED, 1, Reason.UNKNOWN_ORDER_ID)]
    assert full_state(b) == before
    b.submit(1, SELL, 101000, 100, ts=NOW + 21)  # the re-pricing happens first, then the id is free again
    assert ev_rows(b.take_events(), "type", "order_id", "reason") == [
        (T.CANCELLED, 1, Reason.WOULD_LOCK_CROSS), (T.ACCEPTED, 1, 0)]
    assert b.check_integrity() is None


def test_self_help_revoked_at_its_start_survives_a_snapshot():
    """Found by the widened fuzzer's snapshot round trips: revoking self-help at the
    instant it starts leaves an empty interval, which the loader refused."""
    from engine._core import load_snapshot

    b = book()
    b.declare_self_help("X", start=NOW, ts=NOW - 5)
    b.revoke_self_help("X", at=NOW, ts=NOW - 4)
    r = load_snapshot(b.save_snapshot(), "T", venues=["X", "Y", "Z", "V", "W"])
    assert r.save_snapshot() == b.save_snapshot()
