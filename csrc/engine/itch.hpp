// Decoding Nasdaq TotalView-ITCH 5.0 into FeedMessage records.
//
// Each message is framed by a 2-byte big-endian length; every message starts
// with type (1), stock locate (2), tracking number (2) and a 6-byte timestamp
// (ns after midnight); integers are big-endian and prices have 4 implied
// decimals (the engine's unit). The order messages (A F E C X D U P Q), system
// events (S), the stock directory (R) and trading actions (H) are decoded;
// every other type is skipped by its length and counted. A known type with the
// wrong length, a zero length, or a file that ends inside a message is an
// error reported with its byte offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "feed.hpp"
#include "lobster.hpp"
#include "types.hpp"

namespace engine {

struct ItchStock {
    std::uint16_t locate;
    char symbol[8];            // space-padded, as on the wire
    std::uint8_t market_category;
    std::uint8_t financial_status;
    std::uint32_t round_lot;
};

struct DecodeResult {
    std::size_t consumed = 0;   // bytes of whole messages used
    std::size_t produced = 0;   // records written
    std::uint64_t error_offset = 0;  // byte offset in the stream of the bad message
    const char* error = nullptr;
};

class ItchDecoder {
public:
    DecodeResult decode(const std::uint8_t* data, std::size_t len, bool final, FeedMessage* out,
                        std::size_t capacity) {
        DecodeResult r;
        std::size_t p = 0;
        while (r.produced < capacity) {
            if (p + 2 > len) {
                if (final && p < len) fail(r, p, "the file ends inside a length prefix (truncated)");
                break;
            }
            const std::size_t n = (std::size_t{data[p]} << 8) | data[p + 1];
            if (n == 0) { fail(r, p, "a message of length 0"); break; }
            if (p + 2 + n > len) {
                if (final) fail(r, p, "the file ends inside a message (truncated)");
                break;
            }
            const std::uint8_t* m = data + p + 2;
            const char* why = decode_one(m, n, out[r.produced], &r.produced);
            if (why) { fail(r, p, why); break; }
            ++messages_;
            p += 2 + n;
            r.consumed = p;
        }
        offset_ += r.consumed;
        return r;
    }

    std::uint64_t messages() const noexcept { return messages_; }
    std::uint64_t skipped() const noexcept { return skipped_; }
    const std::vector<ItchStock>& stocks() const noexcept { return stocks_; }

private:
    static std::uint64_t be(const std::uint8_t* p, int bytes) noexcept {
        std::uint64_t v = 0;
        for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
        return v;
    }

    static std::size_t expected_length(std::uint8_t type) noexcept {
        switch (type) {
            case 'S': return 12;
            case 'R': return 39;
            case 'H': return 25;
            case 'A': return 36;
            case 'F': return 40;
            case 'E': return 31;
            case 'C': return 36;
            case 'X': return 23;
            case 'D': return 19;
            case 'U': return 35;
            case 'P': return 44;
            case 'Q': return 40;
            default: return 0;
        }
    }

    void fail(DecodeResult& r, std::size_t at, const char* why) noexcept {
        r.error = why;
        r.error_offset = offset_ + at;
    }

    const char* decode_one(const std::uint8_t* m, std::size_t n, FeedMessage& f, std::size_t* produced) {
        const std::uint8_t type = m[0];
        const std::size_t want = expected_length(type);
        if (want == 0) {  // a type this decoder does not use: skip by its length
            ++skipped_;
            return nullptr;
        }
        if (n != want) return "a known message type with the wrong length";
        f = FeedMessage{};
        f.locate = static_cast<std::uint16_t>(be(m + 1, 2));
        f.ts = static_cast<Timestamp>(be(m + 5, 6));
        auto side_of = [](std::uint8_t c) -> std::uint8_t {
            if (c == 'B') return static_cast<std::uint8_t>(Side::Buy);
            if (c == 'S') return static_cast<std::uint8_t>(Side::Sell);
            return 0;
        };
        switch (type) {
            case 'A':
            case 'F':
                f.kind = static_cast<std::uint8_t>(FeedKind::Add);
                f.order_id = be(m + 11, 8);
                f.side = side_of(m[19]);
                f.quantity = static_cast<Quantity>(be(m + 20, 4));
                f.price = static_cast<Price>(be(m + 32, 4));
                if (!f.side) return "an add order with a side other than B or S";
                break;
            case 'E':
                f.kind = static_cast<std::uint8_t>(FeedKind::Execute);
                f.order_id = be(m + 11, 8);
                f.quantity = static_cast<Quantity>(be(m + 19, 4));
                break;
            case 'C':
                f.kind = static_cast<std::uint8_t>(FeedKind::ExecuteAtPrice);
                f.order_id = be(m + 11, 8);
                f.quantity = static_cast<Quantity>(be(m + 19, 4));
                f.code = m[31];  // printable
                f.price = static_cast<Price>(be(m + 32, 4));
                break;
            case 'X':
                f.kind = static_cast<std::uint8_t>(FeedKind::Cancel);
                f.order_id = be(m + 11, 8);
                f.quantity = static_cast<Quantity>(be(m + 19, 4));
                break;
            case 'D':
                f.kind = static_cast<std::uint8_t>(FeedKind::Delete);
                f.order_id = be(m + 11, 8);
                break;
            case 'U':
                f.kind = static_cast<std::uint8_t>(FeedKind::Replace);
                f.order_id = be(m + 11, 8);
                f.new_order_id = be(m + 19, 8);
                f.quantity = static_cast<Quantity>(be(m + 27, 4));
                f.price = static_cast<Price>(be(m + 31, 4));
                break;
            case 'P':
                f.kind = static_cast<std::uint8_t>(FeedKind::HiddenExecution);
                f.order_id = be(m + 11, 8);
                f.side = side_of(m[19]);
                f.quantity = static_cast<Quantity>(be(m + 20, 4));
                f.price = static_cast<Price>(be(m + 32, 4));
                break;
            case 'Q':
                f.kind = static_cast<std::uint8_t>(FeedKind::CrossTrade);
                f.quantity = static_cast<Quantity>(be(m + 11, 8));
                f.price = static_cast<Price>(be(m + 27, 4));
                f.code = m[39];  // cross type
                break;
            case 'S':
                f.kind = static_cast<std::uint8_t>(FeedKind::SystemEvent);
                f.code = m[11];
                break;
            case 'H':
                f.kind = static_cast<std::uint8_t>(FeedKind::TradingHalt);
                f.code = m[19];  // trading state: H halted, P paused, Q quotation only, T trading
                break;
            case 'R': {
                f.kind = static_cast<std::uint8_t>(FeedKind::StockDirectory);
                f.code = m[19];
                ItchStock s{};
                s.locate = f.locate;
                std::memcpy(s.symbol, m + 11, 8);
                s.market_category = m[19];
                s.financial_status = m[20];
                s.round_lot = static_cast<std::uint32_t>(be(m + 21, 4));
                stocks_.push_back(s);
                break;
            }
        }
        ++*produced;
        return nullptr;
    }

    std::uint64_t offset_ = 0;
    std::uint64_t messages_ = 0;
    std::uint64_t skipped_ = 0;
    std::vector<ItchStock> stocks_;
};

}  // namespace engine
