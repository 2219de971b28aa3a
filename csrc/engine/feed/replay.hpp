// Book building from a venue's own order flow (FeedMessage arrays from the
// LOBSTER or ITCH decoders): one Book per stock locate, created on first use,
// each message applied as the venue reported it.
//
// LOBSTER files can also be checked against their orderbook files, row by row
// (apply_lobster_verified): a level-L file only holds events inside the top L
// levels, so a level that moves into the window from deeper in the book, or
// changed while outside it, is taken from the orderbook file, and every such
// correction is counted by kind.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "../core/book.hpp"
#include "../core/records.hpp"
#include "feed_book.hpp"
#include "lobster_book.hpp"

namespace engine {

struct ReplayStats {
    std::uint64_t messages = 0;
    std::uint64_t adds = 0;
    std::uint64_t cancels = 0;
    std::uint64_t deletes = 0;
    std::uint64_t executions = 0;
    std::uint64_t executed_shares = 0;
    std::uint64_t replaces = 0;
    std::uint64_t hidden_executions = 0;
    std::uint64_t hidden_shares = 0;
    std::uint64_t cross_trades = 0;
    std::uint64_t cross_shares = 0;
    std::uint64_t halts = 0;
    std::uint64_t modifies = 0;         // Databento MBO: an order's new price and size
    std::uint64_t clears = 0;           // ... a book emptied
    std::uint64_t trades = 0;           // ... an aggressor's trade (the book changes by later messages)
    std::uint64_t trade_shares = 0;
    std::uint64_t fills = 0;            // ... a resting order's fill (likewise)
    std::uint64_t fill_shares = 0;
    std::uint64_t system_events = 0;
    std::uint64_t directory = 0;
    std::uint64_t filtered = 0;         // messages for stocks not selected
    // anomalies: what a live feed handler would count and carry on from
    std::uint64_t unknown_orders = 0;   // cancel/delete/execute/replace of an id not in the book
    std::uint64_t duplicate_adds = 0;   // an add for an id already live
    std::uint64_t over_executions = 0;  // more shares executed or cancelled than the order had
    std::uint64_t zero_ids = 0;         // an add (or a replace's new order) with order id 0
    std::uint64_t bad_sides = 0;        // ... with no side
    std::uint64_t bad_prices = 0;       // ... priced at or below zero, or above MAX_PRICE
    std::uint64_t bad_sizes = 0;        // ... of no shares, or more than MAX_QUANTITY
    std::uint64_t crossed_states = 0;   // messages after which their book was crossed or locked
    // LOBSTER verification
    std::uint64_t rows_checked = 0;
    std::uint64_t rows_matched = 0;     // rows that matched before any correction
    std::uint64_t levels_imported = 0;  // a level in the file's window the book did not have
    std::uint64_t levels_resized = 0;   // a level whose size changed outside the window
    std::uint64_t levels_dropped = 0;   // a level the book had inside the window but the file does not show
};

class BookBuilder {
public:
    explicit BookBuilder(TickRegime regime = TickRegime::Penny2005) : regime_(regime) {}

    // Only stocks whose locate is selected are built (default: all). After
    // start_filtering() and before any select(), nothing is built.
    void start_filtering() {
        if (selected_.empty()) selected_.assign(65536, 0);
    }
    void select(std::uint16_t locate) {
        start_filtering();
        selected_[locate] = 1;
    }

    Book* book(std::uint16_t locate) noexcept {
        return locate < books_.size() ? books_[locate].get() : nullptr;
    }
    std::size_t book_count() const noexcept {
        std::size_t n = 0;
        for (const auto& b : books_) n += b != nullptr;
        return n;
    }
    const ReplayStats& stats() const noexcept { return stats_; }

    void apply(const FeedMessage* m, std::size_t n) {
        apply_each(m, n, [](std::size_t, const Book*) {});
    }

    // As apply, and after each message the book of its stock into row i of
    // `states`, in LOBSTER's orderbook layout: `levels` x (ask price, ask
    // size, bid price, bid size), best first, displayed shares only; a level a
    // side lacks is LOBSTER's dummy (ask price 9999999999, bid price
    // -9999999999, size 0). A message that reaches no book (a system event,
    // the stock directory, a stock not selected) gets a row of zeros.
    void apply_with_states(const FeedMessage* m, std::size_t n, std::size_t levels, std::int64_t* states) {
        scratch_.resize(levels);  // before any message: running out of memory changes nothing
        apply_each(m, n, [&](std::size_t i, const Book* b) { write_state(b, levels, states + i * 4 * levels); });
    }

    // LOBSTER with its orderbook rows (row i = the book after message i, 4L
    // integers: ask price, ask size, bid price, bid size per level). The first
    // call's first row sets the starting book (its message is already in it).
    // `levels` must be at least 1 (a row with no levels says nothing; false then).
    // Each row is copied before it is used (the caller's array may change under
    // the call, from another thread).
    // With `states`, the book after each message (once corrected) goes into
    // it as in apply_with_states, `state_levels` levels a row.
    bool apply_lobster_verified(const FeedMessage* m, const std::int64_t* rows, std::size_t n, std::size_t levels,
                                std::int64_t* states = nullptr, std::size_t state_levels = 0) {
        if (levels == 0) return false;
        row_.resize(4 * levels);
        if (states) scratch_.resize(state_levels);
        for (std::size_t i = 0; i < n; ++i) {
            std::memcpy(row_.data(), rows + i * 4 * levels, row_.size() * sizeof(std::int64_t));
            asm volatile("" : : "r"(row_.data()) : "memory");
            const std::int64_t* row = row_.data();
            const FeedMessage msg = copy_of(m[i]);
            const Book* b = nullptr;
            if (!started_) {
                started_ = true;
                ++stats_.messages;
                correct(row, levels, /*count=*/false);
                b = book(msg.locate);  // the row is the book its (already applied) message left
            } else {
                b = apply_one(msg);
                ++stats_.rows_checked;
                if (correct(row, levels, true)) ++stats_.rows_matched;
            }
            if (states) write_state(b, state_levels, states + i * 4 * state_levels);
        }
        return true;
    }

private:
    // A message is read once, into a local: the caller's array may change
    // under a batch (another thread), and what is checked must be what is used.
    // Apply each message, then call after(i, the book it reached or nullptr).
    template <class After>
    void apply_each(const FeedMessage* m, std::size_t n, After&& after) {
        // Two-stage prefetch hides the cache misses of a large book: the id
        // index slot 16 messages ahead, then the order itself 8 ahead.
        constexpr std::size_t kIndexAhead = 16, kOrderAhead = 8;
        for (std::size_t i = 0; i < n; ++i) {
            if (i + kIndexAhead < n) {
                if (Book* b = book(m[i + kIndexAhead].locate)) b->prefetch_index(m[i + kIndexAhead].order_id);
            }
            if (i + kOrderAhead < n) {
                if (Book* b = book(m[i + kOrderAhead].locate)) b->prefetch_order(m[i + kOrderAhead].order_id);
            }
            after(i, apply_one(copy_of(m[i])));
        }
    }

    // The book a message reached, after it, into a state row (zeros for none).
    void write_state(const Book* b, std::size_t levels, std::int64_t* row) noexcept {
        if (b == nullptr) std::memset(row, 0, 4 * levels * sizeof(std::int64_t));
        else lobster_book_row(*b, levels, scratch_.data(), row);
    }

    static FeedMessage copy_of(const FeedMessage& src) noexcept {
        FeedMessage m;
        std::memcpy(&m, &src, sizeof m);
        asm volatile("" : : "r"(&m) : "memory");
        return m;
    }

    Book& book_for(std::uint16_t locate) {
        if (locate >= books_.size()) {
            crossed_.resize(std::size_t{locate} + 1);  // first: the books decide the size that counts
            books_.resize(std::size_t{locate} + 1);
        }
        if (!books_[locate]) books_[locate] = std::make_unique<Book>(regime_);
        return *books_[locate];
    }

    // Apply one message; returns the book it reached (nullptr: a system event,
    // the stock directory, or a stock not selected).
    const Book* apply_one(const FeedMessage& m) {
        ++stats_.messages;
        const auto kind = static_cast<FeedKind>(m.kind);
        if (kind == FeedKind::SystemEvent) { ++stats_.system_events; return nullptr; }
        if (kind == FeedKind::StockDirectory) { ++stats_.directory; return nullptr; }
        if (!selected_.empty() && !selected_[m.locate]) { ++stats_.filtered; return nullptr; }
        Book& b = book_for(m.locate);
        apply_to(b, m, kind);
        // A book whose feed hides some removals (a LOBSTER level-L file without
        // its orderbook file) can cross: only an add can make it so, and only
        // a crossed book needs looking at after a removal.
        std::uint8_t& crossed = crossed_[m.locate];
        if (kind == FeedKind::Add || kind == FeedKind::Replace || kind == FeedKind::Modify || crossed) {
            const Price bid = b.best_ranked_price(Side::Buy), ask = b.best_ranked_price(Side::Sell);
            crossed = bid != 0 && ask != 0 && bid >= ask;
        }
        stats_.crossed_states += crossed;
        return &b;
    }

    void apply_to(Book& b, const FeedMessage& m, FeedKind kind) {
        const auto side = static_cast<Side>(m.side);
        FeedBook fb(b);
        switch (kind) {
            case FeedKind::Add:
                ++stats_.adds;
                count(fb.add(m.ts, m.order_id, side, m.price, m.quantity));
                return;
            case FeedKind::Cancel:
                ++stats_.cancels;
                take(b, m, m.quantity, /*executed=*/false);
                return;
            case FeedKind::Delete: {
                ++stats_.deletes;
                const Quantity had = fb.remove(m.order_id);
                if (had < 0) ++stats_.unknown_orders;
                // LOBSTER names the shares deleted: checked against its orderbook
                // file, what the order lacked comes off its level (see take()).
                if (started_ && m.side && m.price > 0 && m.quantity > had)
                    fb.take_at(side, m.price, m.quantity - std::max<Quantity>(had, 0));
                return;
            }
            case FeedKind::Execute:
            case FeedKind::ExecuteAtPrice:
                ++stats_.executions;
                stats_.executed_shares += static_cast<std::uint64_t>(m.quantity);
                take(b, m, m.quantity, /*executed=*/true);
                return;
            case FeedKind::Replace:
                ++stats_.replaces;
                count(fb.replace(m.ts, m.order_id, m.new_order_id, m.price, m.quantity));
                return;
            case FeedKind::HiddenExecution:
                ++stats_.hidden_executions;
                stats_.hidden_shares += static_cast<std::uint64_t>(m.quantity);
                return;
            case FeedKind::CrossTrade:
                ++stats_.cross_trades;
                stats_.cross_shares += static_cast<std::uint64_t>(m.quantity);
                return;
            case FeedKind::TradingHalt:
                ++stats_.halts;
                return;
            case FeedKind::Modify: {
                ++stats_.modifies;
                const FeedAdd r = fb.modify(m.ts, m.order_id, m.price, m.quantity);
                if (r != FeedAdd::UnknownOld) {
                    count(r);
                    return;
                }
                ++stats_.unknown_orders;  // a modify says all an add does: the order is live, here
                count(fb.add(m.ts, m.order_id, side, m.price, m.quantity));
                return;
            }
            case FeedKind::Clear:
                ++stats_.clears;
                fb.clear();
                return;
            case FeedKind::Trade:
                ++stats_.trades;
                stats_.trade_shares += static_cast<std::uint64_t>(std::max<Quantity>(m.quantity, 0));
                return;
            case FeedKind::Fill:
                ++stats_.fills;
                stats_.fill_shares += static_cast<std::uint64_t>(std::max<Quantity>(m.quantity, 0));
                return;
            default:
                return;
        }
    }

    void count(FeedAdd result) noexcept {
        switch (result) {
            case FeedAdd::Added: return;
            case FeedAdd::LiveId: ++stats_.duplicate_adds; return;
            case FeedAdd::NoId: ++stats_.zero_ids; return;
            case FeedAdd::BadSide: ++stats_.bad_sides; return;
            case FeedAdd::BadPrice: ++stats_.bad_prices; return;
            case FeedAdd::BadSize: ++stats_.bad_sizes; return;
            case FeedAdd::UnknownOld: ++stats_.unknown_orders; return;
        }
    }

    // Cancel or execute shares of a named order. Shares the replay cannot
    // find on the order (one resting before the file starts, or, in a LOBSTER
    // level-L file, one added or changed outside its window) are counted and
    // leave the other orders alone, unless the book is being checked against a
    // LOBSTER orderbook file: the file's levels include those orders' shares
    // (taken from it when they entered the window), so they come off the level
    // the message names, which keeps it equal to the file's.
    void take(Book& b, const FeedMessage& m, Quantity qty, bool executed) {
        FeedBook fb(b);
        const Quantity got = fb.take(m.order_id, qty, executed);
        if (got < 0) ++stats_.unknown_orders;
        else if (got < qty) ++stats_.over_executions;
        const Quantity rest = qty - std::max<Quantity>(got, 0);
        if (started_ && rest > 0 && m.side && m.price > 0) fb.take_at(static_cast<Side>(m.side), m.price, rest);
    }

    // Make the book's top `levels` levels equal to the file's row; true when
    // they already were.
    bool correct(const std::int64_t* row, std::size_t levels, bool count) {
        Book& b = book_for(0);
        FeedBook fb(b);
        bool matched = true;
        for (Side side : {Side::Sell, Side::Buy}) {
            const std::size_t off = side == Side::Sell ? 0 : 2;
            std::size_t shown = 0;
            for (std::size_t i = 0; i < levels; ++i) {
                const Price p = row[4 * i + off];
                const Quantity q = row[4 * i + off + 1];
                if (q <= 0) continue;
                ++shown;
                const Quantity have = b.displayed_at(side, p);
                if (have == q) continue;
                matched = false;
                if (count) ++(have == 0 ? stats_.levels_imported : stats_.levels_resized);
                if (have < q) fb.add(0, synthetic_id_++, side, p, q - have);
                else fb.take_at(side, p, have - q);
            }
            // Levels the book shows inside the window that the file does not.
            const Price edge = shown == levels ? row[4 * (levels - 1) + off] : 0;
            for (bool again = true; again;) {
                again = false;
                LevelView lv[64];
                const std::size_t k = b.depth(side, lv, levels + 1 < 64 ? levels + 1 : 64);
                for (std::size_t j = 0; j < k; ++j) {
                    const Price p = lv[j].price;
                    const bool inside = edge == 0 || (side == Side::Buy ? p > edge : p < edge);
                    if (!inside || in_row(row, levels, off, p)) continue;
                    matched = false;
                    if (count) ++stats_.levels_dropped;
                    fb.take_at(side, p, lv[j].quantity);
                    again = true;
                    break;
                }
            }
        }
        return matched;
    }

    static bool in_row(const std::int64_t* row, std::size_t levels, std::size_t off, Price p) noexcept {
        for (std::size_t i = 0; i < levels; ++i)
            if (row[4 * i + off + 1] > 0 && row[4 * i + off] == p) return true;
        return false;
    }

    TickRegime regime_;
    std::vector<std::unique_ptr<Book>> books_;
    std::vector<LevelView> scratch_;  // one side's levels, for write_state
    std::vector<std::uint8_t> crossed_;  // by locate: the book was crossed or locked after its last message
    std::vector<std::uint8_t> selected_;
    ReplayStats stats_;
    bool started_ = false;  // checking against a LOBSTER orderbook file (its first row is in)
    std::vector<std::int64_t> row_;  // the orderbook row being applied
    OrderId synthetic_id_ = OrderId{1} << 63;  // ids of levels taken from an orderbook file
};

}  // namespace engine
