// Order id -> pool slot, in O(1).
//
// Open addressing with linear probing and backward-shift deletion (no
// tombstones, so lookups stay short under heavy cancel traffic). Key 0 marks an
// empty slot, which is why order id 0 is reserved. The table doubles when it
// is half full: growth is amortised and nothing is allocated per order. Growth
// builds the new table before giving up the old one, so running out of memory
// (std::bad_alloc) leaves the index exactly as it was.
#pragma once

#include <cstdint>
#include <vector>

#include "price.hpp"

namespace engine {

class OrderIndex {
public:
    static constexpr std::uint32_t kNotFound = 0xFFFFFFFFu;

    OrderIndex() { reset(16); }

    std::uint32_t find(OrderId id) const noexcept {
        if (id == 0) return kNotFound;  // 0 marks an empty slot, never a key
        std::size_t i = home(id);
        while (true) {
            const Slot& s = slots_[i];
            if (s.key == id) return s.value;
            if (s.key == 0) return kNotFound;
            i = (i + 1) & mask_;
        }
    }

    bool contains(OrderId id) const noexcept { return find(id) != kNotFound; }

    // Hint the CPU to load the slot where `id` would be (for replay loops
    // that know the ids of messages ahead).
    void prefetch(OrderId id) const noexcept { __builtin_prefetch(&slots_[home(id)]); }

    // Insert a key if it is absent (one probe); false when it is present.
    bool try_insert(OrderId id, std::uint32_t value) {
        if (id == 0) return false;
        if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.size() * 2);
        std::size_t i = home(id);
        while (slots_[i].key != 0) {
            if (slots_[i].key == id) return false;
            i = (i + 1) & mask_;
        }
        slots_[i] = Slot{id, value};
        ++size_;
        return true;
    }

    // Insert a key that is known to be absent.
    [[gnu::always_inline]] void insert(OrderId id, std::uint32_t value) {
        if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.size() * 2);
        place(id, value);
        ++size_;
    }

    // Point an existing key at another slot.
    void update(OrderId id, std::uint32_t value) noexcept {
        std::size_t i = home(id);
        while (slots_[i].key != id) i = (i + 1) & mask_;
        slots_[i].value = value;
    }

    // Remove a key that is known to be present.
    void erase(OrderId id) noexcept {
        std::size_t i = home(id);
        while (slots_[i].key != id) i = (i + 1) & mask_;
        // Backward-shift: pull later members of the probe run into the hole
        // whenever the hole lies on their path from their home slot.
        std::size_t hole = i;
        std::size_t j = i;
        while (true) {
            j = (j + 1) & mask_;
            if (slots_[j].key == 0) break;
            const std::size_t h = home(slots_[j].key);
            const bool hole_on_path = ((j - h) & mask_) >= ((j - hole) & mask_);
            if (hole_on_path) {
                slots_[hole] = slots_[j];
                hole = j;
            }
        }
        slots_[hole] = Slot{};
        --size_;
    }

    // Make room for one more key now, so the next insert cannot fail.
    [[gnu::always_inline]] void make_room_for_one() {
        if ((size_ + 1) * 2 > slots_.size()) [[unlikely]] rehash(slots_.size() * 2);
    }

    // Make room for `n` keys without growing again.
    void reserve(std::size_t n) {
        std::size_t cap = slots_.size();
        while (n * 2 > cap) cap *= 2;
        if (cap != slots_.size()) rehash(cap);
    }

    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return slots_.size(); }

private:
    struct Slot {
        OrderId key = 0;
        std::uint32_t value = 0;
    };

    // Fibonacci hashing: sequential ids spread over the whole table.
    static std::size_t home(OrderId id, int shift) noexcept {
        return static_cast<std::size_t>((id * 0x9E3779B97F4A7C15ull) >> shift);
    }
    std::size_t home(OrderId id) const noexcept { return home(id, shift_); }

    static void place(std::vector<Slot>& slots, int shift, OrderId id, std::uint32_t value) noexcept {
        const std::size_t mask = slots.size() - 1;
        std::size_t i = home(id, shift);
        while (slots[i].key != 0) i = (i + 1) & mask;
        slots[i] = Slot{id, value};
    }
    void place(OrderId id, std::uint32_t value) noexcept { place(slots_, shift_, id, value); }

    static int shift_for(std::size_t capacity) noexcept {
        int bits = 0;
        while ((std::size_t{1} << bits) < capacity) ++bits;
        return 64 - bits;
    }

    void reset(std::size_t capacity) {
        slots_.assign(capacity, Slot{});
        mask_ = capacity - 1;
        shift_ = shift_for(capacity);
    }

    // Strong guarantee: the new table is complete before the old one goes.
    [[gnu::noinline]] void rehash(std::size_t capacity) {
        std::vector<Slot> fresh(capacity);  // may throw; nothing has changed yet
        const int shift = shift_for(capacity);
        for (const Slot& s : slots_)
            if (s.key != 0) place(fresh, shift, s.key, s.value);
        slots_.swap(fresh);
        mask_ = capacity - 1;
        shift_ = shift;
    }

    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
    int shift_ = 64;
    std::size_t size_ = 0;
};

}  // namespace engine
