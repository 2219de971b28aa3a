// Writing Nasdaq TotalView-ITCH 5.0: single messages, and a seeded generator
// of consistent multi-symbol order flow (every order message type, executions
// and cancels only against live orders) for tests and benchmarks.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "price.hpp"

namespace engine {

class ItchWriter {
public:
    std::vector<std::uint8_t>& bytes() noexcept { return out_; }

    void system_event(std::uint64_t ts, char code) {
        auto* m = begin('S', 12, 0, ts);
        m[11] = static_cast<std::uint8_t>(code);
    }
    void stock_directory(std::uint64_t ts, std::uint16_t locate, const char* symbol, char category,
                         std::uint32_t round_lot) {
        auto* m = begin('R', 39, locate, ts);
        stock(m + 11, symbol);
        m[19] = static_cast<std::uint8_t>(category);
        m[20] = 'N';
        put(m + 21, round_lot, 4);
        m[25] = 'N';
        m[26] = 'C';
        std::memcpy(m + 27, "  ", 2);
        m[29] = 'P';
        m[30] = 'N';
        m[31] = ' ';
        m[32] = 'N';
        m[33] = ' ';
        m[34] = 'N';
        put(m + 35, 0, 4);
        m[38] = 'N';
    }
    void trading_action(std::uint64_t ts, std::uint16_t locate, const char* symbol, char state) {
        auto* m = begin('H', 25, locate, ts);
        stock(m + 11, symbol);
        m[19] = static_cast<std::uint8_t>(state);
        m[20] = ' ';
        std::memcpy(m + 21, "    ", 4);
    }
    void add(std::uint64_t ts, std::uint16_t locate, std::uint64_t ref, bool buy, std::uint32_t shares,
             const char* symbol, std::uint32_t price, const char* mpid = nullptr) {
        auto* m = begin(mpid ? 'F' : 'A', mpid ? 40 : 36, locate, ts);
        put(m + 11, ref, 8);
        m[19] = buy ? 'B' : 'S';
        put(m + 20, shares, 4);
        stock(m + 24, symbol);
        put(m + 32, price, 4);
        if (mpid) std::memcpy(m + 36, mpid, 4);
    }
    void executed(std::uint64_t ts, std::uint16_t locate, std::uint64_t ref, std::uint32_t shares,
                  std::uint64_t match) {
        auto* m = begin('E', 31, locate, ts);
        put(m + 11, ref, 8);
        put(m + 19, shares, 4);
        put(m + 23, match, 8);
    }
    void executed_at(std::uint64_t ts, std::uint16_t locate, std::uint64_t ref, std::uint32_t shares,
                     std::uint64_t match, std::uint32_t price) {
        auto* m = begin('C', 36, locate, ts);
        put(m + 11, ref, 8);
        put(m + 19, shares, 4);
        put(m + 23, match, 8);
        m[31] = 'Y';
        put(m + 32, price, 4);
    }
    void cancel(std::uint64_t ts, std::uint16_t locate, std::uint64_t ref, std::uint32_t shares) {
        auto* m = begin('X', 23, locate, ts);
        put(m + 11, ref, 8);
        put(m + 19, shares, 4);
    }
    void del(std::uint64_t ts, std::uint16_t locate, std::uint64_t ref) {
        auto* m = begin('D', 19, locate, ts);
        put(m + 11, ref, 8);
    }
    void replace(std::uint64_t ts, std::uint16_t locate, std::uint64_t old_ref, std::uint64_t new_ref,
                 std::uint32_t shares, std::uint32_t price) {
        auto* m = begin('U', 35, locate, ts);
        put(m + 11, old_ref, 8);
        put(m + 19, new_ref, 8);
        put(m + 27, shares, 4);
        put(m + 31, price, 4);
    }
    void trade(std::uint64_t ts, std::uint16_t locate, bool buy, std::uint32_t shares, const char* symbol,
               std::uint32_t price, std::uint64_t match) {
        auto* m = begin('P', 44, locate, ts);
        put(m + 11, 0, 8);
        m[19] = buy ? 'B' : 'S';
        put(m + 20, shares, 4);
        stock(m + 24, symbol);
        put(m + 32, price, 4);
        put(m + 36, match, 8);
    }
    void cross(std::uint64_t ts, std::uint16_t locate, std::uint64_t shares, const char* symbol,
               std::uint32_t price, std::uint64_t match, char type) {
        auto* m = begin('Q', 40, locate, ts);
        put(m + 11, shares, 8);
        stock(m + 19, symbol);
        put(m + 27, price, 4);
        put(m + 31, match, 8);
        m[39] = static_cast<std::uint8_t>(type);
    }
    // A message of a type the decoder skips (Reg SHO restriction, 'Y').
    void reg_sho(std::uint64_t ts, std::uint16_t locate, const char* symbol) {
        auto* m = begin('Y', 20, locate, ts);
        stock(m + 11, symbol);
        m[19] = '0';
    }

private:
    std::uint8_t* begin(char type, std::size_t len, std::uint16_t locate, std::uint64_t ts) {
        const std::size_t at = out_.size();
        out_.resize(at + 2 + len);
        std::uint8_t* p = out_.data() + at;
        put(p, len, 2);
        std::uint8_t* m = p + 2;
        m[0] = static_cast<std::uint8_t>(type);
        put(m + 1, locate, 2);
        put(m + 3, 0, 2);
        put(m + 5, ts, 6);
        return m;
    }
    static void put(std::uint8_t* p, std::uint64_t v, int bytes) noexcept {
        for (int i = bytes - 1; i >= 0; --i) {
            p[i] = static_cast<std::uint8_t>(v & 0xFF);
            v >>= 8;
        }
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
