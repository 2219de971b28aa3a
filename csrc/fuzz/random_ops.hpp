// Turns a string of bytes into a sequence of operations on a book with the
// Reg NMS layer attached (orders of every type and instruction, cancels,
// reduces, replaces, expiries, quote updates for any of the 32 venue ids,
// self-help intervals whose boundaries pass later, session changes, queries at
// any time, configuration and fee changes, snapshot round trips), checking
// after every one what run_bytes lists. Used by the sanitizer driver
// (sanitize_main.cpp) and usable as a libFuzzer target (fuzz_target.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/engine.hpp"

namespace engine::fuzz {

class ByteReader {
public:
    ByteReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    bool empty() const noexcept { return pos_ >= size_; }
    std::uint8_t u8() noexcept { return pos_ < size_ ? data_[pos_++] : 0; }
    std::uint16_t u16() noexcept { return static_cast<std::uint16_t>(u8() | (u8() << 8)); }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

// Prices near $1.00 and near $10.05, a few off the grid, and some extremes.
inline Price pick_price(std::uint8_t b) noexcept {
    static constexpr Price kPrices[] = {9990, 9995, 9998, 9999, 10000, 10001, 10050, 10100, 10200, 10300,
                                        100200, 100300, 100400, 100450, 100500, 100550, 100600, 100700,
                                        100800, 0, -100, kMaxPrice, kMaxPrice + 100, 1};
    return kPrices[b % (sizeof(kPrices) / sizeof(kPrices[0]))];
}

inline Quantity pick_quantity(std::uint8_t b) noexcept {
    static constexpr Quantity kSizes[] = {1, 50, 100, 100, 150, 200, 300, 400, 0, -5, kMaxQuantity + 1};
    return kSizes[b % (sizeof(kSizes) / sizeof(kSizes[0]))];
}

[[noreturn]] inline void fail(const char* why, std::size_t step) {
    std::fprintf(stderr, "integrity broken after operation %zu: %s\n", step, why);
    std::abort();
}

// Shares still open per order, from the events alone; checked against the
// book after every operation: nothing lost, nothing invented.
class Ledger {
public:
    // Apply one operation's events; `flags` are the incoming order's (for the
    // trade-through re-check of its fills). Returns a broken invariant or nullptr.
    const char* apply(Venue& venue, std::uint32_t flags) {
        const EventBuffer& ev = venue.book().events();
        for (std::size_t i = 0; i < ev.size(); ++i) {
            const Event& e = ev[i];
            switch (static_cast<EventType>(e.type)) {
                case EventType::Accepted: open_[e.order_id] = e.quantity; break;
                case EventType::Fill: {
                    if ((open_[e.order_id] -= e.quantity) != e.leaves) return "a fill's taker leaves disagree";
                    if ((open_[e.contra_id] -= e.quantity) != e.contra_leaves) return "a fill's maker leaves disagree";
                    if (e.price <= 0) return "a fill at a non-positive price";
                    const auto code = static_cast<ComplianceCode>(e.compliance_code);
                    if (code == ComplianceCode::NoTradeThrough && trades_through_raw(venue, e.price, e.ts))
                        return "a fill coded NoTradeThrough trades through a quote (raw table check)";
                    TradeThroughDecision d;
                    if (code != ComplianceCode::None && code != ComplianceCode::CheckDisabled &&
                        code != ComplianceCode::OutsideRth &&
                        venue.check_print(e.price, e.ts, static_cast<Side>(e.side), flags, &d) && !d.allowed)
                        return "a committed fill trades through the protected quotes";
                    break;
                }
                case EventType::Cancelled: case EventType::Expired: case EventType::Reduced:
                    if ((open_[e.order_id] -= e.quantity) != e.leaves) return "a cancel's leaves disagree";
                    break;
                case EventType::Route:
                    if ((open_[e.order_id] -= e.quantity) != e.leaves) return "a route's leaves disagree";
                    break;
                case EventType::Replaced:
                    open_.erase(e.order_id);
                    open_[e.contra_id] = e.quantity;
                    break;
                default: break;
            }
        }
        for (auto it = open_.begin(); it != open_.end();) {
            if (it->second < 0) return "more shares left an order than it had";
            it = it->second == 0 ? open_.erase(it) : std::next(it);
        }
        if (open_.size() != venue.book().order_count()) return "the book holds orders the events do not account for";
        for (const auto& [id, shares] : open_) {
            OrderView v{};
            if (!venue.find_order(id, &v)) return "an order the events left open is not in the book";
            if (v.leaves != shares) return "an order's shares disagree with its events";
        }
        return nullptr;
    }

private:
    // Independent of the table's cached band and of decide_trade_through: does
    // a print at p trade through any open, automated, non-empty quote (self-help
    // venues included, since those are audited as (b)(1), never NoTradeThrough)?
    static bool trades_through_raw(const Venue& venue, Price p, Timestamp t) {
        const ProtectedQuoteTable& table = venue.table();
        (void)t;
        for (int v = 0; v < kMaxVenues; ++v) {
            const VenueQuote& q = table.venue(v);
            if (q.closed) continue;
            if (q.bid.automated && q.bid.price > 0 && q.bid.size > 0 && q.bid.price > p) return true;
            if (q.ask.automated && q.ask.price > 0 && q.ask.size > 0 && q.ask.price < p) return true;
        }
        return false;
    }

    std::unordered_map<OrderId, Quantity> open_;
};

// One operation decoded from the bytes, so that it can be applied to a book and
// to its twin restored from a snapshot alike.
struct Op {
    enum class Kind : std::uint8_t { Command, Quote, SelfHelp, Revoke, Session, Query, Configure, Fees, Snapshot };
    Kind kind = Kind::Command;
    Command command{};
    QuoteUpdate quote{};
    Timestamp ts = 0, start = 0, end = 0;
    int venue = 0;
    bool flag = false;
    Price price = 0;
    std::uint32_t flags = 0;
    ConfigChange config{};
    FeeSchedule fees{};
    FeeCapRegime fee_regime = FeeCapRegime::Cap2005;
};

inline Op decode_op(ByteReader& in, Timestamp& clock, int venues) {
    Op o;
    const std::uint8_t op = in.u8();
    clock += (in.u8() & 3) * 250'000'000;  // time moves in quarter seconds: the look-back matters
    const Timestamp ts = (op & 0x80) && (in.u8() & 7) == 0 ? clock - 1 : clock;  // sometimes backwards
    o.ts = ts;
    Command& c = o.command;
    c.ts = ts;
    c.order_id = 1 + in.u8() % 48;
    // venues drawn over the whole 0..31 range and a little past the book's own
    auto pick_venue = [&] { return static_cast<int>(in.u8() % (venues + 2 < kMaxVenues ? venues + 2 : kMaxVenues)); };
    switch (op % 13) {
        case 0: case 1: case 2: case 3: {  // a new order
            c.action = static_cast<std::uint8_t>(Action::New);
            c.side = static_cast<std::uint8_t>(1 + in.u8() % 2);
            const std::uint8_t kind = in.u8();
            c.order_type = (kind & 7) == 0 ? 2 : 1;
            c.price = c.order_type == 2 ? 0 : pick_price(in.u8());
            c.quantity = pick_quantity(in.u8());
            c.tif = static_cast<std::uint8_t>(1 + (kind >> 3) % 4);
            if (c.order_type == 2 && c.tif < 3) c.tif = 3;
            const std::uint8_t extra = in.u8();
            c.flags = extra & 0x7F;
            if (c.order_type == 2) c.flags &= ~static_cast<std::uint32_t>(kFlagIso | kFlagHidden);
            c.post_only = (extra >> 7) && c.tif <= 2 && c.order_type == 1 ? static_cast<std::uint8_t>(1 + (kind >> 7))
                                                                            : 0;
            c.lock_cross = in.u8() % 4;
            c.participant = in.u8() % 3;
            c.stp = in.u8() % 5;
            if ((in.u8() & 7) == 0 && !(c.flags & kFlagHidden) && c.order_type == 1) c.display_quantity = 50;
            if (c.display_quantity > c.quantity) c.display_quantity = 0;
            return o;
        }
        case 4:
            c.action = static_cast<std::uint8_t>(Action::Cancel);
            return o;
        case 5:
            c.action = static_cast<std::uint8_t>(Action::Reduce);
            c.quantity = pick_quantity(in.u8());
            return o;
        case 6:
            c.action = static_cast<std::uint8_t>(Action::Replace);
            c.price = pick_price(in.u8());
            c.quantity = pick_quantity(in.u8());
            c.new_order_id = in.u8() & 1 ? 0 : 1 + in.u8() % 48;
            return o;
        case 7: case 8: {  // a quote update
            o.kind = Op::Kind::Quote;
            QuoteUpdate& q = o.quote;
            q.ts = ts;
            q.venue = static_cast<std::uint8_t>(pick_venue());
            q.bid_price = in.u8() & 1 ? pick_price(in.u8()) : 0;
            q.ask_price = in.u8() & 1 ? pick_price(in.u8()) : 0;
            q.bid_size = pick_quantity(in.u8());
            q.ask_size = pick_quantity(in.u8());
            q.feed = in.u8() % 3;
            q.condition = static_cast<std::uint8_t>("RABHFUELZ?"[in.u8() % 10]);
            q.flags = in.u8() & 7;
            return o;
        }
        case 9: {  // self-help, often over an interval whose boundaries come later
            const std::uint8_t what = in.u8();
            o.kind = what & 1 ? Op::Kind::Revoke : Op::Kind::SelfHelp;
            o.venue = pick_venue();
            o.start = ts + static_cast<Timestamp>((what >> 1) % 4) * 250'000'000;
            o.end = (what >> 3) % 3 == 0 ? kNever : o.start + static_cast<Timestamp>(1 + (what >> 5)) * 250'000'000;
            return o;
        }
        case 10: {  // a query at an arbitrary time: earlier than the clock, now, or much later
            o.kind = Op::Kind::Query;
            const std::uint8_t when = in.u8();
            o.ts = when % 4 == 0 ? ts - 1'000 : ts + static_cast<Timestamp>(when % 4 - 1) * 700'000'000;
            o.price = pick_price(in.u8());
            o.flags = in.u8() & 0x7F;
            o.flag = in.u8() & 1;  // the side: buy or sell
            return o;
        }
        case 11: {  // controls: sessions, expiry, configuration, fees, a snapshot round trip
            const std::uint8_t what = in.u8() % 6;
            if (what == 0) {
                o.kind = Op::Kind::Session;
                o.flag = in.u8() & 1;
            } else if (what == 1) {
                c.action = static_cast<std::uint8_t>(Action::Expire);
                c.tif = static_cast<std::uint8_t>(1 + in.u8() % 4);
            } else if (what == 2) {
                o.kind = Op::Kind::Configure;
                ConfigChange& g = o.config;
                const std::uint8_t bits = in.u8();
                g.set = bits & 0x3F;
                g.rule611_enabled = (bits & 0x40) == 0;
                g.enforce_outside_rth = (bits & 0x80) == 0;
                const std::uint8_t more = in.u8();
                g.subpenny_exemption = more & 1;
                g.lock_cross_enabled = (more & 6) != 0;
                g.default_lock_cross = static_cast<std::uint8_t>((more >> 3) % 5);  // 0 and 4 are refused
                g.flicker_window = (more >> 6) == 0 ? 0 : static_cast<Timestamp>(more >> 6) * 400'000'000;
            } else if (what == 3) {
                o.kind = Op::Kind::Fees;
                const std::uint8_t f = in.u8();
                o.fees.take_fee_nd = (static_cast<std::int64_t>(f % 9) - 4) * 1'000'000;  // +-4 mills: some too big
                o.fees.make_rebate_nd = (static_cast<std::int64_t>(f / 9 % 9) - 4) * 800'000;
                o.fees.take_rate_ppm = static_cast<std::int64_t>(in.u8()) * 20 - 2'000;
                o.fee_regime = static_cast<FeeCapRegime>(in.u8() & 1);
            } else {
                o.kind = Op::Kind::Snapshot;
            }
            return o;
        }
        default:
            c.action = static_cast<std::uint8_t>(Action::Cancel);
            return o;
    }
}

// Apply one operation to a book; returns the incoming order's flags (for the
// ledger's trade-through re-check of its fills).
inline std::uint32_t apply_op(Venue& book, const Op& o) {
    switch (o.kind) {
        case Op::Kind::Command: book.execute(o.command); return o.command.flags;
        case Op::Kind::Quote: book.update_quote(o.quote); return 0;
        case Op::Kind::SelfHelp: book.declare_self_help(o.ts, o.venue, o.start, o.end); return 0;
        case Op::Kind::Revoke: book.revoke_self_help(o.ts, o.venue, o.start); return 0;
        case Op::Kind::Session: book.set_session(o.ts, o.flag); return 0;
        case Op::Kind::Query: {
            TradeThroughDecision d;
            ProtectedBbo bbo;
            book.check_print(o.price, o.ts, o.flag ? Side::Sell : Side::Buy, o.flags, &d);
            book.protected_bbo(o.ts, &bbo);
            return 0;
        }
        case Op::Kind::Configure: book.configure(o.config); return 0;
        case Op::Kind::Fees: book.set_fee_schedule(o.fees, o.fee_regime); return 0;
        case Op::Kind::Snapshot: return 0;
    }
    return 0;
}

// The whole state, with the sequence number blanked (a REJECTED event takes one)
// and the checksum cut off: what a refusal or a query must leave as it was.
inline std::vector<std::uint8_t> state_of(const Venue& book) {
    std::vector<std::uint8_t> s = save_snapshot(book);
    if (s.size() < 29) std::abort();  // cannot be: a snapshot has a header, a regime, a seq and a checksum
    std::memset(s.data() + 17, 0, 8);  // header 16, regime 1, then seq
    s.erase(s.end() - 4, s.end());  // the checksum
    return s;
}

inline bool only_a_rejection(const EventBuffer& ev) {
    return ev.size() == 1 && ev[0].type == static_cast<std::uint8_t>(EventType::Rejected);
}

// Runs the operations the bytes describe; returns how many were run. After
// each: the book's integrity, every order's shares accounted for from the
// events alone, no committed fill trading through; a refusal or a query left
// the whole state as it was; a configuration change that was refused changed
// nothing; and a twin restored from a snapshot mid-sequence produces exactly
// the same events from then on.
// FNV-1a over bytes: the digest of a program's events (sanitize_main --digest).
inline void fnv1a(std::uint64_t& h, const void* p, std::size_t n) noexcept {
    const auto* b = static_cast<const std::uint8_t*>(p);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001B3ull;
}

inline std::size_t run_bytes(const std::uint8_t* data, std::size_t size, std::uint64_t* digest = nullptr) {
    ByteReader in(data, size);
    const std::uint8_t head = in.u8();
    const int venues = 1 + (head >> 1) % kMaxVenues;  // 1..32 venues, so venue 31 and unknown venues both occur
    // Saving the whole state around an operation costs far more than the
    // operation: one program in four (by its first byte) does it around every
    // operation, the others around queries, controls and one command in sixteen.
    const bool deep = (head & 0xC0) == 0xC0;
    std::vector<std::string> names;
    for (int v = 0; v < venues; ++v) names.push_back("V" + std::to_string(v));
    Venue book(head & 1 ? TickRegime::HalfPenny2024 : TickRegime::Penny2005, names);
    std::unique_ptr<Venue> twin;
    Timestamp clock = 1'000;
    std::size_t step = 0;
    Ledger ledger;
    while (!in.empty()) {
        const Op op = decode_op(in, clock, venues);
        const bool watch = deep || (op.kind != Op::Kind::Command && op.kind != Op::Kind::Quote) || step % 16 == 0;
        const std::vector<std::uint8_t> before = watch ? state_of(book) : std::vector<std::uint8_t>{};
        const std::uint32_t flags = apply_op(book, op);
        ++step;
        if (op.kind == Op::Kind::Snapshot) {
            const std::vector<std::uint8_t> bytes = save_snapshot(book);
            std::string error;
            twin = load_snapshot(bytes.data(), bytes.size(), &error).venue;
            if (!twin) fail(error.c_str(), step);
            if (save_snapshot(*twin) != bytes) fail("a restored snapshot does not save the same bytes", step);
        } else if (twin) {
            apply_op(*twin, op);
            const EventBuffer& a = book.book().events();
            const EventBuffer& b = twin->book().events();
            if (a.size() != b.size() || (a.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(Event)) != 0))
                fail("a book restored from a snapshot produced other events", step);
            twin->book().events().clear();
        }
        const bool query = op.kind == Op::Kind::Query || op.kind == Op::Kind::Snapshot;
        if (query && book.book().events().size() != 0) fail("a query emitted events", step);
        const bool refused = only_a_rejection(book.book().events()) ||
                             (op.kind == Op::Kind::Configure && config_violation(op.config)) ||
                             (op.kind == Op::Kind::Fees && fee_cap_violation(op.fees, op.fee_regime));
        if (watch && (query || refused) && state_of(book) != before)
            fail("a refusal or a query changed the book", step);
        if (const char* why = book.check_integrity()) fail(why, step);
        if (const char* why = ledger.apply(book, flags)) fail(why, step);
        EventBuffer& events = book.book().events();
        if (digest && events.size()) fnv1a(*digest, events.data(), events.size() * sizeof(Event));
        events.clear();
        if (op.ts > clock) clock = op.ts;
    }
    return step;
}

}  // namespace engine::fuzz
