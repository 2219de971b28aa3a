# distutils: language = c++
"""The compiled core: a thin Cython skin over the C++ book in csrc/engine/.

No business logic lives here. Each method converts its arguments (raising an
exception that names the argument when one is not an integer or does not fit
its C type), calls the C++ book, and hands events back as numpy arrays that
own the C++ memory, without copying.
"""
from cpython.long cimport PyLong_AsLongLongAndOverflow, PyLong_AsUnsignedLongLong, PyLong_Check
from cpython.pycapsule cimport PyCapsule_GetPointer, PyCapsule_New
from cpython.pythread cimport PyThread_get_thread_ident
from cpython.ref cimport Py_INCREF
from libc.stdint cimport int64_t, uint8_t, uint16_t, uint32_t, uint64_t, uintptr_t
from libc.stdlib cimport free
from libc.string cimport memset
from libcpp.memory cimport unique_ptr
from libcpp.string cimport string
from libcpp.vector cimport vector

cimport numpy as cnp

cimport engine._cengine as ce

import operator

import numpy as np

from engine.dtypes import COMMAND_DTYPE, EVENT_DTYPE, FEED_DTYPE, LEVEL_DTYPE, ORDER_DTYPE, QUOTE_DTYPE
from engine.enums import (
    ComplianceCode, FeeCapRegime, Feed, LockCrossMode, PostOnly, QuoteFlag, Side, StpMode, TickRegime, TimeInForce,
)
from engine.views import AwayQuote, OrderState, PrintCheck, ProtectedBBO, TopOfBook

cnp.import_array()

_tuple_new = tuple.__new__

cdef extern from "numpy/arrayobject.h":
    # Left out of numpy's own .pxd; steals a reference to descr.
    object PyArray_NewFromDescr(type subtype, cnp.dtype descr, int nd, cnp.npy_intp* dims,
                                cnp.npy_intp* strides, void* data, int flags, object obj)

MAX_PRICE = ce.kMaxPrice
MAX_QUANTITY = ce.kMaxQuantity
MAX_VENUES = ce.kMaxVenues

for _dtype, _size in (
    (COMMAND_DTYPE, sizeof(ce.Command)),
    (EVENT_DTYPE, sizeof(ce.Event)),
    (LEVEL_DTYPE, sizeof(ce.LevelView)),
    (ORDER_DTYPE, sizeof(ce.OrderView)),
    (QUOTE_DTYPE, sizeof(ce.QuoteUpdate)),
    (FEED_DTYPE, sizeof(ce.FeedMessage)),
):
    if _dtype.itemsize != _size:
        raise ImportError(f"engine.dtypes is out of step with the C++ records ({_dtype.itemsize} != {_size})")


# ------------------------------------------------------------ argument checks
cdef object _as_index(object v, str name):
    if isinstance(v, float):
        raise TypeError(f"{name} must be an int, not float")
    try:
        return operator.index(v)
    except TypeError:
        raise TypeError(f"{name} must be an int, not {type(v).__name__}") from None


cdef inline int64_t _i64(object v, str name) except? -1:
    cdef int overflow = 0
    cdef long long x
    if not PyLong_Check(v):
        v = _as_index(v, name)
    x = PyLong_AsLongLongAndOverflow(v, &overflow)
    if overflow != 0:
        raise OverflowError(f"{name}={v!r} does not fit in a signed 64-bit integer")
    return x


cdef inline uint64_t _u64(object v, str name) except? 0xFFFFFFFFFFFFFFFF:
    cdef int overflow = 0
    cdef long long x
    if not PyLong_Check(v):
        v = _as_index(v, name)
    x = PyLong_AsLongLongAndOverflow(v, &overflow)
    if overflow == 0 and x >= 0:
        return <uint64_t>x
    if overflow > 0 and v < 2**64:
        return PyLong_AsUnsignedLongLong(v)
    raise OverflowError(f"{name}={v!r} is outside 0..2**64-1")


cdef inline int64_t _ranged(object v, str name, int64_t hi) except? -1:
    cdef int64_t x = _i64(v, name)
    if x < 0 or x > hi:
        raise OverflowError(f"{name}={x} is outside 0..{hi}")
    return x


cdef inline ce.TickRegime _regime(object v) except *:
    cdef int64_t r = _i64(v, "tick_regime")
    if r != 0 and r != 1:
        raise ValueError(f"tick_regime={r} is not a TickRegime (0 = PENNY_2005, 1 = HALF_PENNY_2024)")
    return <ce.TickRegime>r


cdef int _require_records(cnp.ndarray a, object dtype, str name, str dtype_name) except -1:
    """A batch argument must be a one-dimensional, C-contiguous array of exactly
    this dtype, aligned for the C++ record it is read as: no silent conversion
    or copy. (Every record has 8-byte fields.)"""
    if a.dtype is not dtype and a.dtype != dtype:
        raise TypeError(f"{name} must have dtype engine.{dtype_name}, not {a.dtype}")
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, not {a.ndim}-dimensional")
    if not cnp.PyArray_IS_C_CONTIGUOUS(a):
        raise ValueError(f"{name} must be C-contiguous (use np.ascontiguousarray({name}))")
    if (<uintptr_t>cnp.PyArray_DATA(a)) % 8 != 0:
        raise ValueError(f"{name} must be aligned to 8 bytes (use {name}.copy())")
    return 0


cdef int _require_writable(cnp.ndarray a, str name) except -1:
    if not cnp.PyArray_ISWRITEABLE(a):
        raise ValueError(f"{name} must be a writable array (this one is read-only)")
    return 0


# ------------------------------------------------------------ thread guard
cdef class _Guard:
    """Who may use a C++ object right now: one per C++ book (a BookBuilder and
    every book it owns share the builder's), checked by every method that
    touches it. A batch call holds it while it runs without the GIL; hold()
    holds it for a block of calls. Other threads then get RuntimeError instead
    of racing the C++ code. Only touched with the GIL held, so plain fields do."""

    cdef unsigned long owner  # the thread holding it; 0 when free
    cdef int depth
    cdef str what

    def __cinit__(self, str what):
        self.what = what

    cdef int refuse(self) except -1:
        raise RuntimeError(f"this {self.what} is in use by another thread (a batch running, or hold())")

    cdef inline int check(self) except -1:
        if self.owner != 0 and self.owner != PyThread_get_thread_ident():
            self.refuse()
        return 0

    cdef inline int enter(self) except -1:
        self.check()
        self.owner = PyThread_get_thread_ident()
        self.depth += 1
        return 0

    cdef inline void exit(self) noexcept:
        self.depth -= 1
        if self.depth == 0:
            self.owner = 0

    # `with guard:` around a call that runs without the GIL
    def __enter__(self):
        self.enter()

    def __exit__(self, *exc):
        self.exit()
        return False


# ------------------------------------------------------------- event arrays
cdef void _free_block(object capsule) noexcept:
    free(PyCapsule_GetPointer(capsule, NULL))


cdef object _own_events(ce.Event* block, size_t n):
    """Wrap a block released by the C++ EventBuffer in an ndarray that frees it."""
    cdef cnp.npy_intp dims[1]
    if block == NULL:
        return np.empty(0, dtype=EVENT_DTYPE)
    dims[0] = <cnp.npy_intp>n
    Py_INCREF(EVENT_DTYPE)  # PyArray_NewFromDescr steals a reference
    arr = PyArray_NewFromDescr(
        np.ndarray, EVENT_DTYPE, 1, dims, NULL, <void*>block, cnp.NPY_ARRAY_CARRAY, None
    )
    cnp.set_array_base(arr, PyCapsule_New(<void*>block, NULL, _free_block))
    return arr


cdef class _Hold:
    """What Book.hold() returns: holds the book's guard inside a with block."""

    cdef _Guard _guard
    cdef object _target

    def __cinit__(self, _Guard guard, target):
        self._guard = guard
        self._target = target

    def __enter__(self):
        self._guard.enter()
        return self._target

    def __exit__(self, *exc):
        self._guard.exit()
        return False


# ------------------------------------------------------------------- the book
cdef int _fill_new_order(ce.Command* c, Book book, order_id, side, price, quantity, order_type, tif, ts,
                         display_quantity, participant, stp, post_only, bint hidden, flags, lock_cross) except -1:
    """Book.submit's arguments as a Command: checked (errors name the argument) and defaulted."""
    memset(c, 0, sizeof(ce.Command))
    c.order_id = _u64(order_id, "order_id")
    c.side = <uint8_t>_ranged(side, "side", 255)
    c.price = _i64(price, "price")
    c.quantity = _i64(quantity, "quantity")
    c.order_type = 1 if order_type is None else <uint8_t>_ranged(order_type, "order_type", 255)
    if tif is None:
        c.tif = 3 if c.order_type == 2 else 1
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
    c.flags = 1 if hidden else 0
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

    cdef ce.Book* _book
    cdef readonly str symbol
    cdef _Guard _guard  # shared by every Python object that reaches this C++ book
    cdef object _owner  # set when the C++ book belongs to another object (a BookBuilder)

    def __cinit__(self, str symbol not None = "", tick_regime=TickRegime.PENNY_2005, *args, **kwargs):
        # Subclasses' constructor arguments reach here too; a plain Book takes none.
        if type(self) is Book and (args or kwargs):
            extra = ", ".join([repr(a) for a in args] + list(kwargs))
            raise TypeError(f"Book() got unexpected arguments: {extra}")
        self._book = new ce.Book(_regime(tick_regime))
        self.symbol = symbol
        self._guard = _Guard("Book")

    def __dealloc__(self):
        if self._owner is None:
            del self._book

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
        events), so the per-order path never grows a structure."""
        cdef int64_t n = _i64(orders, "orders")
        if n < 0 or n > 0xFFFFFFFF:
            raise ValueError(f"orders={n} must be between 0 and 2**32-1")
        self._idle()
        self._book.reserve(<size_t>n)  # MemoryError leaves the book as it was

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
        self._book.submit(c)
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
        c.action = 1  # Action.NEW
        return out

    def cancel(self, order_id, *, ts=None):
        """Cancel a resting order; return the number of events produced."""
        cdef size_t before
        cdef uint64_t oid = _u64(order_id, "order_id")
        cdef int64_t t = self._ts(ts)
        self._idle()
        before = self._book.events().size()
        self._book.cancel(t, oid)
        return self._book.events().size() - before

    def reduce(self, order_id, quantity, *, ts=None):
        """Cancel ``quantity`` shares of a resting order, keeping its time priority."""
        cdef size_t before
        cdef uint64_t oid = _u64(order_id, "order_id")
        cdef int64_t q = _i64(quantity, "quantity")
        cdef int64_t t = self._ts(ts)
        self._idle()
        before = self._book.events().size()
        self._book.reduce(t, oid, q)
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
        self._book.replace(t, oid, nid, p, q)
        return self._book.events().size() - before

    def expire(self, *, tif=TimeInForce.DAY, ts=None):
        """Expire every resting order with time in force ``tif`` (end of day)."""
        cdef size_t before
        cdef uint8_t f = <uint8_t>_ranged(tif, "tif", 255)
        cdef int64_t t = self._ts(ts)
        self._idle()
        before = self._book.events().size()
        self._book.expire(t, <ce.TimeInForce>f)
        return self._book.events().size() - before

    # The commands the operations above would apply, checked and defaulted the
    # same way, as one-row COMMAND_DTYPE arrays (to journal or batch them).
    def cancel_record(self, order_id, *, ts=None):
        """The command :meth:`cancel` would apply, as a one-row ``COMMAND_DTYPE`` array."""
        cdef cnp.ndarray out = np.zeros(1, dtype=COMMAND_DTYPE)
        cdef ce.Command* c = <ce.Command*>cnp.PyArray_DATA(out)
        c.order_id = _u64(order_id, "order_id")
        c.ts = self._ts(ts)
        c.action = 2  # Action.CANCEL
        return out

    def reduce_record(self, order_id, quantity, *, ts=None):
        """The command :meth:`reduce` would apply, as a one-row ``COMMAND_DTYPE`` array."""
        cdef cnp.ndarray out = np.zeros(1, dtype=COMMAND_DTYPE)
        cdef ce.Command* c = <ce.Command*>cnp.PyArray_DATA(out)
        c.order_id = _u64(order_id, "order_id")
        c.quantity = _i64(quantity, "quantity")
        c.ts = self._ts(ts)
        c.action = 4  # Action.REDUCE
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
        c.action = 3  # Action.REPLACE
        return out

    def expire_record(self, *, tif=TimeInForce.DAY, ts=None):
        """The command :meth:`expire` would apply, as a one-row ``COMMAND_DTYPE`` array."""
        cdef cnp.ndarray out = np.zeros(1, dtype=COMMAND_DTYPE)
        cdef ce.Command* c = <ce.Command*>cnp.PyArray_DATA(out)
        c.tif = <uint8_t>_ranged(tif, "tif", 255)
        c.ts = self._ts(ts)
        c.action = 5  # Action.EXPIRE
        return out

    def execute(self, cnp.ndarray commands not None):
        """Run a ``COMMAND_DTYPE`` array in order, without the GIL.

        Returns every pending event as an ``EVENT_DTYPE`` array (the batch's,
        after any not yet taken from earlier calls). A bad record yields its
        REJECTED event and the batch goes on.
        """
        cdef const ce.Command* first
        cdef size_t n
        _require_records(commands, COMMAND_DTYPE, "commands", "COMMAND_DTYPE")
        self._idle()
        first = <const ce.Command*>cnp.PyArray_DATA(commands)
        n = <size_t>commands.shape[0]
        with self._guard:
            with nogil:
                self._book.execute_batch(first, n)
        return self.take_events()

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
        if self._book.best(<ce.Side>1, &lv):
            return (lv.price, lv.quantity)
        return None

    def best_ask(self):
        """``(price, displayed quantity)`` of the best displayed offer, or None."""
        cdef ce.LevelView lv
        self._idle()
        if self._book.best(<ce.Side>2, &lv):
            return (lv.price, lv.quantity)
        return None

    def top(self):
        """Best displayed bid and offer as a ``TopOfBook`` (prices None when empty)."""
        cdef ce.LevelView b, a
        self._idle()
        has_b = self._book.best(<ce.Side>1, &b)
        has_a = self._book.best(<ce.Side>2, &a)
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
        nb = min(<size_t>n, 2 * self._book.level_count(<ce.Side>1))
        na = min(<size_t>n, 2 * self._book.level_count(<ce.Side>2))
        bids = np.empty(nb, dtype=LEVEL_DTYPE)
        asks = np.empty(na, dtype=LEVEL_DTYPE)
        kb = self._book.depth(<ce.Side>1, <ce.LevelView*>cnp.PyArray_DATA(bids), nb)
        ka = self._book.depth(<ce.Side>2, <ce.LevelView*>cnp.PyArray_DATA(asks), na)
        return bids[:kb], asks[:ka]

    def best_ranked_price(self, side):
        """Best price a side is ranked at, non-displayed interest included (None when empty)."""
        cdef int64_t s = _ranged(side, "side", 255)
        if s != 1 and s != 2:
            raise ValueError(f"side={s} is not a Side")
        self._idle()
        p = self._book.best_ranked_price(<ce.Side>s)
        return None if p == 0 else p

    def order(self, order_id):
        """The live order with this id as an ``OrderState``, or None."""
        cdef uint64_t oid = _u64(order_id, "order_id")
        cdef ce.OrderView v
        self._idle()
        if not self._book.find_order(oid, &v):
            return None
        return OrderState(
            v.order_id, Side(v.side), v.price, v.leaves, v.displayed, v.reserve, v.filled,
            v.display_quantity, v.participant, TimeInForce(v.tif), StpMode(v.stp),
            PostOnly(v.post_only), bool(v.flags & 1), v.ts, v.display_price, v.limit_price,
            LockCrossMode(v.lock_cross), bool(v.repriced), bool(v.flags & 2),
        )

    def orders(self):
        """Every resting order as an ``ORDER_DTYPE`` array, in priority order:
        bids best first, then offers best first; displayed before hidden."""
        cdef size_t n, k
        self._idle()
        n = self._book.order_count()
        out = np.empty(n, dtype=ORDER_DTYPE)
        k = self._book.snapshot(<ce.OrderView*>cnp.PyArray_DATA(out), n)
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
        return self._book.level_count(<ce.Side>1)

    @property
    def ask_levels(self):
        """Number of offer price levels, non-displayed-only levels included."""
        self._idle()
        return self._book.level_count(<ce.Side>2)

    @property
    def memory_bytes(self):
        """Bytes held by the book's own structures (pending events excluded)."""
        self._idle()
        return self._book.memory_bytes()

    def save_snapshot(self):
        """The book's whole state as bytes (orders, clock, sequence, and the Reg NMS
        state of a ProtectedBook), with a format version and a checksum;
        :func:`load_snapshot` restores it."""
        cdef vector[uint8_t] out
        self._idle()
        out = ce.save_snapshot(self._book[0])
        return (<char*>out.data())[:out.size()]

    def check_integrity(self):
        """None when every internal invariant holds, else a description of the
        first one broken (for tests and fuzzing; walks the whole book)."""
        cdef const char* why
        self._guard.check()
        why = self._book.check_integrity()
        return None if why == NULL else why.decode()


# ------------------------------------------------------- protected book
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
    q.flags = ((0 if bid_automated else 1) | (0 if ask_automated else 2) | (4 if closed else 0))
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

    cdef ce.RegNmsState* _nms
    cdef readonly tuple venues
    cdef dict _venue_ids
    cdef int _venue_count

    def __cinit__(self, str symbol not None = "", tick_regime=TickRegime.PENNY_2005, venues=(),
                  bint regular_hours=True):
        names = tuple(venues)
        if len(names) > ce.kMaxVenues:
            raise ValueError(f"venues has {len(names)} names; at most {ce.kMaxVenues} venues are supported")
        for n in names:
            if not isinstance(n, str) or not n:
                raise TypeError(f"venues must be non-empty strings, got {n!r}")
        if len(set(names)) != len(names):
            raise ValueError("venues has duplicate names")
        self._book.enable_reg_nms(len(names))
        self._nms = self._book.reg_nms()
        self._nms.in_rth = regular_hours
        self.venues = names
        self._venue_ids = {n: i for i, n in enumerate(names)}
        self._venue_count = len(names)

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
        self._book.update_quote(q)
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
                self._book.update_quotes(first, n)
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
        self._book.set_session(t, rth)
        return self._book.events().size() - before

    @property
    def in_regular_hours(self):
        self._idle()
        return bool(self._nms.in_rth)

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
        self._book.declare_self_help(t, v, s0, e0)
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
        self._book.revoke_self_help(t, v, a)
        return self._book.events().size() - before

    def self_help_active(self, venue, at):
        cdef int v = self.venue_id(venue)
        cdef int64_t t = _i64(at, "at")
        self._idle()
        return bool(self._nms.table.self_help_active(v, t))

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
        self._idle()
        if dry_run:
            bad = ce.fee_cap_violation(f, <ce.FeeCapRegime>r)
        else:
            bad = self._book.set_fee_schedule(f, <ce.FeeCapRegime>r)
        if bad != NULL:
            name = bad.decode()
            cap = "$0.003 per share / 0.3%" if r == 0 else "$0.001 per share / 0.1%"
            raise ValueError(f"{name} is outside the Rule 610(c) cap of {FeeCapRegime(r).name} ({cap}),"
                             f" which bounds every fee and rebate")
        if dry_run:
            return {"take_fee_nd": f.take_fee_nd, "take_rate_ppm": f.take_rate_ppm,
                    "make_rebate_nd": f.make_rebate_nd, "make_rate_ppm": f.make_rate_ppm, "regime": r}

    @property
    def fee_schedule(self):
        self._idle()
        f = self._nms.fees
        return {"take_fee_nd": f.take_fee_nd, "take_rate_ppm": f.take_rate_ppm,
                "make_rebate_nd": f.make_rebate_nd, "make_rate_ppm": f.make_rate_ppm,
                "regime": FeeCapRegime(<int>self._nms.fee_regime)}

    def configure(self, *, rule611=None, enforce_outside_rth=None, subpenny_exemption=None,
                  lock_cross_protection=None, default_lock_cross=None, flicker_window_ns=None, bint dry_run=False):
        """Switch parts of the Reg NMS handling (each None leaves it as it is).

        Every argument is checked before any applies: a bad one raises naming it
        and changes nothing. ``dry_run`` as for :meth:`start_regular_hours`.
        """
        cdef ce.ConfigChange c
        cdef const char* bad
        memset(&c, 0, sizeof(c))
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
        bad = self._book.configure(c, not dry_run)
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
        c = self._nms.config
        return {"rule611": c.rule611_enabled, "enforce_outside_rth": c.enforce_outside_rth,
                "subpenny_exemption": c.subpenny_exemption, "lock_cross_protection": c.lock_cross_enabled,
                "default_lock_cross": LockCrossMode(<int>c.default_lock_cross),
                "flicker_window_ns": self._nms.table.flicker_window()}

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
        self._book.protected_bbo(t, &b)
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
        cdef int64_t sd = _ranged(side, "side", 2)
        cdef uint32_t f = <uint32_t>_ranged(flags, "flags", 0xFFFFFFFF)
        cdef int64_t t
        cdef ce.TradeThroughDecision d
        if sd == 0:
            raise ValueError("side must be Side.BUY or Side.SELL")
        self._idle()
        t = self._query_ts(ts, "ts")
        self._book.check_print(p, t, <ce.Side>sd, f, &d)
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
        q = self._nms.table.venue(v)
        name = self.venues[v] if v < len(self.venues) else str(v)
        return AwayQuote(name, q.bid.price or None, q.bid.size, bool(q.bid.automated),
                         q.ask.price or None, q.ask.size, bool(q.ask.automated), bool(q.closed),
                         q.ts if q.seen else None)

    @property
    def quote_version(self):
        self._idle()
        return self._nms.table.version()

    @property
    def unknown_conditions(self):
        """Quote updates whose condition code was not in the feed's table (treated as protected)."""
        self._idle()
        return self._nms.table.unknown_conditions()

    @property
    def off_grid_quotes(self):
        """Quote updates with a price off the Rule 612 grid (still protected, REQ-TICK-04)."""
        self._idle()
        return self._nms.table.off_grid_quotes()


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
    if f == 0:
        raise ValueError("feed must be CQS or UQDF: DIRECT quotes carry their flags explicitly")
    return QuoteFlag(ce.condition_flags(<ce.Feed>f, _condition_byte(condition)))


# ------------------------------------------------------------- replay
cdef Book _borrowed_book(ce.Book* book, object owner, _Guard guard, str symbol):
    """A Book view of a C++ book owned by `owner` (kept alive by the view), sharing
    the owner's guard, so that no two views, and no view and the owner, use the
    C++ book at once."""
    cdef Book view = Book.__new__(Book, symbol)
    del view._book
    view._book = book
    view._owner = owner
    view._guard = guard
    return view


cdef cnp.ndarray _feed_buffer(object out, size_t want):
    if out is None:
        return np.empty(want, dtype=FEED_DTYPE)
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy array of FEED_DTYPE, not {type(out).__name__}")
    _require_records(out, FEED_DTYPE, "out", "FEED_DTYPE")
    _require_writable(out, "out")
    return out


cdef class LobsterDecoder:
    """Decodes LOBSTER message-file text into ``FEED_DTYPE`` records, chunk by chunk."""

    cdef ce.LobsterMessageParser _parser
    cdef _Guard _guard

    def __cinit__(self):
        self._guard = _Guard("LobsterDecoder")

    def decode(self, const unsigned char[::1] data, bint final=False, out=None):
        """Parse the whole lines of ``data``; returns ``(records, bytes consumed)``.
        The unconsumed tail is a partial line: pass it again with the next chunk.
        ``out`` (a ``FEED_DTYPE`` array) is filled and a view of it returned, so a
        reader can reuse one buffer; then parsing stops when it is full.
        Raises ``ValueError`` naming the line of a malformed row."""
        cdef size_t n = data.shape[0]
        cdef ce.ParseResult r
        cdef cnp.ndarray dst_arr = _feed_buffer(out, n // 12 + 1)
        cdef ce.FeedMessage* dst = <ce.FeedMessage*>cnp.PyArray_DATA(dst_arr)
        cdef size_t cap = dst_arr.shape[0]
        cdef const char* src = <const char*>&data[0] if n else NULL
        with self._guard:
            with nogil:
                r = self._parser.parse(src, n, final, dst, cap)
        if r.error != NULL:
            raise ValueError(f"line {r.error_line}: {r.error.decode()}")
        return dst_arr[:r.produced], r.consumed

    @property
    def lines(self):
        self._guard.check()
        return self._parser.lines()


cdef class OrderbookDecoder:
    """Decodes LOBSTER orderbook-file text into rows of ``4 * levels`` int64s."""

    cdef ce.IntRowParser* _parser
    cdef readonly int levels
    cdef _Guard _guard

    def __cinit__(self, levels):
        cdef int64_t n = _i64(levels, "levels")
        if n < 1 or n > 1000:
            raise ValueError(f"levels={n} must be in 1..1000")
        self.levels = n
        self._parser = new ce.IntRowParser(4 * n)
        self._guard = _Guard("OrderbookDecoder")

    def __dealloc__(self):
        del self._parser

    def decode(self, const unsigned char[::1] data, bint final=False):
        cdef size_t n = data.shape[0]
        cdef size_t rows = n // (8 * self.levels) + 1
        cdef ce.ParseResult r
        cdef cnp.ndarray out = np.empty((rows, 4 * self.levels), dtype=np.int64)
        cdef int64_t* dst = <int64_t*>cnp.PyArray_DATA(out)
        cdef const char* src = <const char*>&data[0] if n else NULL
        with self._guard:
            with nogil:
                r = self._parser.parse(src, n, final, dst, rows)
        if r.error != NULL:
            raise ValueError(f"line {r.error_line}: {r.error.decode()}")
        return out[:r.produced], r.consumed


cdef class ItchDecoder:
    """Decodes Nasdaq TotalView-ITCH 5.0 bytes into ``FEED_DTYPE`` records, chunk by chunk."""

    cdef ce.ItchDecoder _decoder
    cdef _Guard _guard

    def __cinit__(self):
        self._guard = _Guard("ItchDecoder")

    def decode(self, const unsigned char[::1] data, bint final=False, out=None):
        """Decode the whole messages of ``data``; returns ``(records, bytes consumed)``.
        ``out`` as for :meth:`LobsterDecoder.decode`. Raises ``ValueError`` with the
        byte offset of a bad or truncated message."""
        cdef size_t n = data.shape[0]
        cdef ce.DecodeResult r
        cdef cnp.ndarray dst_arr = _feed_buffer(out, n // 14 + 1)
        cdef ce.FeedMessage* dst = <ce.FeedMessage*>cnp.PyArray_DATA(dst_arr)
        cdef size_t cap = dst_arr.shape[0]
        cdef const uint8_t* src = <const uint8_t*>&data[0] if n else NULL
        with self._guard:
            with nogil:
                r = self._decoder.decode(src, n, final, dst, cap)
        if r.error != NULL:
            raise ValueError(f"byte {r.error_offset}: {r.error.decode()}")
        return dst_arr[:r.produced], r.consumed

    @property
    def messages(self):
        """Messages decoded or skipped so far."""
        self._guard.check()
        return self._decoder.messages()

    @property
    def skipped(self):
        """Messages of types this decoder does not use, skipped by their length."""
        self._guard.check()
        return self._decoder.skipped()

    def stocks(self):
        """The stock directory so far: ``{locate: (symbol, market category, round lot)}``."""
        self._guard.check()
        cdef const vector[ce.ItchStock]* v = &self._decoder.stocks()
        cdef ce.ItchStock st
        out = {}
        for i in range(v.size()):
            st = v.at(i)
            sym = bytes(st.symbol[:8]).decode("ascii", "replace").rstrip()
            out[st.locate] = (sym, chr(st.market_category), st.round_lot)
        return out


cdef class BookBuilder:
    """Builds books from a venue's own messages (``FEED_DTYPE``), one per stock
    locate, as a feed handler does: adds, cancels, deletes, executions against
    the named order and replaces, with no matching (the venue already did it)."""

    cdef ce.BookBuilder* _builder
    cdef _Guard _guard  # the builder's, and every book view's it hands out

    def __cinit__(self, tick_regime=TickRegime.PENNY_2005):
        self._builder = new ce.BookBuilder(_regime(tick_regime))
        self._guard = _Guard("BookBuilder")

    def __dealloc__(self):
        del self._builder

    def select(self, locates):
        """Build only these stock locates, adding to any selected before (default:
        every one). ``select([])`` filters everything until a locate is selected."""
        values = [_i64(loc, "locates") for loc in locates]
        for v in values:  # all checked before any is applied
            if v < 0 or v > 65535:
                raise ValueError(f"locate {v} is outside 0..65535")
        self._guard.check()
        self._builder.start_filtering()
        for v in values:
            self._builder.select(<uint16_t>v)

    def apply(self, cnp.ndarray messages not None):
        """Apply a ``FEED_DTYPE`` array of messages, in order, without the GIL."""
        _require_records(messages, FEED_DTYPE, "messages", "FEED_DTYPE")
        cdef const ce.FeedMessage* first = <const ce.FeedMessage*>cnp.PyArray_DATA(messages)
        cdef size_t n = messages.shape[0]
        with self._guard:
            with nogil:
                self._builder.apply(first, n)

    def apply_lobster_verified(self, cnp.ndarray messages not None, cnp.ndarray rows not None):
        """Apply LOBSTER messages checking the book after each against its orderbook
        row (``rows[i]``: the book after ``messages[i]``, ``4 * levels`` int64s).
        Levels the file shows that the book cannot know are taken from it, and counted."""
        _require_records(messages, FEED_DTYPE, "messages", "FEED_DTYPE")
        if rows.dtype != np.int64 or rows.ndim != 2 or rows.shape[1] % 4 or not cnp.PyArray_IS_C_CONTIGUOUS(rows):
            raise TypeError("rows must be a C-contiguous int64 array of shape (n, 4 * levels)")
        if rows.shape[1] == 0:
            raise ValueError("rows must have at least one level (4 columns); these have none")
        if (<uintptr_t>cnp.PyArray_DATA(rows)) % 8 != 0:
            raise ValueError("rows must be aligned to 8 bytes (use rows.copy())")
        if rows.shape[0] != messages.shape[0]:
            raise ValueError(f"rows has {rows.shape[0]} rows for {messages.shape[0]} messages")
        cdef const ce.FeedMessage* first = <const ce.FeedMessage*>cnp.PyArray_DATA(messages)
        cdef const int64_t* r0 = <const int64_t*>cnp.PyArray_DATA(rows)
        cdef size_t n = messages.shape[0]
        cdef size_t levels = rows.shape[1] // 4
        with self._guard:
            with nogil:
                self._builder.apply_lobster_verified(first, r0, n, levels)

    def book(self, locate=0, str symbol=""):
        """The book of a stock locate (a view that keeps this builder alive, and
        shares its guard: while the builder applies a batch, the view refuses), or None."""
        cdef int64_t v = _i64(locate, "locate")
        if v < 0 or v > 65535:
            raise ValueError(f"locate={v} is outside 0..65535")
        self._guard.check()
        cdef ce.Book* b = self._builder.book(<uint16_t>v)
        return None if b == NULL else _borrowed_book(b, self, self._guard, symbol)

    @property
    def book_count(self):
        self._guard.check()
        return self._builder.book_count()

    @property
    def stats(self):
        """Counters of what was applied, anomalies, and (LOBSTER) corrections from the orderbook file."""
        self._guard.check()
        s = self._builder.stats()
        return {
            "messages": s.messages, "adds": s.adds, "cancels": s.cancels, "deletes": s.deletes,
            "executions": s.executions, "executed_shares": s.executed_shares, "replaces": s.replaces,
            "hidden_executions": s.hidden_executions, "hidden_shares": s.hidden_shares,
            "cross_trades": s.cross_trades, "cross_shares": s.cross_shares, "halts": s.halts,
            "system_events": s.system_events, "directory": s.directory, "filtered": s.filtered,
            "unknown_orders": s.unknown_orders, "duplicate_adds": s.duplicate_adds,
            "over_executions": s.over_executions, "rows_checked": s.rows_checked,
            "rows_matched": s.rows_matched, "levels_imported": s.levels_imported,
            "levels_resized": s.levels_resized, "levels_dropped": s.levels_dropped,
        }


cdef class Rematcher:
    """Sends historical flow (``FEED_DTYPE``) through a book's own matching: new
    orders, cancels and replaces as they were, each execution as an inferred
    incoming IOC order. Quote updates (``QUOTE_DTYPE``, sorted by time) are
    applied between messages when the book is a :class:`ProtectedBook`."""

    cdef ce.Rematcher* _rematcher
    cdef readonly Book book

    def __cinit__(self, Book book not None):
        self.book = book
        self._rematcher = new ce.Rematcher(book._book[0])

    def __dealloc__(self):
        del self._rematcher

    def apply(self, cnp.ndarray messages not None, quotes=None):
        """Apply messages (and the quotes due among them); returns the book's events."""
        _require_records(messages, FEED_DTYPE, "messages", "FEED_DTYPE")
        cdef const ce.QuoteUpdate* q = NULL
        cdef size_t nq = 0
        cdef cnp.ndarray qa
        if quotes is not None:
            if not isinstance(self.book, ProtectedBook):
                raise TypeError("quotes need a ProtectedBook (a plain Book has no protected-quote table)")
            qa = quotes
            _require_records(qa, QUOTE_DTYPE, "quotes", "QUOTE_DTYPE")
            q = <const ce.QuoteUpdate*>cnp.PyArray_DATA(qa)
            nq = qa.shape[0]
        cdef const ce.FeedMessage* first = <const ce.FeedMessage*>cnp.PyArray_DATA(messages)
        cdef size_t n = messages.shape[0]
        self.book._idle()
        with self.book._guard:
            with nogil:
                self._rematcher.apply(first, n, q, nq)
        return self.book.take_events()

    @property
    def first_inferred_id(self):
        """The id of the first inferred incoming order (the rest count up from it)."""
        return ce.REMATCH_FIRST_INFERRED_ID

    @property
    def stats(self):
        self.book._guard.check()
        s = self._rematcher.stats()
        return {"messages": s.messages, "orders": s.orders, "cancels": s.cancels, "replaces": s.replaces,
                "inferred_takers": s.inferred_takers, "history_executions": s.history_executions,
                "history_shares": s.history_shares, "gone_in_engine": s.gone_in_engine,
                "unknown_orders": s.unknown_orders, "skipped": s.skipped, "quotes": s.quotes}


def measure_latency(Book book not None, cnp.ndarray commands not None, cnp.ndarray quotes not None,
                    cnp.ndarray schedule not None):
    """Run a schedule of commands and quotes through ``book`` one call at a time,
    timing each with a steady clock inside the core. Returns ``(ns, kind)``:
    the nanoseconds of each call and its ``LatencyOp`` kind (uint8)."""
    _require_records(commands, COMMAND_DTYPE, "commands", "COMMAND_DTYPE")
    _require_records(quotes, QUOTE_DTYPE, "quotes", "QUOTE_DTYPE")
    if schedule.dtype != np.int64 or schedule.ndim != 1 or not cnp.PyArray_IS_C_CONTIGUOUS(schedule):
        raise TypeError("schedule must be a C-contiguous one-dimensional int64 array")
    cdef int64_t n = schedule.shape[0]
    cdef int64_t nc = commands.shape[0]
    cdef int64_t nq = quotes.shape[0]
    if n and (schedule.max() >= nc or schedule.min() < -nq):
        raise ValueError("schedule names a command or quote that is not there")
    if nq and not book._book.reg_nms_enabled():
        raise TypeError("quotes need a ProtectedBook")
    cdef cnp.ndarray ns = np.empty(n, dtype=np.uint32)
    cdef cnp.ndarray kind = np.empty(n, dtype=np.uint8)
    cdef const ce.Command* c = <const ce.Command*>cnp.PyArray_DATA(commands)
    cdef const ce.QuoteUpdate* q = <const ce.QuoteUpdate*>cnp.PyArray_DATA(quotes)
    cdef const int64_t* sch = <const int64_t*>cnp.PyArray_DATA(schedule)
    cdef uint32_t* pns = <uint32_t*>cnp.PyArray_DATA(ns)
    cdef uint8_t* pk = <uint8_t*>cnp.PyArray_DATA(kind)
    book._idle()
    with book._guard:
        with nogil:
            ce.measure_latency(book._book[0], c, q, sch, <size_t>n, pns, pk)
    book.clear_events()
    return ns, kind


def clock_overhead_ns():
    """The least time between two back-to-back reads of the steady clock, ns."""
    return ce.clock_overhead_ns(10_000)


def load_snapshot(const unsigned char[::1] data, str symbol="", venues=()):
    """A book restored from :meth:`Book.save_snapshot` bytes: a ProtectedBook (named
    ``venues``, as many as the snapshot's book had) when the snapshot has Reg NMS
    state, else a Book. Every field is checked: bytes that are not a whole, sound
    snapshot raise ``ValueError`` naming the field that is wrong."""
    cdef string error
    cdef unique_ptr[ce.Book] restored
    cdef size_t n = data.shape[0]
    cdef Book view
    if n == 0:
        raise ValueError("data is empty: not an engine snapshot")
    restored = ce.load_snapshot(&data[0], n, &error)
    if not restored:
        raise ValueError(f"data is not a usable snapshot: {error.decode('utf-8', 'replace')}")
    if restored.get().reg_nms_enabled():
        count = restored.get().reg_nms().table.venue_count()
        if len(tuple(venues)) != count:
            raise ValueError(f"venues names {len(tuple(venues))} venues, but the snapshot's book has {count}")
        view = ProtectedBook(symbol, <int>restored.get().tick_regime(), venues=venues)
    else:
        view = Book(symbol, <int>restored.get().tick_regime())
    del view._book
    view._book = restored.release()
    if isinstance(view, ProtectedBook):
        (<ProtectedBook>view)._nms = view._book.reg_nms()
    return view


def generate_itch(messages, symbols=8, seed=0):
    """Seeded, consistent Nasdaq ITCH 5.0 bytes: system events, a stock directory of
    ``symbols`` stocks, trading actions, then ``messages`` order messages of every
    type (A F E C X D U P Q), executions and cancels only against live orders."""
    cdef int64_t n = _i64(messages, "messages")
    cdef int64_t k = _i64(symbols, "symbols")
    cdef int64_t sd = _i64(seed, "seed")
    cdef vector[uint8_t] out
    if n < 0:
        raise ValueError(f"messages={n} must not be negative")
    if k < 1 or k > 65534:
        raise ValueError(f"symbols={k} must be in 1..65534")
    with nogil:
        out = ce.generate_itch(<uint64_t>n, <int>k, <uint64_t>sd)
    return (<char*>out.data())[:out.size()] if out.size() else b""


# ------------------------------------------------------------ price grid
def is_valid_price(price, tick_regime=TickRegime.PENNY_2005):
    """True when ``price`` (units) is positive, in range and on the Rule 612 grid."""
    return ce.is_valid_price(_i64(price, "price"), _regime(tick_regime))


def next_valid(price, tick_regime=TickRegime.PENNY_2005):
    """The smallest grid price strictly above ``price`` (``next_valid(9999) == 10000``)."""
    return ce.next_valid(_i64(price, "price"), _regime(tick_regime))


def prev_valid(price, tick_regime=TickRegime.PENNY_2005):
    """The largest grid price strictly below ``price`` (``prev_valid(10000) == 9999``); 0 if none."""
    return ce.prev_valid(_i64(price, "price"), _regime(tick_regime))


def floor_valid(price, tick_regime=TickRegime.PENNY_2005):
    """The largest grid price at or below ``price``."""
    return ce.floor_valid(_i64(price, "price"), _regime(tick_regime))


def ceil_valid(price, tick_regime=TickRegime.PENNY_2005):
    """The smallest grid price at or above ``price``."""
    return ce.ceil_valid(_i64(price, "price"), _regime(tick_regime))


def tick_size(price, tick_regime=TickRegime.PENNY_2005):
    """The minimum price variation at ``price``: 1 below $1.00, 100 (or 50) at or above."""
    return ce.tick_at(_i64(price, "price"), _regime(tick_regime))


def tick_index(price, tick_regime=TickRegime.PENNY_2005):
    """Position of ``price`` on the grid, consecutive across $1.00:
    ``price`` below 10000, ``10000 + (price - 10000) // tick`` at or above."""
    return ce.tick_index(_i64(price, "price"), _regime(tick_regime))


def price_at_index(index, tick_regime=TickRegime.PENNY_2005):
    """The grid price at a tick index (inverse of :func:`tick_index`)."""
    return ce.price_at_index(_i64(index, "index"), _regime(tick_regime))


# ------------------------------------------------------------ introspection
def _enum_table():
    """``[(type, name, value)]`` of every public C++ enum member."""
    return [(ce.kEnums[i].type.decode(), ce.kEnums[i].name.decode(), ce.kEnums[i].value)
            for i in range(ce.kEnumCount)]


def _field_table():
    """``[(record, field, offset, size)]`` of every public C++ record field."""
    return [(ce.kFields[i].record.decode(), ce.kFields[i].field.decode(),
             ce.kFields[i].offset, ce.kFields[i].size) for i in range(ce.kFieldCount)]


def _record_sizes():
    """``{record: sizeof}`` of the public C++ records."""
    return {ce.kRecords[i].record.decode(): ce.kRecords[i].size for i in range(ce.kRecordCount)}
