"""Property tests of the Rule 611 layer.

1. With the check on, no committed fill trades through the protected-quote
   table as it stood at that moment, except under a listed exception that
   really applied. An independent oracle keeps its own copy of every quote,
   self-help interval and route, and re-derives, for each fill and each
   block, which quotes it traded through and whether the exception claimed
   for each one held (the look-back by brute force over the full history).
2. With every away quote worse than the book, the protected book behaves
   exactly as the plain reference book does (events and book state).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from engine import ComplianceCode as C
from engine import EventType as T
from engine import OrderFlag, OrderType, ProtectedBook, Side, TimeInForce
from support.reference_book import ReferenceBook
from support.pair import Pair
from support.random_commands import PRICE_PROFILES, random_command

VENUES = ["A", "B", "C", "D"]
WINDOW = 1_000_000_000
NEVER = 2**63 - 1


@dataclass
class OracleQuote:
    bid: int = 0
    bid_size: int = 0
    bid_auto: bool = True
    ask: int = 0
    ask_size: int = 0
    ask_auto: bool = True
    closed: bool = False
    routed_bid: int = 0
    routed_ask: int = 0


@dataclass
class Oracle:
    """An independent model of the protected-quote table (REQ-PQ, REQ-SH, REQ-EXC)."""

    quotes: dict[int, OracleQuote] = field(default_factory=dict)
    # every state each venue side showed: (start ts, automated price or 0)
    history: dict[tuple[int, str], list[tuple[int, int]]] = field(default_factory=dict)
    self_help: dict[int, list[list[int]]] = field(default_factory=dict)
    in_rth: bool = True

    def quote(self, ts, v, bid, bid_size, ask, ask_size, bid_auto, ask_auto, closed):
        q = OracleQuote(bid if bid > 0 and bid_size > 0 else 0, bid_size if bid > 0 and bid_size > 0 else 0,
                        bid_auto, ask if ask > 0 and ask_size > 0 else 0, ask_size if ask > 0 and ask_size > 0 else 0,
                        ask_auto, closed)
        self.quotes[v] = q
        self.history.setdefault((v, "bid"), []).append((ts, 0 if closed or not bid_auto else q.bid))
        self.history.setdefault((v, "ask"), []).append((ts, 0 if closed or not ask_auto else q.ask))

    def under_self_help(self, v, ts):
        return any(s <= ts < e for s, e in self.self_help.get(v, []))

    def sides(self, v, ts, include_self_help=False):
        """The automated, open, non-empty sides of venue v: {'bid': price, 'ask': price}."""
        q = self.quotes.get(v)
        if q is None or q.closed or (not include_self_help and self.under_self_help(v, ts)):
            return {}
        out = {}
        if q.bid and q.bid_auto:
            out["bid"] = q.bid
        if q.ask and q.ask_auto:
            out["ask"] = q.ask
        return out

    def traded_through(self, p, ts, include_self_help=False):
        """{venue: (side, quote price)} of the protected quotes a print at p trades through."""
        out = {}
        for v in self.quotes:
            s = self.sides(v, ts, include_self_help)
            if "bid" in s and s["bid"] > p:
                out[v] = ("bid", s["bid"])
            elif "ask" in s and s["ask"] < p:
                out[v] = ("ask", s["ask"])
        return out

    def pbb_pbo(self, ts):
        bids = [s["bid"] for v in self.quotes if "bid" in (s := self.sides(v, ts))]
        asks = [s["ask"] for v in self.quotes if "ask" in (s := self.sides(v, ts))]
        return (max(bids) if bids else 0), (min(asks) if asks else 0)

    def nbbo(self):
        bids = [q.bid for q in self.quotes.values() if not q.closed and q.bid]
        asks = [q.ask for q in self.quotes.values() if not q.closed and q.ask]
        return (max(bids) if bids else 0), (min(asks) if asks else 0)

    def flicker(self, v, side, p, ts):
        """Brute force over the whole history: a state overlapping (ts - 1 s, ts] shown at a price
        equal or inferior to p."""
        states = self.history.get((v, side), [])
        for i, (start, price) in enumerate(states):
            end = states[i + 1][0] if i + 1 < len(states) else NEVER
            if price and start <= ts and end > ts - WINDOW and (price >= p if side == "ask" else price <= p):
                return True
        return False


class ProtectedBookAgainstOracle(RuleBasedStateMachine):
    @initialize(profile=st.sampled_from(sorted(PRICE_PROFILES)))
    def start(self, profile):
        self.book = ProtectedBook("P", venues=VENUES)
        self.oracle = Oracle()
        self.prices = PRICE_PROFILES[profile]
        self.clock = 1_000
        self.next_id = 1
        self.checked = 0

    def _tick(self, dt):
        self.clock += dt
        return self.clock

    def _grid(self, data):
        return data.draw(st.sampled_from([p for p in self.prices if p < 10_000 or p % 100 == 0]))

    @rule(data=st.data(), v=st.integers(0, 3), dt=st.sampled_from([0, 1, 100_000_000, 400_000_000, 900_000_000]))
    def quote(self, data, v, dt):
        ts = self._tick(dt)
        bid = self._grid(data) if data.draw(st.booleans()) else 0
        ask = self._grid(data) if data.draw(st.booleans()) else 0
        bid_size, ask_size = data.draw(st.sampled_from([0, 100, 300])), data.draw(st.sampled_from([0, 100, 300]))
        bid_auto, ask_auto = data.draw(st.booleans()) or data.draw(st.booleans()), data.draw(st.booleans()) or True
        closed = data.draw(st.sampled_from([False] * 9 + [True]))
        self.book.update_quote(v, bid, bid_size, ask, ask_size, ts=ts, bid_automated=bid_auto,
                               ask_automated=ask_auto, closed=closed)
        self.oracle.quote(ts, v, bid, bid_size, ask, ask_size, bid_auto, ask_auto, closed)
        self._check(self.book.take_events(), None, 0)

    @rule(data=st.data(), side=st.sampled_from([Side.BUY, Side.SELL]), qty=st.sampled_from([50, 100, 200, 400]),
          dt=st.sampled_from([0, 1, 300_000_000]))
    def order(self, data, side, qty, dt):
        ts = self._tick(dt)
        market = data.draw(st.sampled_from([False] * 6 + [True]))
        tif = data.draw(st.sampled_from([TimeInForce.IOC, TimeInForce.FOK] if market else list(TimeInForce)))
        flags = data.draw(st.sampled_from([0, 0, 0, OrderFlag.ROUTABLE, OrderFlag.ISO, OrderFlag.HIDDEN,
                                           OrderFlag.STOPPED, OrderFlag.AUCTION, OrderFlag.NON_REGULAR_WAY]))
        if market and flags == OrderFlag.ISO:
            flags = 0
        lock = data.draw(st.integers(0, 3))
        oid = self.next_id
        self.next_id += 1
        self.book.submit(oid, side, 0 if market else self._grid(data), qty, ts=ts, tif=tif, flags=flags,
                         lock_cross=lock, order_type=OrderType.MARKET if market else OrderType.LIMIT)
        self._check(self.book.take_events(), side, flags)

    @rule(data=st.data(), dt=st.sampled_from([0, 1]))
    def cancel_some(self, data, dt):
        orders = self.book.orders()
        if len(orders):
            self.book.cancel(int(data.draw(st.sampled_from(orders["order_id"].tolist()))), ts=self._tick(dt))
            self._check(self.book.take_events(), None, 0)

    @rule(v=st.integers(0, 3), revoke=st.booleans(), dt=st.sampled_from([0, 1, 500_000_000]))
    def self_help(self, v, revoke, dt):
        ts = self._tick(dt)
        intervals = self.oracle.self_help.setdefault(v, [])
        open_iv = [iv for iv in intervals if iv[1] == NEVER]
        if revoke and open_iv:
            self.book.revoke_self_help(v, ts=ts)
            open_iv[0][1] = ts
        elif not revoke and not open_iv:
            self.book.declare_self_help(v, ts=ts)
            intervals.append([ts, NEVER])
        self._check(self.book.take_events(), None, 0)

    @rule(rth=st.booleans(), dt=st.sampled_from([0, 1]))
    def session(self, rth, dt):
        ts = self._tick(dt)
        (self.book.start_regular_hours if rth else self.book.end_regular_hours)(ts=ts)
        self.oracle.in_rth = rth
        self._check(self.book.take_events(), None, 0)

    def _check(self, ev, side, flags):
        assert self.book.check_integrity() is None
        audit: dict[int, int] = {}
        for e in ev:
            kind, ts, p = int(e["type"]), int(e["ts"]), int(e["price"])
            if kind == T.ROUTE:
                v = int(e["venues"]).bit_length() - 1
                q = self.oracle.quotes[v]
                if e["side"] == Side.BUY:
                    q.routed_ask += int(e["quantity"])
                else:
                    q.routed_bid += int(e["quantity"])
            elif kind == T.TRADE_THROUGH:
                audit[int(e["venues"]).bit_length() - 1] = int(e["compliance_code"])
            elif kind == T.BLOCKED:
                through = self.oracle.traded_through(p, ts)
                blocked = {v for v in range(4) if int(e["venues"]) >> v & 1}
                assert blocked and blocked <= set(through), (p, through, blocked)
                audit = {}
            elif kind == T.FILL:  # the TRADE_THROUGH events just before a fill are its audit
                self._check_fill(e, side, flags, audit)
                self.checked += 1
                audit = {}
            else:
                audit = {}

    def _check_fill(self, e, side, flags, audit):
        ts, p, code = int(e["ts"]), int(e["price"]), int(e["compliance_code"])
        through = self.oracle.traded_through(p, ts)
        shadow = {v: s for v, s in self.oracle.traded_through(p, ts, include_self_help=True).items()
                  if v not in through}
        if code in (C.NO_TRADE_THROUGH,):
            assert not through and not shadow, (p, through, shadow)
            return
        if code == C.POLICY_OUTSIDE_RTH:
            assert not self.oracle.in_rth
        else:
            assert self.oracle.in_rth or not through
        # every protected quote traded through is audited, with a code that really applied
        assert set(through) | set(shadow) == set(audit), (p, through, shadow, audit)
        pbb, pbo = self.oracle.pbb_pbo(ts)
        nbb, nbo = self.oracle.nbbo()
        for v, c in audit.items():
            if v in shadow:
                assert c == C.SELF_HELP
                continue
            qside, qprice = through[v]
            q = self.oracle.quotes[v]
            if c == C.ISO_RECEIVED:
                assert flags & OrderFlag.ISO
            elif c == C.NON_REGULAR_WAY:
                assert flags & OrderFlag.NON_REGULAR_WAY
            elif c == C.AUCTION:
                assert flags & OrderFlag.AUCTION
            elif c == C.STOPPED:
                assert flags & OrderFlag.STOPPED and ((side == Side.BUY and p < nbb) or (side == Side.SELL and p > nbo))
            elif c == C.CROSSED_MARKET:
                assert pbb and pbo and pbb > pbo
            elif c == C.SUB_PENNY:
                assert qprice <= 10_000 and abs(p - qprice) < 100
            elif c in (C.ISO_ROUTED, C.ROUTE_PENDING):
                routed = q.routed_ask if qside == "ask" else q.routed_bid
                size = q.ask_size if qside == "ask" else q.bid_size
                assert routed >= size, (v, routed, size)
            elif c == C.FLICKER:
                assert self.oracle.flicker(v, qside, p, ts)
            else:
                raise AssertionError(f"fill at {p} traded through venue {v} with code {c}")


TestProtectedBookAgainstOracle = ProtectedBookAgainstOracle.TestCase
TestProtectedBookAgainstOracle.settings = settings(
    max_examples=120, stateful_step_count=50, deadline=None, suppress_health_check=list(HealthCheck)
)


def test_oracle_sees_real_exceptions():
    """The machine above must exercise the exceptions, not only quiet markets."""
    seen = set()
    rng = random.Random(5)
    for _ in range(300):
        b = ProtectedBook("P", venues=VENUES)
        for v in range(4):
            b.update_quote(v, rng.choice([100400, 100500, 0]), 100, rng.choice([100500, 100600, 0]), 100, ts=1)
        b.submit(1, Side.SELL, rng.choice([100500, 100600, 100700]), 500, ts=2)
        b.submit(2, Side.BUY, 100700, 500, ts=3, tif=TimeInForce.IOC,
                 flags=rng.choice([0, OrderFlag.ISO, OrderFlag.ROUTABLE, OrderFlag.AUCTION]))
        ev = b.take_events()
        seen.update(ev[ev["type"] == T.FILL]["compliance_code"].tolist())
        seen.update(ev[ev["type"] == T.BLOCKED]["compliance_code"].tolist())
    assert {C.NO_TRADE_THROUGH, C.ISO_RECEIVED, C.ISO_ROUTED, C.AUCTION, C.BLOCKED_RULE_611} <= seen


# --------------------------------------------------- quotes that never bind
FAR_BID, FAR_OFFER = 1, 99_999_999_900  # $0.0001 and $9,999,999.99: worse than any order here


def test_far_away_quotes_change_nothing():
    """Every away quote worse than the book: the protected book = the plain reference book."""
    compared = 0
    for seed, profile in [(11, "around_ten_dollars"), (12, "around_one_dollar")]:
        rng = random.Random(seed)
        pb = ProtectedBook("P", venues=VENUES)
        for v in range(4):
            pb.update_quote(v, FAR_BID, 100, FAR_OFFER, 100, ts=0)
        pb.take_events()
        pair = Pair(0)
        pair.book = pb
        pair.ref = ReferenceBook()
        clock = [0]
        for _ in range(3_000):
            live = list(pair.ledger)
            cmd = random_command(rng, PRICE_PROFILES[profile], clock, live)
            if cmd["order_type"] == OrderType.MARKET:
                cmd["flags"] &= ~int(OrderFlag.ROUTABLE)  # a market order would reach the far offer
            pair.apply(cmd, via_batch=rng.random() < 0.5, compare=lambda e: e[:13])
            compared += 1
        assert pb.protected_bbo()[:4:2] == (FAR_BID, FAR_OFFER)
    assert compared == 6_000
