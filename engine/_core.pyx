# distutils: language = c++
"""The compiled core: a thin Cython skin over the C++ engine in csrc/engine/.

No business logic lives here. Each Python object owns one C++ object (a Book,
a Venue, a BookBuilder, a decoder) through one handle; each method converts
its arguments (raising an exception that names the argument when one is not an
integer or does not fit its C type), calls the C++ object, and hands events
back as numpy arrays that own the C++ memory, without copying. The record
dtypes are built here from the C++ layout tables (engine/dtypes.py re-exports
them). One extension module, in files by concept:

    _core_book.pxi     Book: the matching book
    _core_venue.pxi    ProtectedBook: the Reg NMS venue over a book
    _core_replay.pxi   decoders, BookBuilder, Rematcher
    _core_tools.pxi    snapshots, latency measurement, the ITCH generator
"""
from cpython.long cimport PyLong_AsLongLongAndOverflow, PyLong_AsUnsignedLongLong, PyLong_Check
from cpython.pycapsule cimport PyCapsule_GetPointer, PyCapsule_New
from cpython.pythread cimport PyThread_get_thread_ident
from cpython.ref cimport Py_INCREF
from libc.stdint cimport int64_t, uint8_t, uint16_t, uint32_t, uint64_t, uintptr_t
from libc.stdlib cimport free
from libc.string cimport memcpy, memset
from libcpp.memory cimport unique_ptr
from libcpp.string cimport string
from libcpp.vector cimport vector

cimport numpy as cnp

cimport engine._cengine as ce

import operator

import numpy as np

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


# ---------------------------------------------------- record dtypes, from C++
def _record_dtype(str record):
    """The numpy dtype of a C++ record, from introspect.hpp's tables: every field
    the record exposes, by offset, with its size and signedness, and the record's
    size (padding left out of the fields, kept in the item size). Marked as an
    aligned struct, so numpy keeps the padding through np.concatenate and
    other promotions (an unmarked one came out packed, and was refused)."""
    fields = sorted(
        (ce.kFields[i].offset, ce.kFields[i].field.decode(), chr(ce.kFields[i].kind), ce.kFields[i].size)
        for i in range(ce.kFieldCount) if ce.kFields[i].record.decode() == record)
    size = next(ce.kRecords[i].size for i in range(ce.kRecordCount) if ce.kRecords[i].record.decode() == record)
    return np.dtype({"names": [f[1] for f in fields], "formats": [f"<{f[2]}{f[3]}" for f in fields],
                     "offsets": [f[0] for f in fields], "itemsize": size}, align=True)


#: One instruction to a book (``engine::Command``, 64 bytes).
COMMAND_DTYPE = _record_dtype("Command")
#: One thing that happened (``engine::Event``, 96 bytes).
EVENT_DTYPE = _record_dtype("Event")
#: One displayed price level (``engine::LevelView``, 24 bytes).
LEVEL_DTYPE = _record_dtype("LevelView")
#: One resting order (``engine::OrderView``, 96 bytes).
ORDER_DTYPE = _record_dtype("OrderView")
#: One away venue's best bid and offer (``engine::QuoteUpdate``, 48 bytes).
QUOTE_DTYPE = _record_dtype("QuoteUpdate")
#: One message of a venue's own order flow (``engine::FeedMessage``, 48 bytes).
FEED_DTYPE = _record_dtype("FeedMessage")


# ------------------------------------------------------------ argument checks
cdef object _as_index(object v, str name):
    if isinstance(v, float):
        raise TypeError(f"{name} must be an int, not float")
    try:
        return operator.index(v)
    except TypeError:
        raise TypeError(f"{name} must be an int, not {type(v).__name__}") from None


# Each check is a small inline fast path (an exact int that fits) and a slow
# path out of line (conversion, the error naming the argument), so the C
# compiler inlines the fast path into every per-order call.
cdef inline int64_t _i64(object v, str name) except? -1:
    cdef int overflow = 0
    cdef long long x
    if PyLong_Check(v):
        x = PyLong_AsLongLongAndOverflow(v, &overflow)
        if overflow == 0:
            return x
    return _i64_slow(v, name)


cdef int64_t _i64_slow(object v, str name) except? -1:
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
    if PyLong_Check(v):
        x = PyLong_AsLongLongAndOverflow(v, &overflow)
        if overflow == 0 and x >= 0:
            return <uint64_t>x
    return _u64_slow(v, name)


cdef uint64_t _u64_slow(object v, str name) except? 0xFFFFFFFFFFFFFFFF:
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
        _out_of_range(x, name, hi)
    return x


cdef int _out_of_range(int64_t x, str name, int64_t hi) except -1:
    raise OverflowError(f"{name}={x} is outside 0..{hi}")


cdef inline ce.TickRegime _regime(object v) except *:
    cdef int64_t r = _i64(v, "tick_regime")
    if r == 0:
        return ce.TickRegime.Penny2005
    if r == 1:
        return ce.TickRegime.HalfPenny2024
    raise ValueError(f"tick_regime={r} is not a TickRegime (0 = PENNY_2005, 1 = HALF_PENNY_2024)")


cdef inline ce.Side _side(object v, str name) except *:
    cdef int64_t s = _ranged(v, name, 255)
    if s == <int64_t>ce.Side.Buy:
        return ce.Side.Buy
    if s == <int64_t>ce.Side.Sell:
        return ce.Side.Sell
    raise ValueError(f"{name}={s} is not a Side")


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


cdef cnp.ndarray _event_target(object out, size_t pending):
    """Book.execute's ``out``: None, or a writable EVENT_DTYPE array with room for
    the events already pending (if it has not, it is not used)."""
    if out is None:
        return None
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy array of EVENT_DTYPE, not {type(out).__name__}")
    _require_records(out, EVENT_DTYPE, "out", "EVENT_DTYPE")
    _require_writable(out, "out")
    return out if <size_t>out.shape[0] > pending else None


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


include "_core_book.pxi"
include "_core_venue.pxi"
include "_core_replay.pxi"
include "_core_tools.pxi"


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

