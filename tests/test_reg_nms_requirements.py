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
from helpers import full_state, take

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
    assert ev["type"].tolist() == [T.ACCEPTED, T.CANCELLED] and ev[1]["reason"] == Reason.WOULD_TRADE_THROUGH
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
     ({"feed": 7}, Reason.INVALID_QUOTE), ({"ts": 5}, Reason.TIMESTAMP_REGRESSION),
     ({"venue": 31, "ts": 11}, None)],
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
    if reason is None:
        assert ev.size == 0 and b.quote_version == before[1] + 1
    else:
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
