// Decoding Nasdaq TotalView-ITCH 5.0 into FeedMessage records.
//
// Each message is framed by a 2-byte big-endian length; the layouts are in
// itch_format.hpp. The order messages (A F E C X D U P Q), system
// events (S), the stock directory (R) and trading actions (H) are decoded;
// the other ITCH 5.0 types are skipped by their length and counted. A type
// ITCH 5.0 lacks, a type with the wrong length, a zero length, or a file that
// ends inside a message is an error reported with its byte offset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "../core/records.hpp"
#include "../core/types.hpp"
#include "itch_format.hpp"
#include "lobster.hpp"

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
            // The type and its length are checked as soon as the type byte is
            // in, so a file of another format fails on its first frame.
            if (p + 2 < len) {
                if (const char* why = frame_problem(data[p + 2], n)) { fail(r, p, why); break; }
            }
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
    // What is wrong with a frame of this type and length, or nullptr.
    static const char* frame_problem(std::uint8_t type, std::size_t n) noexcept {
        const std::size_t used = itch::length_of(type);
        const std::size_t want = used ? used : itch::skipped_length_of(type);
        if (want == 0) return "not an ITCH 5.0 message type (is this an ITCH 5.0 file?)";
        return n == want ? nullptr : "a known message type with the wrong length";
    }

    void fail(DecodeResult& r, std::size_t at, const char* why) noexcept {
        r.error = why;
        r.error_offset = offset_ + at;
    }

    const char* decode_one(const std::uint8_t* m, std::size_t n, FeedMessage& f, std::size_t* produced) {
        using itch::get;
        const std::uint8_t type = m[0];
        if (itch::length_of(type) == 0) {  // a type this decoder does not use (frame_problem checked it)
            ++skipped_;
            return nullptr;
        }
        f = FeedMessage{};
        f.locate = static_cast<std::uint16_t>(get(m, itch::kLocate));
        f.ts = static_cast<Timestamp>(get(m, itch::kTimestamp));
        auto side_of = [](std::uint64_t c) -> std::uint8_t {
            if (c == 'B') return static_cast<std::uint8_t>(Side::Buy);
            if (c == 'S') return static_cast<std::uint8_t>(Side::Sell);
            return 0;
        };
        switch (type) {
            case 'A':
            case 'F': {
                namespace a = itch::add_order;
                f.kind = static_cast<std::uint8_t>(FeedKind::Add);
                f.order_id = get(m, a::kRef);
                f.side = side_of(get(m, a::kSide));
                f.quantity = static_cast<Quantity>(get(m, a::kShares));
                f.price = static_cast<Price>(get(m, a::kPrice));
                if (!f.side) return "an add order with a side other than B or S";
                break;
            }
            case 'E':
                f.kind = static_cast<std::uint8_t>(FeedKind::Execute);
                f.order_id = get(m, itch::executed::kRef);
                f.quantity = static_cast<Quantity>(get(m, itch::executed::kShares));
                break;
            case 'C': {
                namespace c = itch::executed_at_price;
                f.kind = static_cast<std::uint8_t>(FeedKind::ExecuteAtPrice);
                f.order_id = get(m, c::kRef);
                f.quantity = static_cast<Quantity>(get(m, c::kShares));
                f.code = static_cast<std::uint8_t>(get(m, c::kPrintable));
                f.price = static_cast<Price>(get(m, c::kPrice));
                break;
            }
            case 'X':
                f.kind = static_cast<std::uint8_t>(FeedKind::Cancel);
                f.order_id = get(m, itch::cancel::kRef);
                f.quantity = static_cast<Quantity>(get(m, itch::cancel::kShares));
                break;
            case 'D':
                f.kind = static_cast<std::uint8_t>(FeedKind::Delete);
                f.order_id = get(m, itch::del::kRef);
                break;
            case 'U': {
                namespace u = itch::replace;
                f.kind = static_cast<std::uint8_t>(FeedKind::Replace);
                f.order_id = get(m, u::kOldRef);
                f.new_order_id = get(m, u::kNewRef);
                f.quantity = static_cast<Quantity>(get(m, u::kShares));
                f.price = static_cast<Price>(get(m, u::kPrice));
                break;
            }
            case 'P': {
                namespace t = itch::trade;
                f.kind = static_cast<std::uint8_t>(FeedKind::HiddenExecution);
                f.order_id = get(m, t::kRef);
                f.side = side_of(get(m, t::kSide));
                f.quantity = static_cast<Quantity>(get(m, t::kShares));
                f.price = static_cast<Price>(get(m, t::kPrice));
                break;
            }
            case 'Q': {
                namespace q = itch::cross_trade;
                f.kind = static_cast<std::uint8_t>(FeedKind::CrossTrade);
                f.quantity = static_cast<Quantity>(get(m, q::kShares));
                f.price = static_cast<Price>(get(m, q::kPrice));
                f.code = static_cast<std::uint8_t>(get(m, q::kCrossType));
                break;
            }
            case 'S':
                f.kind = static_cast<std::uint8_t>(FeedKind::SystemEvent);
                f.code = static_cast<std::uint8_t>(get(m, itch::system_event::kCode));
                break;
            case 'H':  // trading state: H halted, P paused, Q quotation only, T trading
                f.kind = static_cast<std::uint8_t>(FeedKind::TradingHalt);
                f.code = static_cast<std::uint8_t>(get(m, itch::trading_action::kState));
                break;
            case 'R': {
                namespace r = itch::stock_directory;
                f.kind = static_cast<std::uint8_t>(FeedKind::StockDirectory);
                f.code = static_cast<std::uint8_t>(get(m, r::kMarketCategory));
                ItchStock s{};
                s.locate = f.locate;
                std::memcpy(s.symbol, m + r::kStock.offset, r::kStock.bytes);
                s.market_category = static_cast<std::uint8_t>(get(m, r::kMarketCategory));
                s.financial_status = static_cast<std::uint8_t>(get(m, r::kFinancialStatus));
                s.round_lot = static_cast<std::uint32_t>(get(m, r::kRoundLot));
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
