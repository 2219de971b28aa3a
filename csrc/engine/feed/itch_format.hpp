// The layout of the Nasdaq TotalView-ITCH 5.0 messages this project reads and
// writes: one table of lengths and field offsets, shared by the decoder
// (itch.hpp) and the writer (tools/itch_writer.hpp), so the two cannot
// disagree. Every message starts with type (offset 0, 1 byte), stock locate (1,
// 2), tracking number (3, 2) and a timestamp (5, 6 bytes, ns after midnight);
// integers are big-endian, prices have 4 implied decimals (the engine's unit).
#pragma once

#include <cstddef>
#include <cstdint>

namespace engine::itch {

struct Field {
    std::uint8_t offset;
    std::uint8_t bytes;
};

inline constexpr Field kType{0, 1}, kLocate{1, 2}, kTracking{3, 2}, kTimestamp{5, 6};

namespace system_event {  // 'S'
inline constexpr std::size_t kLength = 12;
inline constexpr Field kCode{11, 1};
}  // namespace system_event

namespace stock_directory {  // 'R'
inline constexpr std::size_t kLength = 39;
inline constexpr Field kStock{11, 8}, kMarketCategory{19, 1}, kFinancialStatus{20, 1}, kRoundLot{21, 4};
}  // namespace stock_directory

namespace trading_action {  // 'H'
inline constexpr std::size_t kLength = 25;
inline constexpr Field kStock{11, 8}, kState{19, 1}, kReserved{20, 1}, kReason{21, 4};
}  // namespace trading_action

namespace add_order {  // 'A', and 'F' with an MPID attribution after it
inline constexpr std::size_t kLength = 36, kLengthWithMpid = 40;
inline constexpr Field kRef{11, 8}, kSide{19, 1}, kShares{20, 4}, kStock{24, 8}, kPrice{32, 4}, kMpid{36, 4};
}  // namespace add_order

namespace executed {  // 'E'
inline constexpr std::size_t kLength = 31;
inline constexpr Field kRef{11, 8}, kShares{19, 4}, kMatch{23, 8};
}  // namespace executed

namespace executed_at_price {  // 'C'
inline constexpr std::size_t kLength = 36;
inline constexpr Field kRef{11, 8}, kShares{19, 4}, kMatch{23, 8}, kPrintable{31, 1}, kPrice{32, 4};
}  // namespace executed_at_price

namespace cancel {  // 'X'
inline constexpr std::size_t kLength = 23;
inline constexpr Field kRef{11, 8}, kShares{19, 4};
}  // namespace cancel

namespace del {  // 'D'
inline constexpr std::size_t kLength = 19;
inline constexpr Field kRef{11, 8};
}  // namespace del

namespace replace {  // 'U'
inline constexpr std::size_t kLength = 35;
inline constexpr Field kOldRef{11, 8}, kNewRef{19, 8}, kShares{27, 4}, kPrice{31, 4};
}  // namespace replace

namespace trade {  // 'P', a non-cross trade against non-displayed interest
inline constexpr std::size_t kLength = 44;
inline constexpr Field kRef{11, 8}, kSide{19, 1}, kShares{20, 4}, kStock{24, 8}, kPrice{32, 4}, kMatch{36, 8};
}  // namespace trade

namespace cross_trade {  // 'Q'
inline constexpr std::size_t kLength = 40;
inline constexpr Field kShares{11, 8}, kStock{19, 8}, kPrice{27, 4}, kMatch{31, 8}, kCrossType{39, 1};
}  // namespace cross_trade

namespace reg_sho {  // 'Y', a type the decoder skips
inline constexpr std::size_t kLength = 20;
inline constexpr Field kStock{11, 8}, kAction{19, 1};
}  // namespace reg_sho

// The length of a message type the decoder uses, or 0 for one it skips.
constexpr std::size_t length_of(std::uint8_t type) noexcept {
    switch (type) {
        case 'S': return system_event::kLength;
        case 'R': return stock_directory::kLength;
        case 'H': return trading_action::kLength;
        case 'A': return add_order::kLength;
        case 'F': return add_order::kLengthWithMpid;
        case 'E': return executed::kLength;
        case 'C': return executed_at_price::kLength;
        case 'X': return cancel::kLength;
        case 'D': return del::kLength;
        case 'U': return replace::kLength;
        case 'P': return trade::kLength;
        case 'Q': return cross_trade::kLength;
        default: return 0;
    }
}

// The length of every other ITCH 5.0 message type (the decoder skips them,
// but checks the length, so a file of another format fails on its first
// frames instead of being skipped through), or 0 for a type ITCH 5.0 lacks.
constexpr std::size_t skipped_length_of(std::uint8_t type) noexcept {
    switch (type) {
        case 'Y': return reg_sho::kLength;
        case 'L': return 26;  // market participant position
        case 'V': return 35;  // MWCB decline levels
        case 'W': return 12;  // MWCB status
        case 'K': return 28;  // IPO quoting period update
        case 'J': return 35;  // LULD auction collar
        case 'h': return 21;  // operational halt
        case 'B': return 19;  // broken trade
        case 'I': return 50;  // net order imbalance indicator (NOII)
        case 'N': return 20;  // retail price improvement indicator
        case 'O': return 48;  // direct listing with capital raise price discovery
        default: return 0;
    }
}

// Big-endian reads and writes of a field.
inline std::uint64_t get(const std::uint8_t* m, Field f) noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < f.bytes; ++i) v = (v << 8) | m[f.offset + i];
    return v;
}

inline void put(std::uint8_t* m, Field f, std::uint64_t v) noexcept {
    for (int i = f.bytes - 1; i >= 0; --i) {
        m[f.offset + i] = static_cast<std::uint8_t>(v & 0xFF);
        v >>= 8;
    }
}

}  // namespace engine::itch
