// Saving and restoring the whole state of a Book or a Venue, for journal recovery.
//
// A snapshot holds everything that decides what the book does next: every
// resting order with all its fields in priority order, the sequence number and
// clock, and with Reg NMS the protected-quote table (quotes, pending routes,
// the look-back histories, self-help intervals, counters), the configuration,
// fees, session, and the orders ranked away from their limits. Pending events
// are not state (they belong to whoever takes them). Restoring and then
// applying the same inputs gives the same events, sequence numbers included.
//
// Layout: magic (8 bytes), format version (u32), zero (u32), the body, and a
// CRC-32 of everything before it. The body is written and read by the same
// visit() functions, one per state struct, so the two cannot drift apart.
// Loading trusts nothing: every field is checked against its range and every
// cross-field invariant (those of Book::check_integrity and more) before the
// book is handed out, and a bad file is refused with the field it fails on.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "core/book.hpp"
#include "regnms/venue.hpp"

namespace engine {

namespace snapshot_detail {

inline constexpr std::uint64_t kMagic = 0x32504E5352474E45ull;     // "ENGRSNP2"
inline constexpr std::uint64_t kOldMagic = 0x31504E5352474E45ull;  // "ENGRSNP1": format 1, no version field
inline constexpr std::uint32_t kVersion = 2;
inline constexpr std::size_t kHeader = 16;
inline constexpr std::size_t kTrailer = 4;

// CRC-32 (IEEE 802.3, as zlib.crc32), slicing by 8: eight table lookups per
// eight bytes instead of one per byte.
inline std::uint32_t crc32(const std::uint8_t* data, std::size_t n) noexcept {
    static const auto tables = [] {
        std::array<std::array<std::uint32_t, 256>, 8> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[0][i] = c;
        }
        for (std::uint32_t i = 0; i < 256; ++i)
            for (int k = 1; k < 8; ++k) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
        return t;
    }();
    std::uint32_t c = 0xFFFFFFFFu;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint32_t lo, hi;
        std::memcpy(&lo, data + i, 4);
        std::memcpy(&hi, data + i + 4, 4);
        lo ^= c;  // little-endian, as every machine this builds for
        c = tables[7][lo & 0xFF] ^ tables[6][(lo >> 8) & 0xFF] ^ tables[5][(lo >> 16) & 0xFF] ^ tables[4][lo >> 24] ^
            tables[3][hi & 0xFF] ^ tables[2][(hi >> 8) & 0xFF] ^ tables[1][(hi >> 16) & 0xFF] ^ tables[0][hi >> 24];
    }
    for (; i < n; ++i) c = tables[0][(c ^ data[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}
static_assert(std::endian::native == std::endian::little, "the snapshot format is little-endian");

// Writes fields as they are. (visit() takes non-const references so one
// function serves both directions; the writer only reads them.)
class Writer {
public:
    static constexpr bool kLoading = false;
    template <class T>
    void field(const char*, const T& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        if (used + sizeof(T) > out.size()) out.resize(out.size() * 2 + sizeof(T) + 256);
        std::memcpy(out.data() + used, &v, sizeof(T));
        used += sizeof(T);
    }
    void flag(const char* name, const bool& v) { field(name, static_cast<std::uint8_t>(v ? 1 : 0)); }
    void count(const char* name, std::uint64_t& n, std::uint64_t) { field(name, n); }
    void check(bool, const char*) {}
    bool ok() const noexcept { return true; }
    // The bytes written so far, with the spare room grown ahead of them cut off.
    std::vector<std::uint8_t> take() {
        out.resize(used);
        return std::move(out);
    }
    std::vector<std::uint8_t> out;
    std::size_t used = 0;
};

// Reads fields, refusing at the first one missing or out of range; the error
// names the field (with the path of the struct it is in).
class Reader {
public:
    static constexpr bool kLoading = true;
    Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

    template <class T>
    void field(const char* name, T& v) {
        static_assert(std::is_trivially_copyable_v<T> && !std::is_same_v<T, bool>);
        if (!error.empty()) return;
        if (pos_ + sizeof(T) > size_) {
            fail(name, "the data ends here (truncated)");
            return;
        }
        std::memcpy(&v, data_ + pos_, sizeof(T));
        pos_ += sizeof(T);
    }
    // A bool is read as a byte that must be 0 or 1 (any other value in a bool is undefined).
    void flag(const char* name, bool& v) {
        std::uint8_t b = 0;
        field(name, b);
        if (b > 1) fail(name, "a flag that is neither 0 nor 1");
        v = b == 1;
    }
    // A count of records that follow, each at least `min_bytes` long.
    void count(const char* name, std::uint64_t& n, std::uint64_t min_bytes) {
        field(name, n);
        if (error.empty() && n > (size_ - pos_) / (min_bytes ? min_bytes : 1)) fail(name, "more records than bytes left");
    }
    // `what` is "field: problem" (then the error reads "path.field: problem")
    // or a sentence about the struct at hand ("path: sentence").
    void check(bool good, const char* what) {
        if (good || !error.empty()) return;
        const std::string w = what;
        const auto colon = w.find(": ");
        const bool names_field = colon != std::string::npos && w.find(' ') > colon;
        std::string p = path_prefix();
        if (!names_field && !p.empty()) p.back() = ':', p += ' ';
        error = p + w;
    }
    bool ok() const noexcept { return error.empty(); }
    bool done() const noexcept { return pos_ == size_; }

    void enter(std::string where) { path_.push_back(std::move(where)); }
    void leave() { path_.pop_back(); }

    std::string error;

private:
    std::string path_prefix() const {
        std::string p;
        for (const auto& s : path_) p += s + ".";
        return p;
    }
    void fail(const char* name, const char* why) {
        if (error.empty()) error = path_prefix() + name + ": " + why;
    }

    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
    std::vector<std::string> path_;
};

// Scope of a nested struct in error messages ("orders[3].peak: ..."); only a
// reader keeps the path (a writer never reports).
template <class A>
struct Scope {
    static constexpr std::uint64_t kNoIndex = ~std::uint64_t{0};
    Scope(A& a, const char* name, std::uint64_t index = kNoIndex) : a_(a) {
        if constexpr (A::kLoading)
            a_.enter(index == kNoIndex ? std::string(name) : std::string(name) + "[" + std::to_string(index) + "]");
    }
    ~Scope() {
        if constexpr (A::kLoading) a_.leave();
    }
    A& a_;
};

}  // namespace snapshot_detail

// What a snapshot held: a Book or a Venue (exactly one is set on success).
struct LoadedSnapshot {
    std::unique_ptr<Book> book;
    std::unique_ptr<Venue> venue;
    explicit operator bool() const noexcept { return book || venue; }
};

struct SnapshotAccess {
    // ------------------------------------------------------------ visitors
    // Each lists a struct's fields once, in file order, with the checks a
    // loaded value must pass (the writer skips the checks).

    template <class A>
    static void visit(A& a, Order& o) {
        a.field("id", o.id);
        a.field("price", o.price);
        a.field("ts", o.ts);
        a.field("filled", o.filled);
        a.field("shown", o.shown);
        a.field("reserve", o.reserve);
        a.field("peak", o.peak);
        a.field("participant", o.participant);
        std::uint8_t side = static_cast<std::uint8_t>(o.side), tif = static_cast<std::uint8_t>(o.tif);
        a.field("side", side);
        a.field("tif", tif);
        a.field("flags", o.flags);
        a.check(side == 1 || side == 2, "side: not BUY or SELL");
        a.check(tif == 1 || tif == 2, "tif: a resting order is DAY or GTC");
        o.side = static_cast<Side>(side);
        o.tif = static_cast<TimeInForce>(tif);
    }

    template <class A>
    static void visit(A& a, QuoteSide& s) {
        a.field("price", s.price);
        a.field("size", s.size);
        a.flag("automated", s.automated);
        a.field("routed", s.routed);
        a.field("routed_in", s.routed_in);
        a.check(s.price >= 0 && s.price <= kMaxPrice, "price: outside 0..the largest price");
        a.check(s.size >= 0, "size: negative");
        a.check((s.price == 0) == (s.size == 0), "size: a quote side with a price and no size, or the reverse");
        a.check(s.routed >= 0 && s.routed <= s.size, "routed: more shares routed than the quote shows");
    }

    template <class A>
    static void visit(A& a, VenueQuote& v) {
        {
            snapshot_detail::Scope<A> in(a, "bid");
            visit(a, v.bid);
        }
        {
            snapshot_detail::Scope<A> in(a, "ask");
            visit(a, v.ask);
        }
        a.flag("closed", v.closed);
        a.flag("seen", v.seen);
        a.field("feed", v.feed);
        a.field("condition", v.condition);
        a.field("ts", v.ts);
        a.check(v.feed <= 2, "feed: not DIRECT, CQS or UQDF");
        a.check(!v.closed || (v.bid.size == 0 && v.ask.size == 0), "closed: a closed venue with a quote");
    }

    template <class A>
    static void visit(A& a, QuoteHistory& h, bool ask_side) {
        std::uint64_t n = h.size_;
        a.count("entries", n, sizeof(QuoteHistory::Entry));
        if constexpr (A::kLoading) {
            h.ring_.clear();
            h.head_ = h.size_ = 0;
        }
        Price prev_price = 0;
        Timestamp prev_end = std::numeric_limits<Timestamp>::min();
        for (std::uint64_t k = 0; k < n && a.ok(); ++k) {
            QuoteHistory::Entry e{};
            if constexpr (!A::kLoading) e = h.ring_[(h.head_ + k) & (h.ring_.size() - 1)];
            a.field("price", e.price);
            a.field("end", e.end);
            // the deque keeps the least aggressive price at the front (REQ-PQ-07)
            a.check(e.price > 0 && e.price <= kMaxPrice, "price: outside the price range");
            a.check(k == 0 || (ask_side ? e.price < prev_price : e.price > prev_price),
                    "price: the look-back history is out of order");
            a.check(k == 0 || e.end >= prev_end, "end: the look-back history is out of order");
            a.check(e.end != kNever || k + 1 == n, "end: a state still displayed before a later one");
            prev_price = e.price;
            prev_end = e.end;
            if constexpr (A::kLoading) {
                if (a.ok()) h.push_back(e);
            }
        }
    }

    template <class A>
    static void visit(A& a, ProtectedQuoteTable& t, int venue_count, Timestamp clock) {
        for (int v = 0; v < kMaxVenues && a.ok(); ++v) {
            snapshot_detail::Scope<A> in(a, "venues", v);
            visit(a, t.venues_[v]);
            a.check(v < venue_count || (!t.venues_[v].seen && t.venues_[v].closed),
                    "seen: a quote from a venue the book does not have");
        }
        a.field("flicker_window", t.window_);
        a.field("version", t.version_);
        a.field("unknown_conditions", t.unknown_conditions_);
        a.field("off_grid_quotes", t.off_grid_quotes_);
        a.check(t.window_ > 0 && t.window_ <= kOneSecond, "flicker_window: outside 1 ns..1 s (D5)");
        for (int v = 0; v < kMaxVenues && a.ok(); ++v) {
            snapshot_detail::Scope<A> in(a, "self_help", v);
            auto& list = t.self_help_[v];
            std::uint64_t n = list.size();
            a.count("intervals", n, sizeof(ProtectedQuoteTable::Interval));
            if constexpr (A::kLoading) list.assign(a.ok() ? n : 0, ProtectedQuoteTable::Interval{});
            for (std::uint64_t k = 0; k < n && a.ok(); ++k) {
                a.field("start", list[k].start);
                a.field("end", list[k].end);
                a.check(list[k].start <= list[k].end, "end: a self-help interval that ends before it starts");  // revoked at its start: empty
                for (std::uint64_t j = 0; j < k; ++j)
                    a.check(!(list[j].start < list[k].end && list[k].start < list[j].end),
                            "start: overlapping self-help intervals");
            }
            a.check(n == 0 || v < venue_count, "intervals: self-help against a venue the book does not have");
            for (int side = 0; side < 2 && a.ok(); ++side) {
                snapshot_detail::Scope<A> h(a, side ? "ask_history" : "bid_history");
                visit(a, t.history_[v][side], side == 1);
            }
        }
        if constexpr (A::kLoading) {
            // The self-help mask is a cache of the intervals (not saved): rebuilt
            // at the book's clock, then the protected BBO and band from the quotes.
            if (a.ok()) t.recompute_self_help(clock);
            t.recompute();
        }
    }

    // The Venue's own state; its book's orders were visited before it.
    template <class A>
    static void visit(A& a, Venue& n) {
        Book& b = n.book_;
        std::uint8_t count = static_cast<std::uint8_t>(n.names_.size());
        a.field("venue_count", count);
        a.check(count <= kMaxVenues, "venue_count: more than 32 venues");
        if constexpr (A::kLoading) {
            n.names_.assign(a.ok() ? count : 0, std::string());
            n.table_.set_venue_count(count);
        }
        for (std::size_t v = 0; v < n.names_.size() && a.ok(); ++v) {
            snapshot_detail::Scope<A> in(a, "venues", v);
            std::string& name = n.names_[v];
            std::uint8_t len = static_cast<std::uint8_t>(std::min<std::size_t>(name.size(), 255));
            a.field("length", len);
            a.check(len > 0, "length: an empty venue name");
            if constexpr (A::kLoading) name.assign(len, ' ');
            for (std::size_t k = 0; k < len && a.ok(); ++k) a.field("name", name[k]);
            for (std::size_t u = 0; u < v; ++u) a.check(n.names_[u] != name, "name: the same venue name twice");
        }
        {
            snapshot_detail::Scope<A> in(a, "config");
            a.flag("rule611_enabled", n.config_.rule611_enabled);
            a.flag("enforce_outside_rth", n.config_.enforce_outside_rth);
            a.flag("subpenny_exemption", n.config_.subpenny_exemption);
            a.flag("lock_cross_enabled", n.config_.lock_cross_enabled);
            auto mode = static_cast<std::uint8_t>(n.config_.default_lock_cross);
            a.field("default_lock_cross", mode);
            a.check(mode >= 1 && mode <= 3, "default_lock_cross: not SLIDE, PRICE_ADJUST or CANCEL_BACK");
            n.config_.default_lock_cross = static_cast<LockCrossMode>(mode);
        }
        {
            snapshot_detail::Scope<A> in(a, "fees");
            a.field("take_fee_nd", n.fees_.take_fee_nd);
            a.field("take_rate_ppm", n.fees_.take_rate_ppm);
            a.field("make_rebate_nd", n.fees_.make_rebate_nd);
            a.field("make_rate_ppm", n.fees_.make_rate_ppm);
            auto regime = static_cast<std::uint8_t>(n.fee_regime_);
            a.field("regime", regime);
            a.check(is_known_fee_regime(regime), "regime: not a fee-cap regime");
            n.fee_regime_ = static_cast<FeeCapRegime>(regime & 1);
            if (a.ok()) {
                const char* bad = fee_cap_violation(n.fees_, n.fee_regime_);
                a.check(bad == nullptr, "a fee outside the Rule 610(c) cap");
            }
            const FeeSchedule& f = n.fees_;
            n.fees_loaded_ = f.take_fee_nd || f.take_rate_ppm || f.make_rebate_nd || f.make_rate_ppm;
        }
        a.flag("in_rth", n.in_rth_);
        a.field("command", n.command_);
        a.field("next_route_id", n.next_route_id_);
        a.field("applied_bid_bound", n.applied_bound_[0]);
        a.field("applied_ask_bound", n.applied_bound_[1]);
        a.check(n.next_route_id_ >= 1, "next_route_id: 0 is not a route id");
        a.check(n.applied_bound_[0] >= 0 && n.applied_bound_[0] <= kMaxPrice && n.applied_bound_[1] >= 0 &&
                    n.applied_bound_[1] <= kMaxPrice,
                "applied_bound: outside the price range");
        for (Side side : {Side::Buy, Side::Sell}) {
            if (!a.ok()) break;
            snapshot_detail::Scope<A> in(a, side == Side::Buy ? "repriced_bids" : "repriced_offers");
            // live entries only, in arrival order: (id, kind, limit)
            std::vector<TrackedOrders::Info> list;
            if constexpr (!A::kLoading)
                n.tracked_.for_each_live(b, side, [&](const TrackedOrders::Entry&, const TrackedOrders::Info& i) {
                    list.push_back(i);
                });
            std::uint64_t k = list.size();
            a.count("count", k, 17);
            if constexpr (A::kLoading) list.assign(a.ok() ? k : 0, TrackedOrders::Info{});
            for (std::uint64_t j = 0; j < k && a.ok(); ++j) {
                TrackedOrders::Info& r = list[j];
                auto kind = static_cast<std::uint8_t>(r.kind);
                a.field("id", r.id);
                a.field("kind", kind);
                a.field("limit", r.limit);
                a.check(is_known_reprice_kind(kind), "kind: not a re-pricing kind");
                r.kind = static_cast<RepriceKind>(kind & 7);
                if constexpr (A::kLoading) {
                    const std::uint32_t slot = b.find_slot(r.id);
                    a.check(slot != OrderIndex::kNotFound, "id: a re-priced order that is not resting");
                    a.check(slot == OrderIndex::kNotFound || b.order(slot).side == side,
                            "id: a re-priced order on the other side");
                    a.check(slot == OrderIndex::kNotFound || b.order(slot).tracked(),
                            "id: an order listed as re-priced that is not");
                    a.check(is_valid_price(r.limit, b.tick_regime()), "limit: not a price on the grid");
                    if (a.ok()) {
                        a.check(n.tracked_.find(b, slot) == nullptr, "id: listed twice");
                        if (a.ok()) n.tracked_.track(b, slot, r.kind, r.limit);
                    }
                }
            }
        }
        {
            snapshot_detail::Scope<A> in(a, "table");
            if constexpr (A::kLoading) n.table_.set_regime(b.regime_);
            visit(a, n.table_, count, b.last_ts_);
        }
    }

    // The book's clock, sequence and resting orders (in priority order:
    // restoring them in this order rebuilds the queues).
    static void save_book(snapshot_detail::Writer& w, Book& b) {
        w.field("regime", b.regime_);
        w.field("seq", b.seq_);
        w.field("last_ts", b.last_ts_);
        std::vector<std::uint32_t> slots;
        b.for_each_resting([&](std::uint32_t s) {
            slots.push_back(s);
            return true;
        });
        std::uint64_t count = slots.size();
        w.field("orders", count);
        for (std::uint32_t s : slots) visit(w, b.pool_[s]);
    }

    static std::vector<std::uint8_t> save_with(Book& b, Venue* venue) {
        snapshot_detail::Writer w;
        w.out.resize(64 + b.index_.size() * 52 + (venue ? 8192 : 0));
        w.field("magic", snapshot_detail::kMagic);
        w.field("version", snapshot_detail::kVersion);
        w.field("reserved", std::uint32_t{0});
        save_book(w, b);
        const bool nms = venue != nullptr;
        w.flag("reg_nms", nms);
        if (venue) visit(w, *venue);
        const std::uint32_t crc = snapshot_detail::crc32(w.out.data(), w.used);
        w.field("crc", crc);
        return w.take();
    }

    // ---------------------------------------------------------------- save
    static std::vector<std::uint8_t> save(const Book& b) { return save_with(const_cast<Book&>(b), nullptr); }
    static std::vector<std::uint8_t> save(const Venue& v) {
        Venue& mv = const_cast<Venue&>(v);  // the writer only reads
        return save_with(mv.book_, &mv);
    }

    // ---------------------------------------------------------------- load
    // What a snapshot held: a Book, or a Venue (with its book); neither (and
    // *error set, naming the field) when the bytes are not a whole, sound snapshot.
    static LoadedSnapshot load(const std::uint8_t* data, std::size_t size, std::string* error) {
        using namespace snapshot_detail;
        LoadedSnapshot out;
        auto fail = [&](std::string why) {
            *error = std::move(why);
            return LoadedSnapshot{};
        };
        std::uint64_t magic = 0;
        if (size >= 8) std::memcpy(&magic, data, 8);
        if (magic == kOldMagic)
            return fail("a snapshot in format 1, from an older engine: recover from the journal instead");
        if (size < kHeader + kTrailer || magic != kMagic) return fail("not an engine snapshot");
        std::uint32_t version = 0, reserved = 0, crc = 0;
        std::memcpy(&version, data + 8, 4);
        std::memcpy(&reserved, data + 12, 4);
        if (version != kVersion)
            return fail("snapshot format " + std::to_string(version) + ", but this engine reads format " +
                        std::to_string(kVersion));
        std::memcpy(&crc, data + size - kTrailer, 4);
        if (crc != crc32(data, size - kTrailer)) return fail("the checksum does not match (damaged or cut short)");
        if (reserved != 0) return fail("reserved: not 0");

        Reader r(data + kHeader, size - kHeader - kTrailer);
        TickRegime regime{};
        r.field("regime", regime);
        if (!r.ok()) return fail(r.error);
        if (!is_known_regime(static_cast<std::uint8_t>(regime))) return fail("regime: not a tick regime");
        auto b = std::make_unique<Book>(regime);
        r.field("seq", b->seq_);
        r.field("last_ts", b->last_ts_);
        std::uint64_t count = 0;
        r.count("orders", count, 48);
        if (!r.ok()) return fail(r.error);
        b->pool_.reserve(static_cast<std::size_t>(count));
        b->index_.reserve(static_cast<std::size_t>(count));
        for (std::uint64_t i = 0; i < count; ++i) {
            Order o{};
            {
                Scope<Reader> in(r, "orders", i);
                visit(r, o);
                if (r.ok()) {
                    const char* why = b->check_order(o, /*managed=*/true);  // checked against the layer at the end
                    r.check(why == nullptr, why ? why : "");
                    r.check(!b->index_.contains(o.id), "id: the same id twice");
                    r.check(o.ts <= b->last_ts_, "ts: later than the book's clock");
                }
            }
            if (!r.ok()) return fail(r.error);
            const std::uint32_t slot = b->pool_.allocate();
            b->pool_[slot] = o;
            PriceLadder& l = b->ladder(o.side);
            l.push_back(b->pool_, slot, l.find_or_add(o.price));
            b->index_.insert(o.id, slot);
        }
        bool nms = false;
        r.flag("reg_nms", nms);
        if (!r.ok()) return fail(r.error);
        if (!nms) {
            if (!r.done()) return fail("bytes after the end of the snapshot");
            if (const char* why = b->check_integrity()) return fail(std::string("the state is not sound: ") + why);
            out.book = std::move(b);
            return out;
        }
        auto venue = std::make_unique<Venue>(std::move(*b), std::vector<std::string>{}, true);
        visit(r, *venue);
        if (!r.ok()) return fail(r.error);
        if (!r.done()) return fail("bytes after the end of the snapshot");
        if (const char* why = venue->check_integrity()) return fail(std::string("the state is not sound: ") + why);
        out.venue = std::move(venue);
        return out;
    }
};

inline std::vector<std::uint8_t> save_snapshot(const Book& b) { return SnapshotAccess::save(b); }
inline std::vector<std::uint8_t> save_snapshot(const Venue& v) { return SnapshotAccess::save(v); }
inline LoadedSnapshot load_snapshot(const std::uint8_t* data, std::size_t size, std::string* error) {
    return SnapshotAccess::load(data, size, error);
}

}  // namespace engine
