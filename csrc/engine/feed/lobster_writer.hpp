// Writing LOBSTER files from a venue's own messages (ITCH): one stock's
// message file and orderbook file, as text, row for row.
//
// Message rows: time (seconds after midnight, 9 decimals), type, order id,
// size, price, direction (1 buy, -1 sell), LOBSTER's seven types:
//   1 add; 2 partial cancel (the shares cancelled); 3 delete (the shares the
//   order still had); 4 visible execution (at the order's price); 5 hidden
//   execution (ITCH P); 6 cross trade (ITCH Q: id 0, direction -1); 7 trading
//   halt (ITCH H: price -1 halted or paused, 0 quotation only, 1 trading;
//   id 0, size 0, direction -1).
// An ITCH replace becomes a delete of the old order and an add of the new
// one, at the same time. Orderbook rows: the book after each message row,
// `levels` x (ask price, ask size, bid price, bid size), missing levels as
// LOBSTER's dummies (ask 9999999999, bid -9999999999, size 0).
//
// Unlike LOBSTER's own level-L files, which leave out messages outside the
// top L levels, every message of the stock is written, so the files replay
// exactly (a level never enters the window unannounced). Messages about
// orders the writer never saw add, and system or directory messages, are
// skipped and counted.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <vector>

#include "../core/book.hpp"
#include "../core/records.hpp"
#include "feed_book.hpp"
#include "lobster_book.hpp"

namespace engine {

class LobsterWriter {
public:
    LobsterWriter(TickRegime regime, std::size_t levels)
        : book_(regime), levels_(levels), scratch_(levels), cells_(4 * levels) {}

    // Apply one stock's messages in order, appending their rows.
    void write(const FeedMessage* m, std::size_t n, std::string& messages, std::string& orderbook) {
        for (std::size_t i = 0; i < n; ++i) write_one(m[i], messages, orderbook);
    }

    std::uint64_t rows() const noexcept { return rows_; }
    std::uint64_t skipped() const noexcept { return skipped_; }
    Timestamp first_ts() const noexcept { return first_ts_; }
    Timestamp last_ts() const noexcept { return last_ts_; }
    const Book& book() const noexcept { return book_; }

private:
    void write_one(const FeedMessage& m, std::string& messages, std::string& orderbook) {
        FeedBook fb(book_);
        const auto kind = static_cast<FeedKind>(m.kind);
        const int dir_of_side = m.side == static_cast<std::uint8_t>(Side::Buy) ? 1 : -1;
        switch (kind) {
            case FeedKind::Add:
                if (fb.add(m.ts, m.order_id, static_cast<Side>(m.side), m.price, m.quantity) != FeedAdd::Added) break;
                return row(m.ts, 1, m.order_id, m.quantity, m.price, dir_of_side, messages, orderbook);
            case FeedKind::Cancel:
            case FeedKind::Execute:
            case FeedKind::ExecuteAtPrice: {
                const std::uint32_t slot = book_.find_slot(m.order_id);
                if (slot == OrderIndex::kNotFound) break;
                const Order o = book_.order(slot);
                const Quantity taken = fb.take(m.order_id, m.quantity, kind != FeedKind::Cancel);
                if (taken <= 0) break;
                return row(m.ts, kind == FeedKind::Cancel ? 2 : 4, o.id, taken, o.price, dir(o.side), messages,
                           orderbook);
            }
            case FeedKind::Delete: {
                const std::uint32_t slot = book_.find_slot(m.order_id);
                if (slot == OrderIndex::kNotFound) break;
                const Order o = book_.order(slot);
                fb.remove(m.order_id);
                return row(m.ts, 3, o.id, o.leaves(), o.price, dir(o.side), messages, orderbook);
            }
            case FeedKind::Replace: {
                const std::uint32_t slot = book_.find_slot(m.order_id);
                if (slot == OrderIndex::kNotFound) break;
                const Order o = book_.order(slot);
                // a delete of the old order, its row without it; an add of the new one at the same time
                fb.remove(m.order_id);
                row(m.ts, 3, o.id, o.leaves(), o.price, dir(o.side), messages, orderbook);
                if (fb.add(m.ts, m.new_order_id, o.side, m.price, m.quantity) != FeedAdd::Added) return;
                return row(m.ts, 1, m.new_order_id, m.quantity, m.price, dir(o.side), messages, orderbook);
            }
            case FeedKind::HiddenExecution:
                return row(m.ts, 5, m.order_id, m.quantity, m.price, dir_of_side, messages, orderbook);
            case FeedKind::CrossTrade:
                return row(m.ts, 6, 0, m.quantity, m.price, -1, messages, orderbook);
            case FeedKind::TradingHalt: {
                const Price state = m.code == 'T' ? 1 : m.code == 'Q' ? 0 : -1;
                return row(m.ts, 7, 0, 0, state, -1, messages, orderbook);
            }
            default:
                break;
        }
        ++skipped_;
    }

    static int dir(Side s) noexcept { return s == Side::Buy ? 1 : -1; }

    void row(Timestamp ts, int type, OrderId id, Quantity size, Price price, int direction, std::string& messages,
             std::string& orderbook) {
        if (rows_ == 0) first_ts_ = ts;
        last_ts_ = ts;
        ++rows_;
        seconds(ts, messages);
        column(type, messages), column(id, messages), column(size, messages), column(price, messages);
        column(direction, messages);
        messages += '\n';
        book_row(orderbook);
    }

    // The book after a row, `levels` deep, as text.
    void book_row(std::string& out) {
        lobster_book_row(book_, levels_, scratch_.data(), cells_.data());
        for (std::size_t j = 0; j < cells_.size(); ++j) {
            if (j > 0) out += ',';
            number(cells_[j], out);
        }
        out += '\n';
    }

    static void seconds(Timestamp ts, std::string& out) {
        if (ts < 0) ts = 0;  // venue times are never negative; a crafted record's are written as 0
        number(ts / 1'000'000'000, out);
        char frac[10];
        std::int64_t f = ts % 1'000'000'000;
        for (int d = 8; d >= 0; --d) {
            frac[d + 1] = static_cast<char>('0' + f % 10);
            f /= 10;
        }
        frac[0] = '.';
        out.append(frac, 10);
    }

    template <class T>
    static void column(T v, std::string& out) {
        out += ',';
        number(v, out);
    }

    template <class T>
    static void number(T v, std::string& out) {
        char buf[24];
        const auto r = std::to_chars(buf, buf + sizeof buf, v);
        out.append(buf, r.ptr);
    }

    Book book_;
    std::size_t levels_;
    std::vector<LevelView> scratch_;
    std::vector<std::int64_t> cells_;  // one orderbook row
    std::uint64_t rows_ = 0, skipped_ = 0;
    Timestamp first_ts_ = 0, last_ts_ = 0;
};

}  // namespace engine
