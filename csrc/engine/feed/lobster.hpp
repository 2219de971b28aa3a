// Reading LOBSTER files: message files into FeedMessage records, and orderbook
// files into rows of integers. Both parse text in chunks the caller hands in
// (plain, or already decompressed), keep no state between rows but the line
// number, and report the first malformed row by line and column.
//
// Message columns: time (seconds after midnight, read to the nanosecond), type,
// order id, size, price (units of $0.0001), direction (1 buy, -1 sell), and in
// newer exports a seventh column (ignored). A header row is skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "../core/records.hpp"
#include "../core/types.hpp"

namespace engine {

struct ParseResult {
    std::size_t consumed = 0;   // bytes of whole lines used (the rest is a partial line)
    std::size_t produced = 0;   // records written
    std::uint64_t error_line = 0;  // 1-based line of the first malformed row (0: none)
    const char* error = nullptr;   // what was wrong with it
};

namespace detail {

// A run of decimal digits as an unsigned value; returns how many digits.
inline std::ptrdiff_t parse_digits(const char*& p, const char* end, std::uint64_t* out) noexcept {
    const char* start = p;
    std::uint64_t v = 0;
    while (p < end) {
        const unsigned d = static_cast<unsigned char>(*p) - static_cast<unsigned>('0');
        if (d > 9) break;
        v = v * 10 + d;
        ++p;
    }
    *out = v;
    return p - start;
}

inline bool parse_int(const char*& p, const char* end, std::int64_t* out) noexcept {
    bool neg = false;
    if (p < end && (*p == '-' || *p == '+')) neg = *p++ == '-';
    std::uint64_t v = 0;
    const std::ptrdiff_t digits = parse_digits(p, end, &v);
    if (digits == 0 || digits > 18) return false;  // 18 digits always fit in int64: no per-digit check
    *out = neg ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
    return true;
}

// "34200.004241176" -> 34200004241176 ns. Digits past the ninth decimal (a
// time re-saved through a float: "35821.088778456004") round to the nearest
// nanosecond, a half upwards; there may be any number of them.
inline bool parse_seconds(const char*& p, const char* end, std::int64_t* ns) noexcept {
    std::int64_t whole = 0;
    if (!parse_int(p, end, &whole) || whole < 0 || whole > 1'000'000'000) return false;
    std::int64_t frac = 0;
    if (p < end && *p == '.') {
        ++p;
        int digits = 0;
        bool round_up = false;
        for (; p < end; ++p, ++digits) {
            const unsigned d = static_cast<unsigned char>(*p) - static_cast<unsigned>('0');
            if (d > 9) break;
            if (digits < 9) frac = frac * 10 + d;
            else if (digits == 9) round_up = d >= 5;
        }
        for (int k = digits; k < 9; ++k) frac *= 10;
        frac += round_up ? 1 : 0;  // may make a whole second: 0.9999999996 -> 1 s
    }
    *ns = whole * 1'000'000'000 + frac;
    return true;
}

inline bool field_end(const char*& p, const char* end) noexcept {
    if (p < end && *p == ',') { ++p; return true; }
    return false;
}

inline bool looks_like_header(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '"' || c == '#';
}

// Walk the whole lines of a chunk (a last line without a newline only when
// `final`), skipping empty lines, a UTF-8 byte order mark and a header on line 1
// (one that starts with a letter or a quote, where `starts_row` says a row
// cannot start; anything else there is parsed as a row, so a file of another
// format fails on line 1 instead of losing it). `row(begin, end, index)` parses one row into
// record `index` and returns nullptr or what was wrong with it. Stops after
// `max_rows` rows, at a partial line, or at the first malformed row.
template <class StartsRow, class Row>
inline ParseResult parse_lines(const char* data, std::size_t len, bool final, std::size_t max_rows,
                               std::uint64_t& line, StartsRow starts_row, Row row) {
    ParseResult r;
    const char* p = data;
    const char* end = data + len;
    while (p < end && r.produced < max_rows) {
        const void* found = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
        const char* nl = found ? static_cast<const char*>(found) : end;
        if (nl == end && !final) break;  // a partial line: wait for more
        const char* line_end = (nl > p && nl[-1] == '\r') ? nl - 1 : nl;
        ++line;
        if (line == 1 && line_end - p >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0) p += 3;
        const bool skip = line_end == p || (line == 1 && !starts_row(*p) && looks_like_header(*p));
        if (!skip) {
            if (const char* why = row(p, line_end, r.produced)) {
                r.error_line = line;
                r.error = why;
                return r;
            }
            ++r.produced;
        }
        p = nl < end ? nl + 1 : nl;
        r.consumed = static_cast<std::size_t>(p - data);
    }
    return r;
}

}  // namespace detail

class LobsterMessageParser {
public:
    // Parse whole lines of `data`; with `final`, a last line without a newline
    // is parsed too. Writes at most `capacity` records.
    ParseResult parse(const char* data, std::size_t len, bool final, FeedMessage* out, std::size_t capacity) {
        return detail::parse_lines(
            data, len, final, capacity, line_, [](char c) { return c >= '0' && c <= '9'; },
            [out](const char* begin, const char* end, std::size_t i) { return parse_line(begin, end, out[i]); });
    }

    std::uint64_t lines() const noexcept { return line_; }

private:
    static const char* parse_line(const char* p, const char* end, FeedMessage& m) {
        using detail::field_end;
        using detail::parse_int;
        std::int64_t type = 0, id = 0, size = 0, price = 0, dir = 0;
        m = FeedMessage{};
        if (!detail::parse_seconds(p, end, &m.ts) || (p < end && *p != ',')) return "bad time (column 1)";
        if (!field_end(p, end)) return "only 1 of 6 columns";
        if (!parse_int(p, end, &type)) return "bad type (column 2)";
        if (!field_end(p, end)) return "only 2 of 6 columns";
        if (!parse_int(p, end, &id)) return "bad order id (column 3)";
        if (!field_end(p, end)) return "only 3 of 6 columns";
        if (!parse_int(p, end, &size)) return "bad size (column 4)";
        if (!field_end(p, end)) return "only 4 of 6 columns: no price";
        if (!parse_int(p, end, &price)) return "bad price (column 5)";
        if (!field_end(p, end)) return "only 5 of 6 columns: no direction";
        if (!parse_int(p, end, &dir)) return "bad direction (column 6)";
        if (p < end && *p != ',') return "unexpected text after column 6";
        if (type < 1 || type > 7) return "unknown message type (column 2)";
        if (dir != 1 && dir != -1) return "direction must be 1 or -1 (column 6)";
        if (size < 0) return "negative size (column 4)";
        static constexpr FeedKind kKinds[] = {FeedKind::None, FeedKind::Add, FeedKind::Cancel, FeedKind::Delete,
                                              FeedKind::Execute, FeedKind::HiddenExecution, FeedKind::CrossTrade,
                                              FeedKind::TradingHalt};
        m.kind = static_cast<std::uint8_t>(kKinds[type]);
        m.order_id = id > 0 ? static_cast<std::uint64_t>(id) : 0;
        m.quantity = size;
        m.price = price;
        m.side = static_cast<std::uint8_t>(dir == 1 ? Side::Buy : Side::Sell);
        return nullptr;
    }

    std::uint64_t line_ = 0;
};

// Rows of comma-separated integers with a fixed number of columns (LOBSTER
// orderbook files: ask price, ask size, bid price, bid size, per level).
class IntRowParser {
public:
    explicit IntRowParser(std::size_t columns) : columns_(columns) {}

    ParseResult parse(const char* data, std::size_t len, bool final, std::int64_t* out, std::size_t max_rows) {
        return detail::parse_lines(
            data, len, final, max_rows, line_, [](char c) { return (c >= '0' && c <= '9') || c == '-'; },
            [this, out](const char* begin, const char* end, std::size_t i) {
                return parse_row(begin, end, out + i * columns_);
            });
    }

private:
    const char* parse_row(const char* p, const char* end, std::int64_t* row) const noexcept {
        for (std::size_t c = 0; c < columns_; ++c) {
            if (!detail::parse_int(p, end, &row[c]) || (c + 1 < columns_ && !detail::field_end(p, end)))
                return "expected an integer in every column";
        }
        return p == end ? nullptr : "more columns than expected";
    }

    std::size_t columns_;
    std::uint64_t line_ = 0;
};

}  // namespace engine
