// Order id -> pool slot, in O(1).
//
// Open addressing, linear probing, Robin Hood placement: an entry never sits
// further from its home slot than the one it displaced, so a lookup stops as
// soon as it meets an entry nearer its own home (a miss costs a probe or two),
// and deletion shifts the run back until an entry is at home (no tombstones).
// Key 0 marks an empty slot, which is why order id 0 is reserved.
//
// The home slot is the id's low bits. Venues number orders upwards, so live
// ids sit side by side in the table and a lookup touches memory the last ones
// touched; pre-sizing the table (Book::reserve) spreads nothing. A hostile id
// pattern (every id the same modulo the table size) would pile ids into one
// run: an insertion that lands more than kMaxProbe slots from home makes the
// next make_room_for_one() rebuild the table with a seeded mixing hash, so no
// choice of ids can make lookups slow.
//
// The table doubles when it is half full: growth is amortised and nothing is
// allocated per order. Growth builds the new table before giving up the old
// one, so running out of memory (std::bad_alloc) leaves the index as it was.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "hash.hpp"
#include "price.hpp"

namespace engine {

class OrderIndex {
public:
    static constexpr std::uint32_t kNotFound = 0xFFFFFFFFu;
    static constexpr std::size_t kMaxProbe = 64;

    OrderIndex() : seed_(mix64(reinterpret_cast<std::uintptr_t>(this) ^ 0x2545F4914F6CDD1Dull)) { reset(16); }

    std::uint32_t find(OrderId id) const noexcept {
        if (id == 0) return kNotFound;  // 0 marks an empty slot, never a key
        std::size_t i = home(id);
        for (std::size_t d = 0;; ++d) {
            const Slot& s = slots_[i];
            if (s.key == id) return s.value;
            if (s.key == 0 || distance(i, s.key) < d) return kNotFound;
            i = (i + 1) & mask_;
        }
    }

    bool contains(OrderId id) const noexcept { return find(id) != kNotFound; }

    // Hint the CPU to load the slot where `id` would be (for replay loops
    // that know the ids of messages ahead).
    void prefetch(OrderId id) const noexcept { __builtin_prefetch(&slots_[home(id)]); }

    // Insert a key that is known to be absent. Cannot fail after make_room_for_one().
    [[gnu::always_inline]] void insert(OrderId id, std::uint32_t value) {
        make_room_for_one();  // a no-op when the caller made room
        place(Slot{id, value});
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
        // Backward shift: the entries after it move back one, up to the first
        // empty slot or entry already at home.
        for (std::size_t j = (i + 1) & mask_; slots_[j].key != 0 && distance(j, slots_[j].key) != 0;
             j = (j + 1) & mask_) {
            slots_[i] = slots_[j];
            i = j;
        }
        slots_[i] = Slot{};
        --size_;
    }

    // Make room for one more key now, so the next insert cannot fail (and
    // switch to the mixing hash if an insertion asked for it).
    [[gnu::always_inline]] void make_room_for_one() {
        if ((size_ + 1) * 2 > slots_.size() || wants_mixing_) [[unlikely]]
            rehash((size_ + 1) * 2 > slots_.size() ? slots_.size() * 2 : slots_.size(), mixing_ || wants_mixing_);
    }

    // Make room for `n` keys without growing again.
    void reserve(std::size_t n) {
        std::size_t cap = slots_.size();
        while (n * 2 > cap) cap *= 2;
        if (cap != slots_.size()) rehash(cap, mixing_);
    }

    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return slots_.size(); }
    bool mixing() const noexcept { return mixing_; }  // switched to the mixing hash (a hostile id pattern)

    // The table's own invariants (for check_integrity): every key findable from
    // its home with no empty slot on the way, the Robin Hood order, the count.
    const char* check() const noexcept {
        std::size_t n = 0;
        for (std::size_t j = 0; j < slots_.size(); ++j) {
            if (slots_[j].key == 0) continue;
            ++n;
            const std::size_t d = distance(j, slots_[j].key);
            if (d > 0 && slots_[(j - 1) & mask_].key == 0) return "id index: a key cut off from its home";
            if (d > 0 && distance((j - 1) & mask_, slots_[(j - 1) & mask_].key) + 1 < d)
                return "id index: keys out of Robin Hood order";
        }
        return n == size_ ? nullptr : "id index: count wrong";
    }

private:
    struct Slot {
        OrderId key = 0;
        std::uint32_t value = 0;
    };

    std::size_t home(OrderId id) const noexcept {
        return static_cast<std::size_t>(mixing_ ? mix64(id ^ seed_) : id) & mask_;
    }
    std::size_t distance(std::size_t slot, OrderId key) const noexcept { return (slot - home(key)) & mask_; }

    // Robin Hood insertion of an absent key; flags a run that grew too long.
    void place(Slot cur) noexcept {
        std::size_t i = home(cur.key);
        for (std::size_t d = 0;; ++d) {
            Slot& s = slots_[i];
            if (s.key == 0) {
                s = cur;
                if (d > kMaxProbe && !mixing_) wants_mixing_ = true;
                return;
            }
            const std::size_t ds = distance(i, s.key);
            if (ds < d) {  // the richer entry gives way and moves on
                std::swap(cur, s);
                d = ds;
            }
            i = (i + 1) & mask_;
        }
    }

    void reset(std::size_t capacity) {
        slots_.assign(capacity, Slot{});
        mask_ = capacity - 1;
    }

    // Strong guarantee: the new table is complete before the old one goes.
    [[gnu::cold, gnu::noinline]] void rehash(std::size_t capacity, bool mixing) {
        std::vector<Slot> fresh(capacity);  // may throw; nothing has changed yet
        std::vector<Slot> old;
        old.swap(slots_);
        slots_.swap(fresh);
        mask_ = capacity - 1;
        mixing_ = mixing;
        wants_mixing_ = false;
        for (const Slot& s : old)
            if (s.key != 0) place(s);  // may ask for mixing again: the next make_room_for_one switches
    }

    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
    std::uint64_t seed_;
    bool mixing_ = false;
    bool wants_mixing_ = false;
};

}  // namespace engine
