# distutils: language = c++
"""The compiled core: a thin Cython skin over the C++ book in csrc/engine/.

No business logic lives here. Each method converts its arguments (raising an
exception that names the argument when one is not an integer or does not fit
its C type), calls the C++ book, and hands events back as numpy arrays that
own the C++ memory, without copying.
"""
from cpython.long cimport PyLong_AsLongLongAndOverflow, PyLong_AsUnsignedLongLong, PyLong_Check
from cpython.pycapsule cimport PyCapsule_GetPointer, PyCapsule_New
from cpython.ref cimport Py_INCREF
from libc.stdint cimport int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport free
from libc.string cimport memset

cimport numpy as cnp

cimport engine._cengine as ce

import operator

import numpy as np

from engine.dtypes import COMMAND_DTYPE, EVENT_DTYPE, LEVEL_DTYPE, ORDER_DTYPE
from engine.enums import PostOnly, Side, StpMode, TickRegime, TimeInForce
from engine.views import OrderState, TopOfBook

cnp.import_array()

cdef extern from "numpy/arrayobject.h":
    # Left out of numpy's own .pxd; steals a reference to descr.
    object PyArray_NewFromDescr(type subtype, cnp.dtype descr, int nd, cnp.npy_intp* dims,
                                cnp.npy_intp* strides, void* data, int flags, object obj)

MAX_PRICE = ce.kMaxPrice
MAX_QUANTITY = ce.kMaxQuantity

for _dtype, _size in (
    (COMMAND_DTYPE, sizeof(ce.Command)),
    (EVENT_DTYPE, sizeof(ce.Event)),
    (LEVEL_DTYPE, sizeof(ce.LevelView)),
    (ORDER_DTYPE, sizeof(ce.OrderView)),
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


# ------------------------------------------------------------------- the book
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
    cdef bint _busy

    def __cinit__(self, str symbol not None = "", tick_regime=TickRegime.PENNY_2005):
        self._book = new ce.Book(_regime(tick_regime))
        self.symbol = symbol
        self._busy = False

    def __dealloc__(self):
        del self._book

    def __repr__(self):
        return (f"<engine.Book {self.symbol!r} {self.tick_regime.name}: {self._book.order_count()} orders,"
                f" top {self.top()}>")

    cdef inline int _idle(self) except -1:
        if self._busy:
            raise RuntimeError("this Book is running a batch in another thread")
        return 0

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
        self._book.reserve(<size_t>n)

    @property
    def tick_regime(self):
        """The symbol's Rule 612 tick regime (``TickRegime``)."""
        return TickRegime(<int>self._book.tick_regime())

    # ---------------------------------------------------------- commands
    def submit(self, order_id, side, price, quantity, *, order_type=None, tif=None, ts=None,
               display_quantity=None, participant=None, stp=None, post_only=None, bint hidden=False):
        """Enter a new order; return the number of events it produced.

        ``price`` is in units of $0.0001 (0 for a market order). ``tif``
        defaults to DAY for a limit order and IOC for a market order.
        ``display_quantity`` > 0 makes a reserve (iceberg) order showing that
        many shares. ``ts`` (ns) defaults to the book's last timestamp.
        """
        cdef ce.Command c
        cdef size_t before
        self._idle()
        memset(&c, 0, sizeof(c))
        c.order_id = _u64(order_id, "order_id")
        c.side = <uint8_t>_ranged(side, "side", 255)
        c.price = _i64(price, "price")
        c.quantity = _i64(quantity, "quantity")
        c.order_type = 1 if order_type is None else <uint8_t>_ranged(order_type, "order_type", 255)
        if tif is None:
            c.tif = 3 if c.order_type == 2 else 1
        else:
            c.tif = <uint8_t>_ranged(tif, "tif", 255)
        c.ts = self._ts(ts)
        if display_quantity is not None:
            c.display_quantity = _i64(display_quantity, "display_quantity")
        if participant is not None:
            c.participant = <uint32_t>_ranged(participant, "participant", 0xFFFFFFFF)
        if stp is not None:
            c.stp = <uint8_t>_ranged(stp, "stp", 255)
        if post_only is not None:
            c.post_only = <uint8_t>_ranged(post_only, "post_only", 255)
        c.flags = 1 if hidden else 0
        before = self._book.events().size()
        self._book.submit(c)
        return self._book.events().size() - before

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

    def execute(self, cnp.ndarray commands not None):
        """Run a ``COMMAND_DTYPE`` array in order, without the GIL.

        Returns every pending event as an ``EVENT_DTYPE`` array (the batch's,
        after any not yet taken from earlier calls). A bad record yields its
        REJECTED event and the batch goes on.
        """
        cdef const ce.Command* first
        cdef size_t n
        if commands.dtype is not COMMAND_DTYPE and commands.dtype != COMMAND_DTYPE:
            raise TypeError(f"commands must have dtype engine.COMMAND_DTYPE, not {commands.dtype}")
        if commands.ndim != 1:
            raise ValueError(f"commands must be one-dimensional, not {commands.ndim}-dimensional")
        if not cnp.PyArray_IS_C_CONTIGUOUS(commands):
            raise ValueError("commands must be C-contiguous (use np.ascontiguousarray(commands))")
        self._idle()
        first = <const ce.Command*>cnp.PyArray_DATA(commands)
        n = <size_t>commands.shape[0]
        self._busy = True
        try:
            with nogil:
                self._book.execute_batch(first, n)
        finally:
            self._busy = False
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
        return self._book.events().size()

    @property
    def last_sequence(self):
        """Sequence number of the last event produced (0 before any)."""
        return self._book.last_sequence()

    @property
    def last_timestamp(self):
        """Timestamp of the last accepted command (None before any)."""
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
        return TopOfBook(
            b.price if has_b else None, b.quantity if has_b else 0,
            a.price if has_a else None, a.quantity if has_a else 0,
        )

    def depth(self, levels=10):
        """Up to ``levels`` displayed levels per side, best first: ``(bids, asks)``
        as ``LEVEL_DTYPE`` arrays. Non-displayed interest is not shown."""
        cdef int64_t n = _i64(levels, "levels")
        cdef size_t kb, ka
        if n < 0:
            raise ValueError(f"levels={n} must not be negative")
        self._idle()
        bids = np.empty(n, dtype=LEVEL_DTYPE)
        asks = np.empty(n, dtype=LEVEL_DTYPE)
        kb = self._book.depth(<ce.Side>1, <ce.LevelView*>cnp.PyArray_DATA(bids), <size_t>n)
        ka = self._book.depth(<ce.Side>2, <ce.LevelView*>cnp.PyArray_DATA(asks), <size_t>n)
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
            PostOnly(v.post_only), bool(v.flags & 1), v.ts,
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
        return self._book.order_count()

    def __contains__(self, order_id):
        return self._book.contains(_u64(order_id, "order_id"))

    @property
    def order_count(self):
        """Number of resting orders."""
        return self._book.order_count()

    @property
    def bid_levels(self):
        """Number of bid price levels, non-displayed-only levels included."""
        return self._book.level_count(<ce.Side>1)

    @property
    def ask_levels(self):
        """Number of offer price levels, non-displayed-only levels included."""
        return self._book.level_count(<ce.Side>2)

    @property
    def memory_bytes(self):
        """Bytes held by the book's own structures (pending events excluded)."""
        return self._book.memory_bytes()

    def check_integrity(self):
        """None when every internal invariant holds, else a description of the
        first one broken (for tests and fuzzing; walks the whole book)."""
        cdef const char* why
        self._idle()
        why = self._book.check_integrity()
        return None if why == NULL else why.decode()


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
