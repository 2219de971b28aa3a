# The Book class: a Python owner of one C++ engine::Book (core/book.hpp).
# Mutations go through the cdef methods under "the C++ object", which
# ProtectedBook overrides to send them to its Venue.

cdef int _fill_new_order(ce.Command* c, Book book, order_id, side, price, quantity, order_type, tif, ts,
                         display_quantity, participant, stp, post_only, bint hidden, flags, lock_cross) except -1:
    """Book.submit's arguments as a Command: checked (errors name the argument) and defaulted."""
    memset(c, 0, sizeof(ce.Command))
    c.order_id = _u64(order_id, "order_id")
    c.side = <uint8_t>_ranged(side, "side", 255)
    c.price = _i64(price, "price")
    c.quantity = _i64(quantity, "quantity")
    c.order_type = <uint8_t>ce.OrderType.Limit if order_type is None else <uint8_t>_ranged(order_type, "order_type", 255)
    if tif is None:  # the policy is the core's: DAY for a limit order, IOC for a market order
        c.tif = <uint8_t>ce.default_tif(<ce.OrderType>c.order_type)
    else:
        c.tif = <uint8_t>_ranged(tif, "tif", 255)
    c.ts = book._ts(ts)
    if display_quantity is not None:
        c.display_quantity = _i64(display_quantity, "display_quantity")
    if participant is not None:
        c.participant = <uint32_t>_ranged(participant, "participant", 0xFFFFFFFF)
    if stp is not None:
        c.stp = <uint8_t>_ranged(stp, "stp", 255)
    if post_only is not None:
        c.post_only = <uint8_t>_ranged(post_only, "post_only", 255)
    c.flags = <uint32_t>ce.kFlagHidden if hidden else 0
    if flags is not None:
        c.flags |= <uint32_t>_ranged(flags, "flags", 0xFFFFFFFF)
    if lock_cross is not None:
        c.lock_cross = <uint8_t>_ranged(lock_cross, "lock_cross", 255)
    return 0


cdef class Book:
    """A limit order book for one symbol, matched in C++.

    Per-order calls (:meth:`submit`, :meth:`cancel`, :meth:`reduce`,
    :meth:`replace`, :meth:`expire`) return how many events they produced; the
    events wait in the book until :meth:`take_events` hands them over as one
    ``EVENT_DTYPE`` array. :meth:`execute` runs a whole ``COMMAND_DTYPE`` array
    without the GIL and returns the events.

    A command the venue refuses yields a REJECTED event with a ``Reason`` and
    leaves the book unchanged. An argument that is not an integer, or does not
    fit its C type, raises ``TypeError``/``OverflowError`` naming it.
    """

    cdef ce.Book* _book  # the C++ book: owned, or a Venue's or a BookBuilder's
    cdef readonly str symbol
    cdef _Guard _guard  # shared by every Python object that reaches this C++ book
    cdef object _owner  # set when the C++ book belongs to another object (a BookBuilder)
    cdef bint _owns_book

    def __cinit__(self, str symbol not None = "", tick_regime=TickRegime.PENNY_2005, *args, **kwargs):
        # Subclasses' constructor arguments reach here too; a plain Book takes none.
        if type(self) is Book and (args or kwargs):
            extra = ", ".join([repr(a) for a in args] + list(kwargs))
            raise TypeError(f"Book() got unexpected arguments: {extra}")
        self.symbol = symbol
        self._guard = _Guard("Book")
        # ProtectedBook makes its own C++ object (a Venue's book); Book and any
        # Python subclass own a plain one (NULL here crashed a subclass's first call).
        if not isinstance(self, ProtectedBook):
            self._book = new ce.Book(_regime(tick_regime))
            self._owns_book = True

    def __dealloc__(self):
        if self._owns_book:
            del self._book

    # ------------------------------------------------- the C++ object
    # Each touches only C++ state; ProtectedBook overrides them.
    cdef int _reserve(self, size_t n) except -1:
        self._book.reserve(n)
        return 0

    cdef int _submit(self, const ce.Command& c) except -1:
        self._book.submit(c)
        return 0

    cdef int _cancel(self, int64_t ts, uint64_t oid) except -1:
        self._book.cancel(ts, oid)
        return 0

    cdef int _reduce(self, int64_t ts, uint64_t oid, int64_t q) except -1:
        self._book.reduce(ts, oid, q)
        return 0

    cdef int _replace(self, int64_t ts, uint64_t oid, uint64_t nid, int64_t p, int64_t q) except -1:
        self._book.replace(ts, oid, nid, p, q)
        return 0

    cdef int _expire(self, int64_t ts, ce.TimeInForce tif) except -1:
        self._book.expire(ts, tif)
        return 0

    cdef int _execute_batch(self, const ce.Command* first, size_t n) except -1 nogil:
        self._book.execute_batch(first, n)
        return 0

    cdef bint _find_order(self, uint64_t oid, ce.OrderView* out) noexcept:
        return self._book.find_order(oid, out)

    cdef size_t _snapshot(self, ce.OrderView* out, size_t n) noexcept:
        return self._book.snapshot(out, n)

    cdef const char* _check_integrity(self) except *:
        return self._book.check_integrity()

    cdef vector[uint8_t] _save(self) except *:
        return ce.save_snapshot(self._book[0])

    cdef size_t _memory(self) noexcept:
        return self._book.memory_bytes()

    def __repr__(self):
        self._idle()
        return (f"<engine.Book {self.symbol!r} {self.tick_regime.name}: {self._book.order_count()} orders,"
                f" top {self.top()}>")

    cdef inline int _idle(self) except -1:
        """Refuse when another thread is using the book, or when a command ran
        out of memory part way (the state is then not trusted)."""
        if self._guard.owner != 0 or self._book.failed():
            self._refuse()
        return 0

    cdef int _refuse(self) except -1:
        self._guard.check()
        if self._book.failed():
            raise RuntimeError("this Book ran out of memory in the middle of a command and its state is not"
                               " trusted: restore it from a snapshot or its journal")
        return 0

    def hold(self):
        """A context manager that holds the book for a block of calls: until the
        block ends, calls from other threads raise ``RuntimeError`` (calls from
        this thread go on). A journal uses it so that checking, journaling and
        applying an input cannot be interleaved with another thread's calls."""
        self._idle()
        return _Hold(self._guard, self)

    cdef inline int64_t _ts(self, object ts) except? -1:
        cdef int64_t last
        if ts is None:
            last = self._book.last_timestamp()
            return last if last > 0 else 0
        return _i64(ts, "ts")

    def reserve(self, orders):
        """Pre-size the book for ``orders`` resting orders (and as many pending
        events), so the per-order path never grows a structure or pauses to
        rehash. Costs no speed: reserve for the most orders expected to rest."""
        cdef int64_t n = _i64(orders, "orders")
        if n < 0 or n > 0xFFFFFFFF:
            raise ValueError(f"orders={n} must be between 0 and 2**32-1")
        self._idle()
        self._reserve(<size_t>n)  # MemoryError leaves the book as it was

    @property
    def tick_regime(self):
        """The symbol's Rule 612 tick regime (``TickRegime``)."""
        return TickRegime(<int>self._book.tick_regime())

    # ---------------------------------------------------------- commands
    def submit(self, order_id, side, price, quantity, *, order_type=None, tif=None, ts=None,
               display_quantity=None, participant=None, stp=None, post_only=None, bint hidden=False,
               flags=None, lock_cross=None):
        """Enter a new order; return the number of events it produced.

        ``price`` is in units of $0.0001 (0 for a market order). ``tif``
        defaults to DAY for a limit order and IOC for a market order.
        ``display_quantity`` > 0 makes a reserve (iceberg) order showing that
        many shares. ``ts`` (ns) defaults to the book's last timestamp.
        ``flags`` are ``OrderFlag`` bits (ROUTABLE, ISO and the Rule 611
        attestations); ``lock_cross`` a ``LockCrossMode``. Both matter only
        with a protected-quote table (:class:`ProtectedBook`).
        """
        cdef ce.Command c
        cdef size_t before
        self._idle()
        _fill_new_order(&c, self, order_id, side, price, quantity, order_type, tif, ts, display_quantity,
                        participant, stp, post_only, hidden, flags, lock_cross)
        before = self._book.events().size()
        self._submit(c)
        return self._book.events().size() - before

    def add(self, order_id, side, price, quantity, ts=None):
        """A displayed DAY limit order and nothing else: :meth:`submit`'s fast
        path for the commonest call (positional, no options). Returns the
        number of events, exactly as ``submit(order_id, side, price, quantity, ts=ts)``."""
        return self._plain_limit(order_id, side, price, quantity, ts, <uint8_t>ce.TimeInForce.Day)

    def ioc(self, order_id, side, price, quantity, ts=None):
        """An immediate-or-cancel limit order: what executes at once executes,
        the rest is cancelled. As ``submit(..., tif=TimeInForce.IOC, ts=ts)``."""
        return self._plain_limit(order_id, side, price, quantity, ts, <uint8_t>ce.TimeInForce.Ioc)

    cdef object _plain_limit(self, order_id, side, price, quantity, ts, uint8_t tif):
        cdef ce.Command c
        cdef size_t before
        self._idle()
        c.order_id = _u64(order_id, "order_id")
        c.side = <uint8_t>_ranged(side, "side", 255)
        c.price = _i64(price, "price")
        c.quantity = _i64(quantity, "quantity")
        c.ts = self._ts(ts)
        c.new_order_id = 0
        c.display_quantity = 0
        c.participant = 0
        c.action = <uint8_t>ce.Action.New
        c.order_type = <uint8_t>ce.OrderType.Limit
        c.tif = tif
        c.stp = 0
        c.post_only = 0
        c.lock_cross = 0
        c.reserved = 0
        c.flags = 0
        before = self._book.events().size()
        self._submit(c)
        return self._book.events().size() - before

    def order_record(self, order_id, side, price, quantity, *, order_type=None, tif=None, ts=None,
                     display_quantity=None, participant=None, stp=None, post_only=None, bint hidden=False,
                     flags=None, lock_cross=None):
        """The command :meth:`submit` would apply, checked and defaulted the same
        way, as a one-row ``COMMAND_DTYPE`` array (to journal or batch it). The
        book is not changed."""
        cdef cnp.ndarray out = np.zeros(1, dtype=COMMAND_DTYPE)
        cdef ce.Command* c = <ce.Command*>cnp.PyArray_DATA(out)
        _fill_new_order(c, self, order_id, side, price, quantity, order_type, tif, ts, display_quantity,
                        participant, stp, post_only, hidden, flags, lock_cross)
        c.action = <uint8_t>ce.Action.New
        return out

    def cancel(self, order_id, *, ts=None):
        """Cancel a resting order; return the number of events produced."""
        cdef size_t before
        cdef uint64_t oid = _u64(order_id, "order_id")
        cdef int64_t t = self._ts(ts)
        self._idle()
        before = self._book.events().size()
        self._cancel(t, oid)
        return self._book.events().size() - before

    def reduce(self, order_id, quantity, *, ts=None):
        """Cancel ``quantity`` shares of a resting order, keeping its time priority."""
        cdef size_t before
        cdef uint64_t oid = _u64(order_id, "order_id")
        cdef int64_t q = _i64(quantity, "quantity")
        cdef int64_t t = self._ts(ts)
        self._idle()
        before = self._book.events().size()
        self._reduce(t, oid, q)
        return self._book.events().size() - before

    def replace(self, order_id, price, quantity, *, new_order_id=None, ts=None):
        """Change a resting order's price and/or total quantity left.

        Priority is kept when the price is unchanged and the size does not grow;
        otherwise the order is re-entered at ``ts`` and may execute at once.
        ``new_order_id`` renames the order (default: keep its id).
        """
        cdef size_t before
        cdef uint64_t oid = _u64(order_id, "order_id")
        cdef int64_t p = _i64(price, "price")
        cdef int64_t q = _i64(quantity, "quantity")
        cdef uint64_t nid = 0 if new_order_id is None else _u64(new_order_id, "new_order_id")
        cdef int64_t t = self._ts(ts)
        self._idle()
        before = self._book.events().size()
        self._replace(t, oid, nid, p, q)
        return self._book.events().size() - before

    def expire(self, *, tif=TimeInForce.DAY, ts=None):
        """Expire every resting order with time in force ``tif`` (end of day)."""
        cdef size_t before
        cdef uint8_t f = <uint8_t>_ranged(tif, "tif", 255)
        cdef int64_t t = self._ts(ts)
        self._idle()
        before = self._book.events().size()
        self._expire(t, <ce.TimeInForce>f)
        return self._book.events().size() - before

    # The commands the operations above would apply, checked and defaulted the
    # same way, as one-row COMMAND_DTYPE arrays (to journal or batch them).
    def cancel_record(self, order_id, *, ts=None):
        """The command :meth:`cancel` would apply, as a one-row ``COMMAND_DTYPE`` array."""
        cdef cnp.ndarray out = np.zeros(1, dtype=COMMAND_DTYPE)
        cdef ce.Command* c = <ce.Command*>cnp.PyArray_DATA(out)
        c.order_id = _u64(order_id, "order_id")
        c.ts = self._ts(ts)
        c.action = <uint8_t>ce.Action.Cancel
        return out

    def reduce_record(self, order_id, quantity, *, ts=None):
        """The command :meth:`reduce` would apply, as a one-row ``COMMAND_DTYPE`` array."""
        cdef cnp.ndarray out = np.zeros(1, dtype=COMMAND_DTYPE)
        cdef ce.Command* c = <ce.Command*>cnp.PyArray_DATA(out)
        c.order_id = _u64(order_id, "order_id")
        c.quantity = _i64(quantity, "quantity")
        c.ts = self._ts(ts)
        c.action = <uint8_t>ce.Action.Reduce
        return out

    def replace_record(self, order_id, price, quantity, *, new_order_id=None, ts=None):
        """The command :meth:`replace` would apply, as a one-row ``COMMAND_DTYPE`` array."""
        cdef cnp.ndarray out = np.zeros(1, dtype=COMMAND_DTYPE)
        cdef ce.Command* c = <ce.Command*>cnp.PyArray_DATA(out)
        c.order_id = _u64(order_id, "order_id")
        c.price = _i64(price, "price")
        c.quantity = _i64(quantity, "quantity")
        c.new_order_id = 0 if new_order_id is None else _u64(new_order_id, "new_order_id")
        c.ts = self._ts(ts)
        c.action = <uint8_t>ce.Action.Replace
        return out

    def expire_record(self, *, tif=TimeInForce.DAY, ts=None):
        """The command :meth:`expire` would apply, as a one-row ``COMMAND_DTYPE`` array."""
        cdef cnp.ndarray out = np.zeros(1, dtype=COMMAND_DTYPE)
        cdef ce.Command* c = <ce.Command*>cnp.PyArray_DATA(out)
        c.tif = <uint8_t>_ranged(tif, "tif", 255)
        c.ts = self._ts(ts)
        c.action = <uint8_t>ce.Action.Expire
        return out

    def execute(self, cnp.ndarray commands not None, out=None):
        """Run a ``COMMAND_DTYPE`` array in order, without the GIL.

        Returns every pending event as an ``EVENT_DTYPE`` array (the batch's,
        after any not yet taken from earlier calls). A bad record yields its
        REJECTED event and the batch goes on.

        ``out``: an ``EVENT_DTYPE`` array the events are written into, reused
        across calls so that no call allocates or page-faults for its events;
        the result is then ``out[:k]``. Events that do not fit go on in memory
        of the book's own, and the result is a new array holding all of them
        (``result.base is not out``): size ``out`` for the largest batch.
        """
        cdef const ce.Command* first
        cdef size_t n, k
        cdef cnp.ndarray target
        _require_records(commands, COMMAND_DTYPE, "commands", "COMMAND_DTYPE")
        target = _event_target(out, self._book.events().size())
        self._idle()
        first = <const ce.Command*>cnp.PyArray_DATA(commands)
        n = <size_t>commands.shape[0]
        if target is not None:
            self._lend_events(target)
        try:
            with self._guard:
                with nogil:
                    self._execute_batch(first, n)
        except BaseException:
            if self._book.events().lent():
                self._book.events().give_back()  # the events written stay in out; the error says the rest
            raise
        if self._book.events().lent():
            k = self._book.events().give_back()
            return target[:k]
        return self.take_events()

    cdef int _lend_events(self, cnp.ndarray target) except -1:
        """Move the pending events into ``target`` and lend it to the event buffer."""
        cdef ce.Event* block = <ce.Event*>cnp.PyArray_DATA(target)
        cdef size_t pending = self._book.events().size()
        if pending:
            memcpy(block, self._book.events().data(), pending * sizeof(ce.Event))
        self._book.events().lend(block, <size_t>target.shape[0], pending)
        return 0

    # ------------------------------------------------------------- events
    def take_events(self):
        """Hand over every pending event as an ``EVENT_DTYPE`` array (no copy)."""
        cdef size_t n = 0
        cdef ce.Event* block
        self._idle()
        block = self._book.events().release(&n)
        return _own_events(block, n)

    def clear_events(self):
        """Discard the pending events (keeps the buffer for reuse)."""
        self._idle()
        self._book.events().clear()

    @property
    def pending_events(self):
        """How many events are waiting for :meth:`take_events`."""
        self._idle()
        return self._book.events().size()

    @property
    def last_sequence(self):
        """Sequence number of the last event produced (0 before any)."""
        self._idle()
        return self._book.last_sequence()

    @property
    def last_timestamp(self):
        """Timestamp of the last accepted command (None before any)."""
        self._idle()
        cdef int64_t t = self._book.last_timestamp()
        return None if t == -9223372036854775807 - 1 else t

    # ------------------------------------------------------------ queries
    def best_bid(self):
        """``(price, displayed quantity)`` of the best displayed bid, or None."""
        cdef ce.LevelView lv
        self._idle()
        if self._book.best(ce.Side.Buy, &lv):
            return (lv.price, lv.quantity)
        return None

    def best_ask(self):
        """``(price, displayed quantity)`` of the best displayed offer, or None."""
        cdef ce.LevelView lv
        self._idle()
        if self._book.best(ce.Side.Sell, &lv):
            return (lv.price, lv.quantity)
        return None

    def top(self):
        """Best displayed bid and offer as a ``TopOfBook`` (prices None when empty)."""
        cdef ce.LevelView b, a
        self._idle()
        has_b = self._book.best(ce.Side.Buy, &b)
        has_a = self._book.best(ce.Side.Sell, &a)
        # tuple.__new__ skips the NamedTuple's Python-level __new__ (what _make does)
        return _tuple_new(TopOfBook, (
            b.price if has_b else None, b.quantity if has_b else 0,
            a.price if has_a else None, a.quantity if has_a else 0,
        ))

    def depth(self, levels=10):
        """Up to ``levels`` displayed levels per side, best first: ``(bids, asks)``
        as ``LEVEL_DTYPE`` arrays. Non-displayed interest is not shown."""
        cdef int64_t n = _i64(levels, "levels")
        cdef size_t kb, ka, nb, na
        if n < 0:
            raise ValueError(f"levels={n} must not be negative")
        self._idle()
        # A side shows at most two levels per ranked level (a slid order shows one
        # tick away): never allocate more than that, whatever was asked for.
        nb = min(<size_t>n, 2 * self._book.level_count(ce.Side.Buy))
        na = min(<size_t>n, 2 * self._book.level_count(ce.Side.Sell))
        bids = np.empty(nb, dtype=LEVEL_DTYPE)
        asks = np.empty(na, dtype=LEVEL_DTYPE)
        kb = self._book.depth(ce.Side.Buy, <ce.LevelView*>cnp.PyArray_DATA(bids), nb)
        ka = self._book.depth(ce.Side.Sell, <ce.LevelView*>cnp.PyArray_DATA(asks), na)
        return bids[:kb], asks[:ka]

    def best_ranked_price(self, side):
        """Best price a side is ranked at, non-displayed interest included (None when empty)."""
        cdef ce.Side s = _side(side, "side")
        self._idle()
        p = self._book.best_ranked_price(s)
        return None if p == 0 else p

    def order(self, order_id):
        """The live order with this id as an ``OrderState``, or None."""
        cdef uint64_t oid = _u64(order_id, "order_id")
        cdef ce.OrderView v
        self._idle()
        if not self._find_order(oid, &v):
            return None
        return OrderState(
            v.order_id, Side(v.side), v.price, v.leaves, v.displayed, v.reserve, v.filled,
            v.display_quantity, v.participant, TimeInForce(v.tif), StpMode(v.stp),
            PostOnly(v.post_only), bool(v.flags & ce.kFlagHidden), v.ts, v.display_price, v.limit_price,
            LockCrossMode(v.lock_cross), bool(v.repriced), bool(v.flags & ce.kFlagRoutable),
        )

    def orders(self):
        """Every resting order as an ``ORDER_DTYPE`` array, in priority order:
        bids best first, then offers best first; displayed before hidden."""
        cdef size_t n, k
        self._idle()
        n = self._book.order_count()
        out = np.empty(n, dtype=ORDER_DTYPE)
        k = self._snapshot(<ce.OrderView*>cnp.PyArray_DATA(out), n)
        return out[:k]

    def __len__(self):
        self._idle()
        return self._book.order_count()

    def __contains__(self, order_id):
        cdef uint64_t oid = _u64(order_id, "order_id")
        self._idle()
        return self._book.contains(oid)

    @property
    def order_count(self):
        """Number of resting orders."""
        self._idle()
        return self._book.order_count()

    @property
    def bid_levels(self):
        """Number of bid price levels, non-displayed-only levels included."""
        self._idle()
        return self._book.level_count(ce.Side.Buy)

    @property
    def ask_levels(self):
        """Number of offer price levels, non-displayed-only levels included."""
        self._idle()
        return self._book.level_count(ce.Side.Sell)

    @property
    def memory_bytes(self):
        """Bytes held by the book's own structures (pending events excluded)."""
        self._idle()
        return self._memory()

    def save_snapshot(self):
        """The book's whole state as bytes (orders, clock, sequence, and the Reg NMS
        state of a ProtectedBook), with a format version and a checksum;
        :func:`load_snapshot` restores it."""
        cdef vector[uint8_t] out
        self._idle()
        out = self._save()
        return (<char*>out.data())[:out.size()]

    def check_integrity(self):
        """None when every internal invariant holds, else a description of the
        first one broken (for tests and fuzzing; walks the whole book)."""
        cdef const char* why
        self._guard.check()
        why = self._check_integrity()
        return None if why == NULL else why.decode()


# ------------------------------------------------------- protected book
