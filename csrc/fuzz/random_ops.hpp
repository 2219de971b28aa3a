// Turns a string of bytes into a sequence of operations on a book with the
// Reg NMS layer attached (orders of every type and instruction, cancels,
// reduces, replaces, expiries, quote updates, self-help, session changes),
// checking the book's integrity after every one. Used by the sanitizer driver
// (sanitize_main.cpp) and usable as a libFuzzer target (fuzz_target.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

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
    const char* apply(Book& book, std::uint32_t flags) {
        const EventBuffer& ev = book.events();
        for (std::size_t i = 0; i < ev.size(); ++i) {
            const Event& e = ev[i];
            switch (static_cast<EventType>(e.type)) {
                case EventType::Accepted: open_[e.order_id] = e.quantity; break;
                case EventType::Fill: {
                    if ((open_[e.order_id] -= e.quantity) != e.leaves) return "a fill's taker leaves disagree";
                    if ((open_[e.contra_id] -= e.quantity) != e.contra_leaves) return "a fill's maker leaves disagree";
                    if (e.price <= 0) return "a fill at a non-positive price";
                    const auto code = static_cast<ComplianceCode>(e.compliance_code);
                    if (code == ComplianceCode::NoTradeThrough && trades_through_raw(book, e.price, e.ts))
                        return "a fill coded NoTradeThrough trades through a quote (raw table check)";
                    TradeThroughDecision d;
                    if (code != ComplianceCode::None && code != ComplianceCode::CheckDisabled &&
                        code != ComplianceCode::OutsideRth &&
                        book.check_print(e.price, e.ts, static_cast<Side>(e.side), flags, &d) && !d.allowed)
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
        if (open_.size() != book.order_count()) return "the book holds orders the events do not account for";
        for (const auto& [id, shares] : open_) {
            OrderView v{};
            if (!book.find_order(id, &v)) return "an order the events left open is not in the book";
            if (v.leaves != shares) return "an order's shares disagree with its events";
        }
        return nullptr;
    }

private:
    // Independent of the table's cached band and of decide_trade_through: does
    // a print at p trade through any open, automated, non-empty quote (self-help
    // venues included, since those are audited as (b)(1), never NoTradeThrough)?
    static bool trades_through_raw(Book& book, Price p, Timestamp t) {
        const ProtectedQuoteTable& table = book.reg_nms()->table;
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

// Runs the operations the bytes describe; returns how many were run.
inline std::size_t run_bytes(const std::uint8_t* data, std::size_t size) {
    ByteReader in(data, size);
    Book book(in.u8() & 1 ? TickRegime::HalfPenny2024 : TickRegime::Penny2005);
    book.enable_reg_nms();
    Timestamp ts = 1'000;
    std::size_t step = 0;
    Ledger ledger;
    while (!in.empty()) {
        std::uint32_t flags = 0;
        const std::uint8_t op = in.u8();
        ts += (in.u8() & 3) * 250'000'000;  // time moves in quarter seconds: the look-back matters
        Command c{};
        c.ts = (op & 0x80) && (in.u8() & 7) == 0 ? ts - 1 : ts;  // sometimes backwards
        c.order_id = 1 + in.u8() % 48;
        switch (op % 10) {
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
                c.post_only = (extra >> 7) && c.tif <= 2 && c.order_type == 1 ? 2 : 0;
                c.lock_cross = in.u8() % 4;
                c.participant = in.u8() % 3;
                c.stp = in.u8() % 5;
                if ((in.u8() & 7) == 0 && !(c.flags & kFlagHidden) && c.order_type == 1)
                    c.display_quantity = 50;
                if (c.display_quantity > c.quantity) c.display_quantity = 0;
                flags = c.flags;
                book.execute(c);
                break;
            }
            case 4:
                c.action = static_cast<std::uint8_t>(Action::Cancel);
                book.execute(c);
                break;
            case 5:
                c.action = static_cast<std::uint8_t>(Action::Reduce);
                c.quantity = pick_quantity(in.u8());
                book.execute(c);
                break;
            case 6:
                c.action = static_cast<std::uint8_t>(Action::Replace);
                c.price = pick_price(in.u8());
                c.quantity = pick_quantity(in.u8());
                c.new_order_id = in.u8() & 1 ? 0 : 1 + in.u8() % 48;
                book.execute(c);
                break;
            case 7: case 8: {  // a quote update
                QuoteUpdate q{};
                q.ts = c.ts;
                q.venue = in.u8() % 5;
                q.bid_price = in.u8() & 1 ? pick_price(in.u8()) : 0;
                q.ask_price = in.u8() & 1 ? pick_price(in.u8()) : 0;
                q.bid_size = pick_quantity(in.u8());
                q.ask_size = pick_quantity(in.u8());
                q.feed = in.u8() % 3;
                q.condition = static_cast<std::uint8_t>("RABHFUELZ?"[in.u8() % 10]);
                q.flags = in.u8() & 7;
                book.update_quote(q);
                break;
            }
            default: {  // control: self-help, sessions, expiry
                const std::uint8_t what = in.u8() % 5;
                const int venue = in.u8() % 6;  // 5 is an unused venue
                if (what == 0) book.declare_self_help(c.ts, venue, c.ts, kNever);
                else if (what == 1) book.revoke_self_help(c.ts, venue, c.ts);
                else if (what == 2) book.set_session(c.ts, in.u8() & 1);
                else if (what == 3) book.expire(c.ts, TimeInForce::Day);
                else {
                    TradeThroughDecision d;
                    book.check_print(pick_price(in.u8()), c.ts, Side::Buy, in.u8() & 0x7F, &d);
                }
                break;
            }
        }
        ++step;
        if (const char* why = book.check_integrity()) fail(why, step);
        if (const char* why = ledger.apply(book, flags)) fail(why, step);
        book.events().clear();
        if (c.ts > ts) ts = c.ts;
    }
    return step;
}

}  // namespace engine::fuzz
