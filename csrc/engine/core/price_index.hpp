// Price -> level slot for one side of a book, in O(1): the ladder's lookup by
// price, whatever the level's distance from the touch (the sorted array and
// the treap keep the order; this finds).
//
// Open addressing with linear probing and backward-shift deletion over 32-bit
// level slots; the key of a slot is its level's price, read from the ladder's
// level array (the caller passes a function from slot to price). Prices are
// multiples of a tick, so the home slot is a multiplicative hash of the price.
// The table doubles at half full; growth builds the new table first, so
// running out of memory (std::bad_alloc) leaves it as it was.
#pragma once

#include <cstdint>
#include <vector>

#include "price.hpp"

namespace engine {

class PriceIndex {
public:
    static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;

    PriceIndex() { table_.assign(8, kEmpty); mask_ = 7; }

    // The slot whose price is p, or kEmpty.
    template <class PriceOf>
    std::uint32_t find(Price p, PriceOf&& price_of) const noexcept {
        for (std::size_t i = home(p);; i = (i + 1) & mask_) {
            const std::uint32_t s = table_[i];
            if (s == kEmpty || price_of(s) == p) return s;
        }
    }

    // Add a slot whose price is absent. Cannot fail after make_room_for_one().
    template <class PriceOf>
    void insert(std::uint32_t slot, Price p, PriceOf&& price_of) {
        if ((size_ + 1) * 2 > table_.size()) grow(price_of);  // a no-op when the caller made room
        place(slot, p);
        ++size_;
    }

    // Remove the slot whose price is p (it must be there).
    template <class PriceOf>
    void erase(Price p, PriceOf&& price_of) noexcept {
        std::size_t i = home(p);
        while (price_of(table_[i]) != p) i = (i + 1) & mask_;
        std::size_t hole = i;
        for (std::size_t j = (i + 1) & mask_; table_[j] != kEmpty; j = (j + 1) & mask_) {
            const std::size_t h = home(price_of(table_[j]));
            if (((j - h) & mask_) >= ((j - hole) & mask_)) {  // the hole is on its way from home
                table_[hole] = table_[j];
                hole = j;
            }
        }
        table_[hole] = kEmpty;
        --size_;
    }

    // Room for one more price now, so the next insert cannot fail.
    template <class PriceOf>
    [[gnu::always_inline]] void make_room_for_one(PriceOf&& price_of) {
        if ((size_ + 1) * 2 > table_.size()) [[unlikely]] grow(price_of);
    }

    std::size_t size() const noexcept { return size_; }
    std::size_t memory_bytes() const noexcept { return table_.capacity() * sizeof(std::uint32_t); }

private:
    std::size_t home(Price p) const noexcept {
        return static_cast<std::size_t>((static_cast<std::uint64_t>(p) * 0x9E3779B97F4A7C15ull) >> 32) & mask_;
    }

    void place(std::uint32_t slot, Price p) noexcept {
        std::size_t i = home(p);
        while (table_[i] != kEmpty) i = (i + 1) & mask_;
        table_[i] = slot;
    }

    template <class PriceOf>
    [[gnu::cold, gnu::noinline]] void grow(PriceOf&& price_of) {
        std::vector<std::uint32_t> fresh(table_.size() * 2, kEmpty);  // may throw; nothing has changed yet
        fresh.swap(table_);
        mask_ = table_.size() - 1;
        for (std::uint32_t s : fresh)
            if (s != kEmpty) place(s, price_of(s));
    }

    std::vector<std::uint32_t> table_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};

}  // namespace engine
