# Declarations of the C++ core (csrc/engine/) for engine/_core.pyx, by layer:
# core (the Book), regnms (the Venue), feed (replay), tools, introspection.
from libc.stdint cimport int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libcpp cimport bool as cbool
from libcpp.memory cimport unique_ptr
from libcpp.string cimport string
from libcpp.vector cimport vector


# ------------------------------------------------------------------ core/
cdef extern from "engine/core/types.hpp" namespace "engine" nogil:
    ctypedef int64_t Price
    ctypedef int64_t Quantity
    ctypedef int64_t Timestamp
    ctypedef uint64_t OrderId

    enum class TickRegime(uint8_t):
        Penny2005
        HalfPenny2024
    enum class Side(uint8_t):
        Buy
        Sell
    enum class OrderType(uint8_t):
        Limit
        Market
    enum class TimeInForce(uint8_t):
        Day
        Gtc
        Ioc
        Fok
    enum class Action(uint8_t):
        New
        Cancel
        Replace
        Reduce
        Expire
    enum class Feed(uint8_t):
        Direct
        Cqs
        Uqdf
    enum class LockCrossMode(uint8_t):
        Default
        Slide
        PriceAdjust
        CancelBack
    enum class ComplianceCode(uint16_t):
        pass

    cdef enum OrderFlag:
        kFlagHidden
        kFlagRoutable
    cdef enum QuoteFlag:
        kQuoteBidManual
        kQuoteAskManual
        kQuoteClosed

    cdef int kMaxVenues
    TimeInForce default_tif(OrderType t)


cdef extern from "engine/core/price.hpp" namespace "engine" nogil:
    cdef Price kMaxPrice
    cdef Quantity kMaxQuantity

    cbool is_valid_price(Price p, TickRegime r)
    Price next_valid(Price p, TickRegime r)
    Price prev_valid(Price p, TickRegime r)
    Price floor_valid(Price p, TickRegime r)
    Price ceil_valid(Price p, TickRegime r)
    Price tick_at(Price p, TickRegime r)
    int64_t tick_index(Price p, TickRegime r)
    Price price_at_index(int64_t i, TickRegime r)


cdef extern from "engine/core/records.hpp" namespace "engine" nogil:
    struct Command:
        Timestamp ts
        OrderId order_id
        OrderId new_order_id
        Price price
        Quantity quantity
        Quantity display_quantity
        uint32_t participant
        uint8_t action
        uint8_t side
        uint8_t order_type
        uint8_t tif
        uint8_t stp
        uint8_t post_only
        uint8_t lock_cross
        uint8_t reserved
        uint32_t flags

    struct Event:
        uint64_t seq

    struct LevelView:
        Price price
        Quantity quantity
        uint32_t orders

    struct OrderView:
        OrderId order_id
        Timestamp ts
        Price price
        Price display_price
        Price limit_price
        Quantity leaves
        Quantity displayed
        Quantity reserve
        Quantity filled
        Quantity display_quantity
        uint32_t participant
        uint32_t flags
        uint8_t side
        uint8_t tif
        uint8_t stp
        uint8_t post_only
        uint8_t lock_cross
        uint8_t repriced

    struct QuoteUpdate:
        Timestamp ts
        Price bid_price
        Quantity bid_size
        Price ask_price
        Quantity ask_size
        uint8_t venue
        uint8_t feed
        uint8_t condition
        uint8_t flags
        uint32_t reserved

    struct FeedMessage:
        Timestamp ts


cdef extern from "engine/core/event_buffer.hpp" namespace "engine" nogil:
    cdef cppclass EventBuffer:
        size_t size()
        const Event* data()
        void clear()
        Event* release(size_t* count)
        void lend(Event* block, size_t capacity, size_t pending)
        cbool lent()
        size_t give_back()


cdef extern from "engine/core/book.hpp" namespace "engine" nogil:
    cdef cppclass Book:
        Book(TickRegime regime)
        TickRegime tick_regime()
        void reserve(size_t orders) except +
        cbool failed()
        void execute(const Command& c) except +
        void execute_batch(const Command* commands, size_t n) except +
        void submit(const Command& c) except +
        void cancel(Timestamp ts, OrderId id) except +
        void reduce(Timestamp ts, OrderId id, Quantity quantity) except +
        void replace(Timestamp ts, OrderId id, OrderId new_id, Price price, Quantity quantity) except +
        void expire(Timestamp ts, TimeInForce tif) except +
        EventBuffer& events()
        uint64_t last_sequence()
        Timestamp last_timestamp()
        size_t order_count()
        size_t level_count(Side s)
        cbool contains(OrderId id)
        cbool best(Side s, LevelView* out)
        size_t depth(Side s, LevelView* out, size_t n)
        Price best_ranked_price(Side s)
        cbool find_order(OrderId id, OrderView* out)
        size_t snapshot(OrderView* out, size_t capacity)
        size_t memory_bytes()
        const char* check_integrity() except +


# ---------------------------------------------------------------- regnms/
cdef extern from "engine/regnms/protected_quotes.hpp" namespace "engine" nogil:
    cdef Timestamp kNever
    uint8_t condition_flags(Feed feed, uint8_t code)

    struct QuoteSide:
        Price price
        Quantity size
        cbool automated
        Quantity routed

    struct VenueQuote:
        QuoteSide bid
        QuoteSide ask
        cbool closed
        cbool seen
        uint8_t feed
        uint8_t condition
        Timestamp ts

    struct ProtectedBbo:
        Price pbb
        Price pbo
        uint32_t pbb_venues
        uint32_t pbo_venues
        cbool crossed
        cbool locked
        uint32_t version

    cdef cppclass ProtectedQuoteTable:
        Timestamp flicker_window()
        uint32_t version()
        const VenueQuote& venue(int v)
        cbool self_help_active(int venue, Timestamp t)
        uint64_t unknown_conditions()
        uint64_t off_grid_quotes()
        int venue_count()


cdef extern from "engine/regnms/fees.hpp" namespace "engine" nogil:
    enum class FeeCapRegime(uint8_t):
        Cap2005
        Cap2024

    struct FeeSchedule:
        int64_t take_fee_nd
        int64_t take_rate_ppm
        int64_t make_rebate_nd
        int64_t make_rate_ppm

    const char* fee_cap_violation(const FeeSchedule& s, FeeCapRegime r)


cdef extern from "engine/regnms/trade_through.hpp" namespace "engine" nogil:
    struct TradeThroughConfig:
        cbool rule611_enabled
        cbool enforce_outside_rth
        cbool subpenny_exemption
        cbool lock_cross_enabled
        LockCrossMode default_lock_cross

    cdef enum ConfigField "engine::ConfigChange::Field":
        CONFIG_RULE611 "engine::ConfigChange::kRule611"
        CONFIG_ENFORCE_OUTSIDE_RTH "engine::ConfigChange::kEnforceOutsideRth"
        CONFIG_SUBPENNY_EXEMPTION "engine::ConfigChange::kSubpennyExemption"
        CONFIG_LOCK_CROSS_PROTECTION "engine::ConfigChange::kLockCrossProtection"
        CONFIG_DEFAULT_LOCK_CROSS "engine::ConfigChange::kDefaultLockCross"
        CONFIG_FLICKER_WINDOW "engine::ConfigChange::kFlickerWindow"

    struct ConfigChange:
        uint32_t set
        cbool rule611_enabled
        cbool enforce_outside_rth
        cbool subpenny_exemption
        cbool lock_cross_enabled
        uint8_t default_lock_cross
        Timestamp flicker_window

    cdef cppclass TradeThroughDecision:
        cbool allowed
        ComplianceCode code
        uint32_t through
        uint32_t blocked
        uint32_t self_help
        ComplianceCode venue_code[32]


cdef extern from "engine/regnms/venue.hpp" namespace "engine" nogil:
    cdef cppclass Venue:
        Venue(TickRegime regime, vector[string] venues, cbool regular_hours) except +
        void reserve(size_t orders) except +
        Book& book()
        const vector[string]& venue_names()
        cbool failed()
        void execute(const Command& c) except +
        void execute_batch(const Command* commands, size_t n) except +
        void submit(const Command& c) except +
        void cancel(Timestamp ts, OrderId id) except +
        void reduce(Timestamp ts, OrderId id, Quantity quantity) except +
        void replace(Timestamp ts, OrderId id, OrderId new_id, Price price, Quantity quantity) except +
        void expire(Timestamp ts, TimeInForce tif) except +
        void update_quote(const QuoteUpdate& q) except +
        void update_quotes(const QuoteUpdate* quotes, size_t n) except +
        void set_session(Timestamp ts, cbool regular_hours) except +
        void declare_self_help(Timestamp ts, int venue, Timestamp start, Timestamp end) except +
        void revoke_self_help(Timestamp ts, int venue, Timestamp at) except +
        const char* configure(const ConfigChange& change, cbool apply) except +
        const char* set_fee_schedule(const FeeSchedule& s, FeeCapRegime regime) except +
        cbool check_print(Price p, Timestamp t, Side side, uint32_t flags, TradeThroughDecision* out) except +
        cbool protected_bbo(Timestamp t, ProtectedBbo* out) except +
        cbool find_order(OrderId id, OrderView* out)
        size_t snapshot(OrderView* out, size_t capacity)
        const ProtectedQuoteTable& table()
        const TradeThroughConfig& config()
        const FeeSchedule& fees()
        FeeCapRegime fee_regime()
        cbool in_regular_hours()
        size_t memory_bytes()
        const char* check_integrity() except +


cdef extern from "engine/snapshot.hpp" namespace "engine" nogil:
    cdef cppclass LoadedSnapshot:
        unique_ptr[Book] book
        unique_ptr[Venue] venue

    vector[uint8_t] save_snapshot(const Book& b) except +
    vector[uint8_t] save_snapshot(const Venue& v) except +
    LoadedSnapshot load_snapshot(const uint8_t* data, size_t size, string* error) except +


# ------------------------------------------------------------------ feed/
cdef extern from "engine/feed/lobster.hpp" namespace "engine" nogil:
    struct ParseResult:
        size_t consumed
        size_t produced
        uint64_t error_line
        const char* error

    cdef cppclass LobsterMessageParser:
        ParseResult parse(const char* data, size_t length, cbool final, FeedMessage* out, size_t capacity)
        uint64_t lines()

    cdef cppclass IntRowParser:
        IntRowParser(size_t columns)
        ParseResult parse(const char* data, size_t length, cbool final, int64_t* out, size_t max_rows)


cdef extern from "engine/feed/itch.hpp" namespace "engine" nogil:
    struct DecodeResult:
        size_t consumed
        size_t produced
        uint64_t error_offset
        const char* error

    struct ItchStock:
        uint16_t locate
        char symbol[8]
        uint8_t market_category
        uint8_t financial_status
        uint32_t round_lot

    cdef cppclass ItchDecoder:
        DecodeResult decode(const uint8_t* data, size_t length, cbool final, FeedMessage* out, size_t capacity) except +
        uint64_t messages()
        uint64_t skipped()
        const vector[ItchStock]& stocks()


cdef extern from "engine/feed/replay.hpp" namespace "engine" nogil:
    struct ReplayStats:
        uint64_t messages
        uint64_t adds
        uint64_t cancels
        uint64_t deletes
        uint64_t executions
        uint64_t executed_shares
        uint64_t replaces
        uint64_t hidden_executions
        uint64_t hidden_shares
        uint64_t cross_trades
        uint64_t cross_shares
        uint64_t halts
        uint64_t modifies
        uint64_t clears
        uint64_t trades
        uint64_t trade_shares
        uint64_t fills
        uint64_t fill_shares
        uint64_t system_events
        uint64_t directory
        uint64_t filtered
        uint64_t unknown_orders
        uint64_t duplicate_adds
        uint64_t over_executions
        uint64_t zero_ids
        uint64_t bad_sides
        uint64_t bad_prices
        uint64_t bad_sizes
        uint64_t crossed_states
        uint64_t rows_checked
        uint64_t rows_matched
        uint64_t levels_imported
        uint64_t levels_resized
        uint64_t levels_dropped

    enum class FeedAdd(uint8_t):
        Added
        LiveId
        NoId
        BadSide
        BadPrice
        BadSize
        UnknownOld

    cdef cppclass FeedBook:
        FeedBook(Book& b)
        FeedAdd add(Timestamp ts, OrderId id, Side side, Price price, Quantity qty) except +
        Quantity take(OrderId id, Quantity qty, cbool executed) except +
        Quantity remove(OrderId id) except +
        FeedAdd replace(Timestamp ts, OrderId old_id, OrderId new_id, Price price, Quantity qty) except +

    cdef cppclass BookBuilder:
        BookBuilder(TickRegime regime)
        void start_filtering() except +
        void select(uint16_t locate) except +
        Book* book(uint16_t locate)
        size_t book_count()
        const ReplayStats& stats()
        void apply(const FeedMessage* m, size_t n) except +
        void apply_with_states(const FeedMessage* m, size_t n, size_t levels, int64_t* states) except +
        cbool apply_lobster_verified(const FeedMessage* m, const int64_t* rows, size_t n, size_t levels,
                                     int64_t* states, size_t state_levels) except +


cdef extern from "engine/feed/rematch.hpp" namespace "engine" nogil:
    struct RematchStats:
        uint64_t messages
        uint64_t orders
        uint64_t cancels
        uint64_t deletes
        uint64_t replaces
        uint64_t inferred_takers
        uint64_t history_executions
        uint64_t history_shares
        uint64_t gone_in_engine
        uint64_t unknown_orders
        uint64_t skipped
        uint64_t quotes

    cdef OrderId kFirstInferredId

    cdef cppclass Rematcher[T]:
        Rematcher(T& target)
        void apply(const FeedMessage* m, size_t n, const QuoteUpdate* quotes, size_t nq) except +
        const RematchStats& stats()


# ----------------------------------------------------------------- tools/
cdef extern from "engine/tools/itch_writer.hpp" namespace "engine" nogil:
    vector[uint8_t] generate_itch(uint64_t messages, int symbols, uint64_t seed) except +


cdef extern from "engine/tools/latency.hpp" namespace "engine" nogil:
    int64_t clock_overhead_ns(int samples) except +
    void measure_latency[T](T& target, const Command* commands, const QuoteUpdate* quotes, const int64_t* schedule,
                            size_t n, uint32_t* ns, uint8_t* kind) except +
    void measure_open_loop[T](T& target, const Command* commands, const QuoteUpdate* quotes,
                              const int64_t* schedule, size_t n, double period_ns, uint32_t* ns,
                              uint8_t* kind) except +


# ----------------------------------------------------------- introspection
cdef extern from "engine/introspect.hpp" namespace "engine::introspect" nogil:
    struct EnumEntry:
        const char* type
        const char* name
        long long value
    struct FieldEntry:
        const char* record
        const char* field
        size_t offset
        size_t size
        char kind
    struct RecordEntry:
        const char* record
        size_t size
    EnumEntry kEnums[]
    FieldEntry kFields[]
    RecordEntry kRecords[]
    size_t kEnumCount
    size_t kFieldCount
    size_t kRecordCount


cdef extern from "engine/feed/lobster_writer.hpp" namespace "engine" nogil:
    cdef cppclass LobsterWriter:
        LobsterWriter(TickRegime regime, size_t levels) except +
        void write(const FeedMessage* m, size_t n, string& messages, string& orderbook) except +
        uint64_t rows()
        uint64_t skipped()
        Timestamp first_ts()
        Timestamp last_ts()
