# Replay: the decoders (feed/lobster.hpp, feed/itch.hpp), the BookBuilder
# (feed/replay.hpp) and the Rematcher (feed/rematch.hpp).

cdef Book _borrowed_book(ce.Book* book, object owner, _Guard guard, str symbol):
    """A Book view of a C++ book owned by `owner` (kept alive by the view), sharing
    the owner's guard, so that no two views, and no view and the owner, use the
    C++ book at once."""
    cdef Book view = Book.__new__(Book, symbol)
    del view._book
    view._book = book
    view._owns_book = False
    view._owner = owner
    view._guard = guard
    return view


cdef size_t _state_levels(object states, size_t n, str name) except 0:
    """The level count of a book-state array for n messages, after checking it."""
    if not isinstance(states, np.ndarray):
        raise TypeError(f"{name} must be a numpy int64 array of shape (n, 4 * levels), not {type(states).__name__}")
    cdef cnp.ndarray a = states
    if a.dtype != np.int64 or a.ndim != 2 or a.shape[1] % 4 or not cnp.PyArray_IS_C_CONTIGUOUS(a):
        raise TypeError(f"{name} must be a C-contiguous int64 array of shape (n, 4 * levels)")
    if a.shape[1] == 0:
        raise ValueError(f"{name} must have at least one level (4 columns); it has none")
    if <size_t>a.shape[0] != n:
        raise ValueError(f"{name} has {a.shape[0]} rows for {n} messages")
    if (<uintptr_t>cnp.PyArray_DATA(a)) % 8 != 0:
        raise ValueError(f"{name} must be aligned to 8 bytes")
    _require_writable(a, name)
    return a.shape[1] // 4


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

    @property
    def stock_count(self):
        """How many stock directory entries so far (cheap: no dict built)."""
        self._guard.check()
        return self._decoder.stocks().size()

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

    def apply(self, cnp.ndarray messages not None, states=None):
        """Apply a ``FEED_DTYPE`` array of messages, in order, without the GIL.

        With ``states`` (a writable C-contiguous int64 array of shape
        ``(len(messages), 4 * levels)``, from :func:`new_book_states`), row i
        receives the book of message i's stock after it, in LOBSTER's orderbook
        layout: per level ask price, ask size, bid price, bid size, best first;
        a missing level is LOBSTER's dummy (ask ``9999999999``, bid
        ``-9999999999``, size 0); a message that reaches no book, zeros."""
        _require_records(messages, FEED_DTYPE, "messages", "FEED_DTYPE")
        cdef const ce.FeedMessage* first = <const ce.FeedMessage*>cnp.PyArray_DATA(messages)
        cdef size_t n = messages.shape[0]
        cdef size_t levels = 0
        cdef int64_t* out = NULL
        if states is not None:
            levels = _state_levels(states, n, "states")
            out = <int64_t*>cnp.PyArray_DATA(states)
        with self._guard:
            with nogil:
                if out == NULL:
                    self._builder.apply(first, n)
                else:
                    self._builder.apply_with_states(first, n, levels, out)

    def apply_lobster_verified(self, cnp.ndarray messages not None, cnp.ndarray rows not None, states=None):
        """Apply LOBSTER messages checking the book after each against its orderbook
        row (``rows[i]``: the book after ``messages[i]``, ``4 * levels`` int64s).
        Levels the file shows that the book cannot know are taken from it, and
        counted. ``states`` as for :meth:`apply` (the book once corrected)."""
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
        cdef size_t state_levels = 0
        cdef int64_t* out = NULL
        if states is not None:
            state_levels = _state_levels(states, n, "states")
            out = <int64_t*>cnp.PyArray_DATA(states)
        with self._guard:
            with nogil:
                self._builder.apply_lobster_verified(first, r0, n, levels, out, state_levels)

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
        return self._builder.stats()  # the C++ struct, as a dict


cdef class FeedBook:
    """A book built one message at a time from a venue's own feed, as a feed
    handler applies it (C++ ``feed/feed_book.hpp``): orders added, executed,
    cancelled in part, deleted and replaced as the venue reported them, with no
    matching, no events and no checks beyond what keeps the book sound. The
    per-call face of :class:`BookBuilder`; :attr:`book` answers queries.

    Each call returns what it did: :meth:`add` and :meth:`replace` whether the
    order was added (False: a live id, or an unusable order), :meth:`execute`,
    :meth:`cancel` and :meth:`delete` the shares removed, -1 for an unknown id.
    """

    cdef ce.Book* _book
    cdef ce.FeedBook* _feed
    cdef _Guard _guard
    cdef readonly str symbol

    def __cinit__(self, str symbol="", tick_regime=TickRegime.PENNY_2005):
        self._book = new ce.Book(_regime(tick_regime))
        self._feed = new ce.FeedBook(self._book[0])
        self._guard = _Guard("FeedBook")
        self.symbol = symbol

    def __dealloc__(self):
        del self._feed
        del self._book

    cdef inline int64_t _ts(self, object ts) except? -1:
        return (self._book.last_timestamp() if self._book.last_timestamp() > 0 else 0) if ts is None else _i64(ts, "ts")

    def add(self, order_id, side, price, quantity, ts=None):
        """A displayed order at the back of its price level (ITCH A/F, LOBSTER 1)."""
        cdef uint64_t oid = _u64(order_id, "order_id")
        cdef int64_t s = _ranged(side, "side", 255)
        cdef int64_t p = _i64(price, "price")
        cdef int64_t q = _i64(quantity, "quantity")
        cdef int64_t t = self._ts(ts)
        self._guard.check()
        return self._feed.add(t, oid, <ce.Side><uint8_t>s, p, q) == ce.FeedAdd.Added

    def execute(self, order_id, quantity):
        """``quantity`` shares of a named order executed (ITCH E, LOBSTER 4): its
        filled shares count them; it goes when nothing is left."""
        cdef uint64_t oid = _u64(order_id, "order_id")
        cdef int64_t q = _i64(quantity, "quantity")
        self._guard.check()
        return self._feed.take(oid, q, True)

    def cancel(self, order_id, quantity):
        """``quantity`` shares of a named order cancelled (ITCH X, LOBSTER 2)."""
        cdef uint64_t oid = _u64(order_id, "order_id")
        cdef int64_t q = _i64(quantity, "quantity")
        self._guard.check()
        return self._feed.take(oid, q, False)

    def delete(self, order_id):
        """A named order removed (ITCH D, LOBSTER 3)."""
        cdef uint64_t oid = _u64(order_id, "order_id")
        self._guard.check()
        return self._feed.remove(oid)

    def replace(self, order_id, new_order_id, price, quantity, ts=None):
        """An order replaced by a new one on the same side, at the back of its
        level (ITCH U). False when the old id is unknown or the new order
        cannot be added (the old one is then gone)."""
        cdef uint64_t oid = _u64(order_id, "order_id")
        cdef uint64_t nid = _u64(new_order_id, "new_order_id")
        cdef int64_t p = _i64(price, "price")
        cdef int64_t q = _i64(quantity, "quantity")
        cdef int64_t t = self._ts(ts)
        self._guard.check()
        return self._feed.replace(t, oid, nid, p, q) == ce.FeedAdd.Added

    def __len__(self):
        self._guard.check()
        return self._book.order_count()

    def __contains__(self, order_id):
        cdef uint64_t oid = _u64(order_id, "order_id")
        self._guard.check()
        return self._book.contains(oid)

    @property
    def book(self):
        """The book as a :class:`Book` view, for queries (top, depth, orders,
        snapshots). It shares this feed book's thread guard."""
        return _borrowed_book(self._book, self, self._guard, self.symbol)


cdef class LobsterWriter:
    """Writes one stock's LOBSTER message and orderbook files from its venue's
    messages (``FEED_DTYPE``, in order): each :meth:`write` returns the text of
    both files' new rows (C++ ``feed/lobster_writer.hpp``: LOBSTER's seven
    types, its dummies for missing levels, times in seconds after midnight;
    every message written, so the files replay exactly)."""

    cdef ce.LobsterWriter* _writer
    cdef _Guard _guard
    cdef readonly int levels

    def __cinit__(self, levels, tick_regime=TickRegime.PENNY_2005):
        cdef int64_t n = _i64(levels, "levels")
        if n < 1 or n > 1000:
            raise ValueError(f"levels={n} must be between 1 and 1000")
        self._writer = new ce.LobsterWriter(_regime(tick_regime), <size_t>n)
        self._guard = _Guard("LobsterWriter")
        self.levels = <int>n

    def __dealloc__(self):
        del self._writer

    def write(self, cnp.ndarray messages not None):
        """Apply the messages; returns ``(message rows, orderbook rows)`` as bytes."""
        _require_records(messages, FEED_DTYPE, "messages", "FEED_DTYPE")
        cdef const ce.FeedMessage* first = <const ce.FeedMessage*>cnp.PyArray_DATA(messages)
        cdef size_t n = messages.shape[0]
        cdef string rows
        cdef string book
        with self._guard:
            with nogil:
                self._writer.write(first, n, rows, book)
        return <bytes>rows, <bytes>book

    @property
    def rows(self):
        """Message rows written so far."""
        return self._writer.rows()

    @property
    def skipped(self):
        """Messages not written: about orders never added, or no book change (directory, system events)."""
        return self._writer.skipped()

    @property
    def first_ts(self):
        return self._writer.first_ts()

    @property
    def last_ts(self):
        return self._writer.last_ts()


cdef class Rematcher:
    """Sends historical flow (``FEED_DTYPE``) through a book's own matching: new
    orders, cancels and replaces as they were, each execution as an inferred
    incoming IOC order. Quote updates (``QUOTE_DTYPE``, sorted by time) are
    applied between messages when the book is a :class:`ProtectedBook`."""

    # one of the two, by the book's kind
    cdef ce.Rematcher[ce.Book]* _plain
    cdef ce.Rematcher[ce.Venue]* _venue
    cdef readonly Book book

    def __cinit__(self, Book book not None):
        self.book = book
        if isinstance(book, ProtectedBook):
            self._venue = new ce.Rematcher[ce.Venue]((<ProtectedBook>book)._venue[0])
        else:
            self._plain = new ce.Rematcher[ce.Book](book._book[0])

    def __dealloc__(self):
        del self._plain
        del self._venue

    def apply(self, cnp.ndarray messages not None, quotes=None):
        """Apply messages (and the quotes due among them); returns the book's events."""
        _require_records(messages, FEED_DTYPE, "messages", "FEED_DTYPE")
        cdef const ce.QuoteUpdate* q = NULL
        cdef size_t nq = 0
        cdef cnp.ndarray qa
        if quotes is not None:
            if self._venue == NULL:
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
                if self._venue != NULL:
                    self._venue.apply(first, n, q, nq)
                else:
                    self._plain.apply(first, n, q, nq)
        return self.book.take_events()

    @property
    def first_inferred_id(self):
        """The id of the first inferred incoming order (the rest count up from it)."""
        return ce.kFirstInferredId

    @property
    def stats(self):
        self.book._guard.check()
        return self._venue.stats() if self._venue != NULL else self._plain.stats()  # the C++ struct, as a dict
