# The ProtectedBook class: a Python owner of one C++ engine::Venue
# (regnms/venue.hpp), which owns its Book; the Book methods it inherits reach
# the Venue through the overridden cdef methods below.

cdef int _fill_quote(ce.QuoteUpdate* q, ProtectedBook book, venue, bid_price, bid_size, ask_price, ask_size, ts,
                     bint bid_automated, bint ask_automated, bint closed, feed, condition) except -1:
    """ProtectedBook.update_quote's arguments as a QuoteUpdate, checked (errors name the argument)."""
    memset(q, 0, sizeof(ce.QuoteUpdate))
    if type(venue) is int and 0 <= venue < book._venue_count:  # the fast path
        q.venue = <uint8_t>venue
    else:
        q.venue = <uint8_t>book.venue_id(venue)
    q.bid_price = _i64(bid_price, "bid_price")
    q.bid_size = _i64(bid_size, "bid_size")
    q.ask_price = _i64(ask_price, "ask_price")
    q.ask_size = _i64(ask_size, "ask_size")
    q.feed = <uint8_t>_ranged(feed, "feed", 255)
    q.condition = _condition_byte(condition)
    q.flags = ((0 if bid_automated else ce.kQuoteBidManual) | (0 if ask_automated else ce.kQuoteAskManual) |
               (ce.kQuoteClosed if closed else 0))
    q.ts = book._ts(ts)
    return 0


cdef class ProtectedBook(Book):
    """A :class:`Book` that trades under Regulation NMS.

    It keeps a table of other venues' best bids and offers (fed with
    :meth:`update_quote` or :meth:`update_quotes`) and checks every fill
    against it before committing it (Rule 611): a fill that would trade
    through a protected quote is allowed only under an exception, and
    otherwise routed around (routable orders) or stopped (BLOCKED events).
    Displayed orders that would lock or cross a protected quote slide, adjust
    or are cancelled back (Rule 610(e)), and re-price as quotes move.

    ``venues`` names the away venues (up to 32); methods take a venue by name
    or by its index in that list. Regular trading hours are on from the start;
    :meth:`end_regular_hours` and :meth:`start_regular_hours` switch them.
    """

    cdef ce.Venue* _venue  # owned; self._book is its book
    cdef readonly tuple venues
    cdef dict _venue_ids
    cdef int _venue_count

    def __cinit__(self, str symbol not None = "", tick_regime=TickRegime.PENNY_2005, venues=(),
                  bint regular_hours=True):
        cdef vector[string] cnames
        names = tuple(venues)
        if len(names) > ce.kMaxVenues:
            raise ValueError(f"venues has {len(names)} names; at most {ce.kMaxVenues} venues are supported")
        for n in names:
            if not isinstance(n, str) or not n:
                raise TypeError(f"venues must be non-empty strings, got {n!r}")
            if len(n.encode()) > 255:
                raise ValueError(f"venue name {n[:20]!r}... is longer than 255 bytes")
            cnames.push_back(n.encode())
        if len(set(names)) != len(names):
            raise ValueError("venues has duplicate names")
        self._adopt(new ce.Venue(_regime(tick_regime), cnames, regular_hours))

    def __dealloc__(self):
        del self._venue

    cdef void _adopt(self, ce.Venue* venue) noexcept:
        """Own this C++ Venue (replacing any other) and reach its book."""
        del self._venue
        self._venue = venue
        self._book = &venue.book()
        self._owns_book = False
        self.venues = tuple(n.decode() for n in venue.venue_names())
        self._venue_ids = {n: i for i, n in enumerate(self.venues)}
        self._venue_count = len(self.venues)

    # ------------------------------------------------- the C++ object
    cdef int _reserve(self, size_t n) except -1:
        self._venue.reserve(n)
        return 0

    cdef int _submit(self, const ce.Command& c) except -1:
        self._venue.submit(c)
        return 0

    cdef int _cancel(self, int64_t ts, uint64_t oid) except -1:
        self._venue.cancel(ts, oid)
        return 0

    cdef int _reduce(self, int64_t ts, uint64_t oid, int64_t q) except -1:
        self._venue.reduce(ts, oid, q)
        return 0

    cdef int _replace(self, int64_t ts, uint64_t oid, uint64_t nid, int64_t p, int64_t q) except -1:
        self._venue.replace(ts, oid, nid, p, q)
        return 0

    cdef int _expire(self, int64_t ts, ce.TimeInForce tif) except -1:
        self._venue.expire(ts, tif)
        return 0

    cdef int _execute_batch(self, const ce.Command* first, size_t n) except -1 nogil:
        self._venue.execute_batch(first, n)
        return 0

    cdef bint _find_order(self, uint64_t oid, ce.OrderView* out) noexcept:
        return self._venue.find_order(oid, out)

    cdef size_t _snapshot(self, ce.OrderView* out, size_t n) noexcept:
        return self._venue.snapshot(out, n)

    cdef const char* _check_integrity(self) except *:
        return self._venue.check_integrity()

    cdef vector[uint8_t] _save(self) except *:
        return ce.save_snapshot(self._venue[0])

    cdef size_t _memory(self) noexcept:
        return self._venue.memory_bytes()

    def venue_id(self, venue):
        """The index of a venue given by name or by its index in ``venues``."""
        if isinstance(venue, str):
            try:
                return self._venue_ids[venue]
            except KeyError:
                raise ValueError(f"venue={venue!r} is not one of this book's venues {self.venues}") from None
        v = _i64(venue, "venue")
        if v < 0 or v >= self._venue_count:
            raise ValueError(f"venue={v} is not one of this book's {self._venue_count} venues"
                             f" (0..{self._venue_count - 1}: {self.venues})")
        return v

    def venue_names(self, mask):
        """The venues whose bits are set in an event's ``venues`` mask."""
        m = _i64(mask, "mask")
        return [self.venues[v] if v < len(self.venues) else str(v) for v in range(ce.kMaxVenues) if m >> v & 1]

    def update_quote(self, venue, bid_price, bid_size, ask_price, ask_size, *, ts=None,
                     bint bid_automated=True, bint ask_automated=True, bint closed=False,
                     feed=Feed.DIRECT, condition=None):
        """One venue's new best bid and offer; returns the number of events.

        A price or size of 0 means no quote on that side. With ``feed`` CQS or
        UQDF the side flags come from the raw ``condition`` code (REQ-FEED-01);
        with DIRECT they are the ``*_automated``/``closed`` arguments.
        """
        cdef ce.QuoteUpdate q
        cdef size_t before
        _fill_quote(&q, self, venue, bid_price, bid_size, ask_price, ask_size, ts, bid_automated, ask_automated,
                    closed, feed, condition)
        self._idle()
        before = self._book.events().size()
        self._venue.update_quote(q)
        return self._book.events().size() - before

    def quote_record(self, venue, bid_price, bid_size, ask_price, ask_size, *, ts=None,
                     bint bid_automated=True, bint ask_automated=True, bint closed=False,
                     feed=Feed.DIRECT, condition=None):
        """The update :meth:`update_quote` would apply, checked the same way, as a
        one-row ``QUOTE_DTYPE`` array (to journal or batch it). The book is not changed."""
        cdef cnp.ndarray out = np.zeros(1, dtype=QUOTE_DTYPE)
        _fill_quote(<ce.QuoteUpdate*>cnp.PyArray_DATA(out), self, venue, bid_price, bid_size, ask_price, ask_size,
                    ts, bid_automated, ask_automated, closed, feed, condition)
        return out

    def update_quotes(self, cnp.ndarray quotes not None):
        """Apply a ``QUOTE_DTYPE`` array in order, without the GIL; returns every pending event.
        A record for a venue the book does not have is refused (a REJECTED event, UNKNOWN_VENUE)."""
        cdef const ce.QuoteUpdate* first
        cdef size_t n
        _require_records(quotes, QUOTE_DTYPE, "quotes", "QUOTE_DTYPE")
        self._idle()
        first = <const ce.QuoteUpdate*>cnp.PyArray_DATA(quotes)
        n = <size_t>quotes.shape[0]
        with self._guard:
            with nogil:
                self._venue.update_quotes(first, n)
        return self.take_events()

    def start_regular_hours(self, *, ts=None, bint dry_run=False):
        """Regular trading hours begin: fills carry Rule 611 codes (D4).
        ``dry_run``: check the arguments as the call would, change nothing, and
        return them as the call would apply them (what a journal records)."""
        return self._session(ts, True, dry_run)

    def end_regular_hours(self, *, ts=None, bint dry_run=False):
        """Regular trading hours end: the check goes on as venue policy, if enabled.
        ``dry_run`` as for :meth:`start_regular_hours`."""
        return self._session(ts, False, dry_run)

    cdef object _session(self, object ts, bint rth, bint dry_run):
        cdef int64_t t = self._ts(ts)
        cdef size_t before
        self._idle()
        if dry_run:
            return {"ts": t}
        before = self._book.events().size()
        self._venue.set_session(t, rth)
        return self._book.events().size() - before

    @property
    def in_regular_hours(self):
        self._idle()
        return bool(self._venue.in_regular_hours())

    def declare_self_help(self, venue, start=None, end=None, *, ts=None, bint dry_run=False):
        """Declare self-help against a venue over [start, end) (end None: until revoked).

        ``start`` defaults to ``ts``. Its quotes are then excluded from the
        trade-through and lock/cross tests, and executions that would have
        traded through them are audited as (b)(1) (REQ-SH-01/03). ``dry_run``
        as for :meth:`start_regular_hours`.
        """
        cdef int64_t t = self._ts(ts)
        cdef int64_t s0 = t if start is None else _i64(start, "start")
        cdef int64_t e0 = ce.kNever if end is None else _i64(end, "end")
        cdef int v = self.venue_id(venue)
        cdef size_t before
        self._idle()
        if dry_run:
            return {"venue": v, "start": s0, "end": e0, "ts": t}
        before = self._book.events().size()
        self._venue.declare_self_help(t, v, s0, e0)
        return self._book.events().size() - before

    def revoke_self_help(self, venue, at=None, *, ts=None, bint dry_run=False):
        """End the open self-help declaration against a venue at ``at`` (default ``ts``).
        ``dry_run`` as for :meth:`start_regular_hours`."""
        cdef int64_t t = self._ts(ts)
        cdef int64_t a = t if at is None else _i64(at, "at")
        cdef int v = self.venue_id(venue)
        cdef size_t before
        self._idle()
        if dry_run:
            return {"venue": v, "at": a, "ts": t}
        before = self._book.events().size()
        self._venue.revoke_self_help(t, v, a)
        return self._book.events().size() - before

    def self_help_active(self, venue, at):
        cdef int v = self.venue_id(venue)
        cdef int64_t t = _i64(at, "at")
        self._idle()
        return bool(self._venue.table().self_help_active(v, t))

    def set_fee_schedule(self, *, take_fee_nd=0, take_rate_ppm=0, make_rebate_nd=0, make_rate_ppm=0,
                         regime=FeeCapRegime.CAP_2005, bint dry_run=False):
        """Load the access-fee schedule (nanodollars per share at or above $1.00,
        parts per million of the price below; negative values are rebates to the
        taker or fees on the maker). Raises ``ValueError`` naming the field when
        it lies outside the regime's Rule 610(c) cap (every field is bounded by
        it, rebates included); nothing is loaded then. ``dry_run`` as for
        :meth:`start_regular_hours`."""
        cdef ce.FeeSchedule f
        cdef const char* bad
        f.take_fee_nd = _i64(take_fee_nd, "take_fee_nd")
        f.take_rate_ppm = _i64(take_rate_ppm, "take_rate_ppm")
        f.make_rebate_nd = _i64(make_rebate_nd, "make_rebate_nd")
        f.make_rate_ppm = _i64(make_rate_ppm, "make_rate_ppm")
        r = _ranged(regime, "regime", 1)
        cdef ce.FeeCapRegime cap = ce.FeeCapRegime.Cap2024 if r == 1 else ce.FeeCapRegime.Cap2005
        self._idle()
        if dry_run:
            bad = ce.fee_cap_violation(f, cap)
        else:
            bad = self._venue.set_fee_schedule(f, cap)
        if bad != NULL:
            name = bad.decode()
            limit = "$0.003 per share / 0.3%" if r == 0 else "$0.001 per share / 0.1%"
            raise ValueError(f"{name} is outside the Rule 610(c) cap of {FeeCapRegime(r).name} ({limit}),"
                             f" which bounds every fee and rebate")
        if dry_run:
            return {"take_fee_nd": f.take_fee_nd, "take_rate_ppm": f.take_rate_ppm,
                    "make_rebate_nd": f.make_rebate_nd, "make_rate_ppm": f.make_rate_ppm, "regime": r}

    @property
    def fee_schedule(self):
        self._idle()
        cdef dict schedule = self._venue.fees()  # the C++ struct, as a dict
        schedule["regime"] = FeeCapRegime(<int>self._venue.fee_regime())
        return schedule

    def configure(self, *, rule611=None, enforce_outside_rth=None, subpenny_exemption=None,
                  lock_cross_protection=None, default_lock_cross=None, flicker_window_ns=None, bint dry_run=False):
        """Switch parts of the Reg NMS handling (each None leaves it as it is).

        Every argument is checked before any applies: a bad one raises naming it
        and changes nothing. ``dry_run`` as for :meth:`start_regular_hours`.
        """
        cdef ce.ConfigChange c  # its defaults; each field applies only when set
        cdef const char* bad
        c.set = 0
        args = {}
        if rule611 is not None:
            c.set |= ce.CONFIG_RULE611
            c.rule611_enabled = args["rule611"] = bool(rule611)
        if enforce_outside_rth is not None:
            c.set |= ce.CONFIG_ENFORCE_OUTSIDE_RTH
            c.enforce_outside_rth = args["enforce_outside_rth"] = bool(enforce_outside_rth)
        if subpenny_exemption is not None:
            c.set |= ce.CONFIG_SUBPENNY_EXEMPTION
            c.subpenny_exemption = args["subpenny_exemption"] = bool(subpenny_exemption)
        if lock_cross_protection is not None:
            c.set |= ce.CONFIG_LOCK_CROSS_PROTECTION
            c.lock_cross_enabled = args["lock_cross_protection"] = bool(lock_cross_protection)
        if default_lock_cross is not None:
            c.set |= ce.CONFIG_DEFAULT_LOCK_CROSS
            c.default_lock_cross = <uint8_t>_ranged(default_lock_cross, "default_lock_cross", 255)
            args["default_lock_cross"] = c.default_lock_cross
        if flicker_window_ns is not None:
            c.set |= ce.CONFIG_FLICKER_WINDOW
            c.flicker_window = args["flicker_window_ns"] = _i64(flicker_window_ns, "flicker_window_ns")
        self._idle()
        bad = self._venue.configure(c, not dry_run)
        if bad != NULL:
            name = bad.decode()
            if name == "default_lock_cross":
                raise ValueError(f"default_lock_cross={c.default_lock_cross} must be SLIDE, PRICE_ADJUST or"
                                 " CANCEL_BACK")
            if name == "flicker_window_ns":
                raise ValueError(f"flicker_window_ns={c.flicker_window} must be in 1..1_000_000_000"
                                 " (never longer than 1 s, D5)")
            raise ValueError(f"{name} is not valid")
        if dry_run:
            return args

    @property
    def config(self):
        self._idle()
        c = self._venue.config()
        return {"rule611": c.rule611_enabled, "enforce_outside_rth": c.enforce_outside_rth,
                "subpenny_exemption": c.subpenny_exemption, "lock_cross_protection": c.lock_cross_enabled,
                "default_lock_cross": LockCrossMode(<int>c.default_lock_cross),
                "flicker_window_ns": self._venue.table().flicker_window()}

    cdef int64_t _query_ts(self, object ts, str name) except? -1:
        """A query's time: the book's clock by default; never earlier than it."""
        cdef int64_t t = self._ts(ts)
        cdef int64_t last = self._book.last_timestamp()
        if t < last:
            raise ValueError(f"{name}={t} is earlier than the book's clock ({last}): a query answers for now"
                             " or later")
        return t

    def protected_bbo(self, at=None):
        """The protected best bid and offer with the venues at each (REQ-PQ-04),
        as of ``at`` (default: the book's clock; never earlier), with self-help
        brought up to then. A query: changes nothing."""
        cdef ce.ProtectedBbo b
        cdef int64_t t
        self._idle()
        t = self._query_ts(at, "at")
        self._venue.protected_bbo(t, &b)
        return ProtectedBBO(
            b.pbb or None, tuple(self.venue_names(b.pbb_venues)),
            b.pbo or None, tuple(self.venue_names(b.pbo_venues)),
            bool(b.crossed), bool(b.locked), b.version,
        )

    def check_print(self, price, *, side=Side.BUY, flags=0, ts=None):
        """Would a print at ``price`` at ``ts`` (default: the book's clock; never
        earlier) be allowed (Rule 611)? Returns a ``PrintCheck`` with the code,
        the venues traded through and blocking, and what cleared each one.
        Changes nothing (a query for surveillance): the look-back window and
        self-help are brought up to ``ts`` on a copy of the table."""
        cdef int64_t p = _i64(price, "price")
        cdef ce.Side sd = _side(side, "side")
        cdef uint32_t f = <uint32_t>_ranged(flags, "flags", 0xFFFFFFFF)
        cdef int64_t t
        cdef ce.TradeThroughDecision d
        self._idle()
        t = self._query_ts(ts, "ts")
        self._venue.check_print(p, t, sd, f, &d)
        codes = {}
        for v in range(ce.kMaxVenues):
            if (d.through | d.self_help) >> v & 1:
                name = self.venues[v] if v < len(self.venues) else str(v)
                codes[name] = ComplianceCode(<int>d.venue_code[v])
        return PrintCheck(bool(d.allowed), ComplianceCode(<int>d.code), tuple(self.venue_names(d.through)),
                          tuple(self.venue_names(d.blocked)), tuple(self.venue_names(d.self_help)), codes)

    def quote(self, venue):
        """The latest quote from a venue as an ``AwayQuote``."""
        cdef int v = self.venue_id(venue)
        self._idle()
        q = self._venue.table().venue(v)
        name = self.venues[v] if v < len(self.venues) else str(v)
        return AwayQuote(name, q.bid.price or None, q.bid.size, bool(q.bid.automated),
                         q.ask.price or None, q.ask.size, bool(q.ask.automated), bool(q.closed),
                         q.ts if q.seen else None)

    @property
    def quote_version(self):
        self._idle()
        return self._venue.table().version()

    @property
    def unknown_conditions(self):
        """Quote updates whose condition code was not in the feed's table (treated as protected)."""
        self._idle()
        return self._venue.table().unknown_conditions()

    @property
    def off_grid_quotes(self):
        """Quote updates with a price off the Rule 612 grid (still protected, REQ-TICK-04)."""
        self._idle()
        return self._venue.table().off_grid_quotes()


cdef uint8_t _condition_byte(object condition) except? 255:
    if condition is None:
        return 0
    if isinstance(condition, str):
        if len(condition) != 1 or ord(condition) > 127:
            raise ValueError(f"condition={condition!r} must be one ASCII character")
        return ord(condition)
    return <uint8_t>_ranged(condition, "condition", 127)


def quote_condition_flags(feed, condition):
    """The ``QuoteFlag`` bits a raw quote condition code means on a feed (REQ-FEED-01).

    >>> quote_condition_flags(Feed.CQS, "F")    # slow on the ask
    <QuoteFlag.ASK_MANUAL: 2>
    >>> quote_condition_flags(Feed.UQDF, "F")   # fast trading: both sides protected
    <QuoteFlag: 0>
    """
    f = _ranged(feed, "feed", 2)
    if f == <int64_t>ce.Feed.Direct:
        raise ValueError("feed must be CQS or UQDF: DIRECT quotes carry their flags explicitly")
    return QuoteFlag(ce.condition_flags(ce.Feed.Cqs if f == <int64_t>ce.Feed.Cqs else ce.Feed.Uqdf,
                                        _condition_byte(condition)))


# ------------------------------------------------------------- replay
