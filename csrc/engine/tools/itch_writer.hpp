// Writing Nasdaq TotalView-ITCH 5.0: single messages, and a seeded generator
// of consistent multi-symbol order flow (every order message type, executions
// and cancels only against live orders) for tests and benchmarks.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "../core/price.hpp"
#include "../feed/itch_format.hpp"

namespace engine {

class ItchWriter {
public:
    std::vector<std::uint8_t>& bytes() noexcept { return out_; }

    void system_event(std::uint64_t ts, char code) {
        auto* m = begin('S', itch::system_event::kLength, 0, ts);
        put(m, itch::system_event::kCode, static_cast<std::uint8_t>(code));
    }
    void stock_directory(std::uint64_t ts, std::uint16_t locate, const char* symbol, char category,
                         std::uint32_t round_lot) {
        namespace r = itch::stock_directory;
        auto* m = begin('R', r::kLength, locate, ts);
        stock(m + r::kStock.offset, symbol);
        put(m, r::kMarketCategory, static_cast<std::uint8_t>(category));
        put(m, r::kFinancialStatus, 'N');
        put(m, r::kRoundLot, round_lot);
        std::memcpy(m + 25, "NC  PN N N", 10);  // round lots only .. ETP leverage: fixed for a test stock
        put(m, itch::Field{35, 4}, 0);
        m[38] = 'N';
    }
    void trading_action(std::uint64_t ts, std::uint16_t locate, const char* symbol, char state) {
        namespace h = itch::trading_action;
        auto* m = begin('H', h::kLength, locate, ts);
        stock(m + h::kStock.offset, symbol);
        put(m, h::kState, static_cast<std::uint8_t>(state));
        put(m, h::kReserved, ' ');
        std::memcpy(m + h::kReason.offset, "    ", h::kReason.bytes);
    }
    void add(std::uint64_t ts, std::uint16_t locate, std::uint64_t ref, bool buy, std::uint32_t shares,
             const char* symbol, std::uint32_t price, const char* mpid = nullptr) {
        namespace a = itch::add_order;
        auto* m = begin(mpid ? 'F' : 'A', mpid ? a::kLengthWithMpid : a::kLength, locate, ts);
        put(m, a::kRef, ref);
        put(m, a::kSide, buy ? 'B' : 'S');
        put(m, a::kShares, shares);
        stock(m + a::kStock.offset, symbol);
        put(m, a::kPrice, price);
        if (mpid) std::memcpy(m + a::kMpid.offset, mpid, a::kMpid.bytes);
    }
    void executed(std::uint64_t ts, std::uint16_t locate, std::uint64_t ref, std::uint32_t shares,
                  std::uint64_t match) {
        namespace e = itch::executed;
        auto* m = begin('E', e::kLength, locate, ts);
        put(m, e::kRef, ref);
        put(m, e::kShares, shares);
        put(m, e::kMatch, match);
    }
    void executed_at(std::uint64_t ts, std::uint16_t locate, std::uint64_t ref, std::uint32_t shares,
                     std::uint64_t match, std::uint32_t price) {
        namespace c = itch::executed_at_price;
        auto* m = begin('C', c::kLength, locate, ts);
        put(m, c::kRef, ref);
        put(m, c::kShares, shares);
        put(m, c::kMatch, match);
        put(m, c::kPrintable, 'Y');
        put(m, c::kPrice, price);
    }
    void cancel(std::uint64_t ts, std::uint16_t locate, std::uint64_t ref, std::uint32_t shares) {
        auto* m = begin('X', itch::cancel::kLength, locate, ts);
        put(m, itch::cancel::kRef, ref);
        put(m, itch::cancel::kShares, shares);
    }
    void del(std::uint64_t ts, std::uint16_t locate, std::uint64_t ref) {
        auto* m = begin('D', itch::del::kLength, locate, ts);
        put(m, itch::del::kRef, ref);
    }
    void replace(std::uint64_t ts, std::uint16_t locate, std::uint64_t old_ref, std::uint64_t new_ref,
                 std::uint32_t shares, std::uint32_t price) {
        namespace u = itch::replace;
        auto* m = begin('U', u::kLength, locate, ts);
        put(m, u::kOldRef, old_ref);
        put(m, u::kNewRef, new_ref);
        put(m, u::kShares, shares);
        put(m, u::kPrice, price);
    }
    void trade(std::uint64_t ts, std::uint16_t locate, bool buy, std::uint32_t shares, const char* symbol,
               std::uint32_t price, std::uint64_t match) {
        namespace t = itch::trade;
        auto* m = begin('P', t::kLength, locate, ts);
        put(m, t::kRef, 0);
        put(m, t::kSide, buy ? 'B' : 'S');
        put(m, t::kShares, shares);
        stock(m + t::kStock.offset, symbol);
        put(m, t::kPrice, price);
        put(m, t::kMatch, match);
    }
    void cross(std::uint64_t ts, std::uint16_t locate, std::uint64_t shares, const char* symbol,
               std::uint32_t price, std::uint64_t match, char type) {
        namespace q = itch::cross_trade;
        auto* m = begin('Q', q::kLength, locate, ts);
        put(m, q::kShares, shares);
        stock(m + q::kStock.offset, symbol);
        put(m, q::kPrice, price);
        put(m, q::kMatch, match);
        put(m, q::kCrossType, static_cast<std::uint8_t>(type));
    }
    // A message of a type the decoder skips (Reg SHO restriction, 'Y').
    void reg_sho(std::uint64_t ts, std::uint16_t locate, const char* symbol) {
        auto* m = begin('Y', itch::reg_sho::kLength, locate, ts);
        stock(m + itch::reg_sho::kStock.offset, symbol);
        put(m, itch::reg_sho::kAction, '0');
    }

private:
    using Field = itch::Field;
    static void put(std::uint8_t* m, Field f, std::uint64_t v) noexcept { itch::put(m, f, v); }

    std::uint8_t* begin(char type, std::size_t len, std::uint16_t locate, std::uint64_t ts) {
        const std::size_t at = out_.size();
        out_.resize(at + 2 + len);
        std::uint8_t* p = out_.data() + at;
        itch::put(p, Field{0, 2}, len);  // the length prefix
        std::uint8_t* m = p + 2;
        put(m, itch::kType, static_cast<std::uint8_t>(type));
        put(m, itch::kLocate, locate);
        put(m, itch::kTracking, 0);
        put(m, itch::kTimestamp, ts);
        return m;
    }
    static void stock(std::uint8_t* p, const char* symbol) noexcept {
        std::memset(p, ' ', 8);
        for (int i = 0; i < 8 && symbol[i]; ++i) p[i] = static_cast<std::uint8_t>(symbol[i]);
    }

    std::vector<std::uint8_t> out_;
};

// Consistent random flow for `symbols` stocks: system events, the directory,
// trading actions, then `messages` order messages of every type in realistic
// proportions (adds and deletes dominate), each against live orders only.
inline std::vector<std::uint8_t> generate_itch(std::uint64_t messages, int symbols, std::uint64_t seed) {
    struct Live { std::uint64_t ref; std::uint32_t price; std::uint32_t shares; bool buy; };
    struct Stock { char name[24]; std::uint32_t mid; std::vector<Live> live; };
    std::uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
    auto next = [&state]() {
        state += 0x9E3779B97F4A7C15ull;
        std::uint64_t z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    };
    ItchWriter w;
    w.bytes().reserve(static_cast<std::size_t>(messages) * 34 + 4096);
    std::vector<Stock> stocks(static_cast<std::size_t>(symbols < 1 ? 1 : symbols));
    std::uint64_t ts = 14'400'000'000'000;  // 04:00
    w.system_event(ts, 'O');
    for (std::size_t i = 0; i < stocks.size(); ++i) {
        Stock& s = stocks[i];
        std::snprintf(s.name, sizeof(s.name), "SYM%zu", i);
        s.mid = static_cast<std::uint32_t>(100 + next() % 4900) * 100;  // $1.00 .. $50.00, penny grid
        w.stock_directory(ts, static_cast<std::uint16_t>(i + 1), s.name, 'Q', 100);
        w.trading_action(ts, static_cast<std::uint16_t>(i + 1), s.name, 'T');
        w.reg_sho(ts, static_cast<std::uint16_t>(i + 1), s.name);
    }
    w.system_event(ts, 'S');
    ts = 34'200'000'000'000;  // 09:30
    w.system_event(ts, 'Q');
    std::uint64_t ref = 1, match = 1;
    for (std::uint64_t k = 0; k < messages; ++k) {
        ts += 1 + next() % 2000;
        const std::size_t si = static_cast<std::size_t>(next() % stocks.size());
        Stock& s = stocks[si];
        const auto locate = static_cast<std::uint16_t>(si + 1);
        const std::uint64_t r = next() % 1000;
        // Adds and removals balance around a realistic book of ~5,000 live orders per stock.
        const bool add = s.live.size() < 4 || (r < 420 && s.live.size() < 5000);
        if (add) {  // add (A, some F)
            const bool buy = next() & 1;
            const std::uint32_t d = static_cast<std::uint32_t>(1 + next() % 8) * 100;
            const std::uint32_t price = buy ? s.mid - d : s.mid + d;
            const std::uint32_t shares = static_cast<std::uint32_t>(1 + next() % 5) * 100;
            w.add(ts, locate, ref, buy, shares, s.name, price, r % 10 == 0 ? "GSCO" : nullptr);
            s.live.push_back(Live{ref++, price, shares, buy});
            continue;
        }
        const std::size_t j = static_cast<std::size_t>(next() % s.live.size());
        Live& o = s.live[j];
        auto drop = [&]() { s.live[j] = s.live.back(); s.live.pop_back(); };
        if (r < 800) {  // delete (and instead of an add when the book is full)
            w.del(ts, locate, o.ref);
            drop();
        } else if (r < 860) {  // partial cancel
            const std::uint32_t q = o.shares > 1 ? 1 + static_cast<std::uint32_t>(next() % (o.shares - 1)) : 1;
            w.cancel(ts, locate, o.ref, q);
            o.shares -= q;
            if (o.shares == 0) drop();
        } else if (r < 930) {  // execution, sometimes at another price
            const std::uint32_t q = 1 + static_cast<std::uint32_t>(next() % o.shares);
            if (r < 920) w.executed(ts, locate, o.ref, q, match++);
            else w.executed_at(ts, locate, o.ref, q, match++, o.price);
            o.shares -= q;
            if (o.shares == 0) drop();
        } else if (r < 980) {  // replace
            const std::uint32_t d = static_cast<std::uint32_t>(1 + next() % 8) * 100;
            const std::uint32_t price = o.buy ? s.mid - d : s.mid + d;
            const std::uint32_t shares = static_cast<std::uint32_t>(1 + next() % 5) * 100;
            w.replace(ts, locate, o.ref, ref, shares, price);
            o.ref = ref++;
            o.price = price;
            o.shares = shares;
        } else if (r < 995) {  // a trade against hidden interest
            w.trade(ts, locate, next() & 1, 100, s.name, s.mid, match++);
        } else {  // a cross
            w.cross(ts, locate, 1000, s.name, s.mid, match++, 'I');
        }
    }
    w.system_event(ts, 'M');
    w.system_event(ts, 'E');
    w.system_event(ts, 'C');
    return std::move(w.bytes());
}

}  // namespace engine
