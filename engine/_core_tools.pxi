# Tools: snapshots (snapshot.hpp), latency measurement (tools/latency.hpp),
# the ITCH generator (tools/itch_writer.hpp).

cdef tuple _latency_args(Book book, cnp.ndarray commands, cnp.ndarray quotes, cnp.ndarray schedule):
    """Check measure_latency's arrays; the Venue behind a ProtectedBook, or NULL (as an int)."""
    _require_records(commands, COMMAND_DTYPE, "commands", "COMMAND_DTYPE")
    _require_records(quotes, QUOTE_DTYPE, "quotes", "QUOTE_DTYPE")
    if schedule.dtype != np.int64 or schedule.ndim != 1 or not cnp.PyArray_IS_C_CONTIGUOUS(schedule):
        raise TypeError("schedule must be a C-contiguous one-dimensional int64 array")
    cdef int64_t n = schedule.shape[0]
    if n and (schedule.max() >= commands.shape[0] or schedule.min() < -quotes.shape[0]):
        raise ValueError("schedule names a command or quote that is not there")
    cdef ce.Venue* venue = (<ProtectedBook>book)._venue if isinstance(book, ProtectedBook) else NULL
    if quotes.shape[0] and venue == NULL:
        raise TypeError("quotes need a ProtectedBook")
    return np.empty(n, dtype=np.uint32), np.empty(n, dtype=np.uint8)


def measure_latency(Book book not None, cnp.ndarray commands not None, cnp.ndarray quotes not None,
                    cnp.ndarray schedule not None):
    """Run a schedule of commands and quotes through ``book`` one call at a time,
    timing each with a steady clock inside the core (closed loop: the next call
    starts when one ends). Returns ``(ns, kind)``: the nanoseconds of each call
    and its ``LatencyOp`` kind (uint8)."""
    ns, kind = _latency_args(book, commands, quotes, schedule)
    cdef ce.Venue* venue = (<ProtectedBook>book)._venue if isinstance(book, ProtectedBook) else NULL
    cdef const ce.Command* c = <const ce.Command*>cnp.PyArray_DATA(commands)
    cdef const ce.QuoteUpdate* q = <const ce.QuoteUpdate*>cnp.PyArray_DATA(quotes)
    cdef const int64_t* sch = <const int64_t*>cnp.PyArray_DATA(schedule)
    cdef uint32_t* pns = <uint32_t*>cnp.PyArray_DATA(ns)
    cdef uint8_t* pk = <uint8_t*>cnp.PyArray_DATA(kind)
    cdef size_t n = schedule.shape[0]
    book._idle()
    with book._guard:
        with nogil:
            if venue != NULL:
                ce.measure_latency[ce.Venue](venue[0], c, q, sch, n, pns, pk)
            else:
                ce.measure_latency[ce.Book](book._book[0], c, q, sch, n, pns, pk)
    book.clear_events()
    return ns, kind


def measure_open_loop(Book book not None, cnp.ndarray commands not None, cnp.ndarray quotes not None,
                      cnp.ndarray schedule not None, double rate):
    """As :func:`measure_latency`, open loop: operation ``i`` is offered at
    ``i / rate`` seconds after the start whether or not the ones before it are
    done, and its latency runs from that offered time to its completion, so
    time queued behind a slow operation counts (no coordinated omission)."""
    if not 1.0 <= rate <= 1e10:
        raise ValueError(f"rate={rate} operations per second must be between 1 and 1e10")
    ns, kind = _latency_args(book, commands, quotes, schedule)
    cdef ce.Venue* venue = (<ProtectedBook>book)._venue if isinstance(book, ProtectedBook) else NULL
    cdef const ce.Command* c = <const ce.Command*>cnp.PyArray_DATA(commands)
    cdef const ce.QuoteUpdate* q = <const ce.QuoteUpdate*>cnp.PyArray_DATA(quotes)
    cdef const int64_t* sch = <const int64_t*>cnp.PyArray_DATA(schedule)
    cdef uint32_t* pns = <uint32_t*>cnp.PyArray_DATA(ns)
    cdef uint8_t* pk = <uint8_t*>cnp.PyArray_DATA(kind)
    cdef size_t n = schedule.shape[0]
    cdef double period = 1e9 / rate
    book._idle()
    with book._guard:
        with nogil:
            if venue != NULL:
                ce.measure_open_loop[ce.Venue](venue[0], c, q, sch, n, period, pns, pk)
            else:
                ce.measure_open_loop[ce.Book](book._book[0], c, q, sch, n, period, pns, pk)
    book.clear_events()
    return ns, kind


def clock_overhead_ns():
    """The least time between two back-to-back reads of the steady clock, ns."""
    return ce.clock_overhead_ns(10_000)


def load_snapshot(const unsigned char[::1] data, str symbol="", venues=None):
    """A book restored from :meth:`Book.save_snapshot` bytes: a ProtectedBook when
    the snapshot has Reg NMS state (its venues named as they were saved; if
    ``venues`` is given it must be those names), else a Book. Every field is
    checked: bytes that are not a whole, sound snapshot raise ``ValueError``
    naming the field that is wrong."""
    cdef string error
    cdef ce.LoadedSnapshot restored
    cdef size_t n = data.shape[0]
    cdef Book view
    cdef ProtectedBook pview
    if n == 0:
        raise ValueError("data is empty: not an engine snapshot")
    restored = ce.load_snapshot(&data[0], n, &error)
    if not restored.book and not restored.venue:
        raise ValueError(f"data is not a usable snapshot: {error.decode('utf-8', 'replace')}")
    if restored.venue:
        saved = tuple(name.decode() for name in restored.venue.get().venue_names())
        if venues is not None and tuple(venues) != saved:
            raise ValueError(f"venues={tuple(venues)!r}, but the snapshot's venues are {saved!r}")
        pview = ProtectedBook.__new__(ProtectedBook, symbol, <int>restored.venue.get().book().tick_regime())
        pview._adopt(restored.venue.release())
        return pview
    view = Book(symbol, <int>restored.book.get().tick_regime())
    del view._book
    view._book = restored.book.release()
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


