// One side of a book: its price levels and the FIFO queues inside them.
//
// Levels are kept in a sorted array with the best price at the back. Almost
// all activity happens near the touch, so inserting or removing a level moves
// only the few entries between it and the best price, removing the best level
// is a pop_back, and the best price is read in O(1). Memory is proportional to
// the number of live levels (a few hundred bytes for an empty book), whatever
// the range of prices: no dense array over $0.0001..$10M.
//
// Each level has two queues: displayed orders first, then non-displayed ones
// (price / display / time priority, as on the US exchanges).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "order_pool.hpp"
#include "price.hpp"

namespace engine {

struct Level {
    Price price;
    std::uint32_t display_head, display_tail;
    std::uint32_t hidden_head, hidden_tail;
    std::uint64_t displayed_qty;    // shares displayed at this price
    std::uint64_t offset_qty;       // shares ranked here but displayed one tick less aggressive (slid)
    std::uint64_t total_qty;        // every share, reserve and hidden included
    std::uint32_t displayed_orders;
    std::uint32_t offset_orders;
    std::uint32_t total_orders;

    std::uint32_t front() const noexcept {
        return display_head != kNil ? display_head : hidden_head;
    }
    bool empty() const noexcept { return total_orders == 0; }
};

class PriceLadder {
public:
    explicit PriceLadder(Side side) : side_(side) {}

    Side side() const noexcept { return side_; }
    bool empty() const noexcept { return sorted_.empty(); }
    std::size_t level_count() const noexcept { return sorted_.size(); }

    // Best (highest bid / lowest offer) level; the ladder must not be empty.
    std::uint32_t best_level() const noexcept { return sorted_.back().level; }
    Price best_price() const noexcept { return levels_[sorted_.back().level].price; }

    Level& level(std::uint32_t slot) noexcept { return levels_[slot]; }
    const Level& level(std::uint32_t slot) const noexcept { return levels_[slot]; }

    // The i-th level counted from the best (0 = best).
    std::uint32_t level_at_rank(std::size_t i) const noexcept {
        return sorted_[sorted_.size() - 1 - i].level;
    }

    // Level slot at `price`, or kNil when there is none.
    std::uint32_t find(Price price) const noexcept {
        const std::int64_t k = key(price);
        if (sorted_.empty()) return kNil;
        if (sorted_.back().key == k) return sorted_.back().level;
        auto it = std::lower_bound(sorted_.begin(), sorted_.end(), k,
                                   [](const Entry& e, std::int64_t v) { return e.key < v; });
        return (it != sorted_.end() && it->key == k) ? it->level : kNil;
    }

    // Level slot at `price`, creating the level if it does not exist.
    std::uint32_t find_or_add(Price price) {
        const std::int64_t k = key(price);
        // Most prices land at or next to the touch: look there before searching.
        auto it = sorted_.end();
        if (!sorted_.empty() && sorted_.back().key <= k) {
            it = sorted_.back().key == k ? sorted_.end() - 1 : sorted_.end();
        } else {
            it = std::lower_bound(sorted_.begin(), sorted_.end(), k,
                                  [](const Entry& e, std::int64_t v) { return e.key < v; });
        }
        if (it != sorted_.end() && it->key == k) return it->level;
        // Strong guarantee: grow both arrays first, so running out of memory
        // leaves the ladder as it was.
        if (sorted_.size() == sorted_.capacity()) {
            const auto at = it - sorted_.begin();
            sorted_.reserve(sorted_.size() * 2 + 8);
            it = sorted_.begin() + at;
        }
        const std::uint32_t slot = new_level(price);
        sorted_.insert(it, Entry{k, slot});  // cannot throw: the capacity is there
        return slot;
    }

    // Remove an empty level.
    void remove_level(std::uint32_t slot) {
        const std::int64_t k = key(levels_[slot].price);
        if (sorted_.back().key == k) {
            sorted_.pop_back();
        } else {
            auto it = std::lower_bound(sorted_.begin(), sorted_.end(), k,
                                       [](const Entry& e, std::int64_t v) { return e.key < v; });
            sorted_.erase(it);
        }
        levels_[slot].display_head = free_head_;
        free_head_ = slot;
    }

    // Queue an order at the back of its level's displayed or hidden queue.
    [[gnu::always_inline]] void push_back(OrderPool& pool, std::uint32_t slot, std::uint32_t level_slot) {
        Order& o = pool[slot];
        Level& lv = levels_[level_slot];
        o.level = level_slot;
        o.next = kNil;
        std::uint32_t& head = o.hidden() ? lv.hidden_head : lv.display_head;
        std::uint32_t& tail = o.hidden() ? lv.hidden_tail : lv.display_tail;
        o.prev = tail;
        if (tail != kNil) pool[tail].next = slot; else head = slot;
        tail = slot;
        count(lv, o, +1);
    }

    // Queue an order by its time priority (o.ts) instead of at the back: an
    // order re-ranked without losing priority at the new price (REQ-LC-05).
    void insert_by_time(OrderPool& pool, std::uint32_t slot, std::uint32_t level_slot) {
        Order& o = pool[slot];
        Level& lv = levels_[level_slot];
        std::uint32_t& head = o.hidden() ? lv.hidden_head : lv.display_head;
        std::uint32_t& tail = o.hidden() ? lv.hidden_tail : lv.display_tail;
        std::uint32_t after = tail;
        while (after != kNil && pool[after].ts > o.ts) after = pool[after].prev;
        o.level = level_slot;
        o.prev = after;
        o.next = after == kNil ? head : pool[after].next;
        if (o.next != kNil) pool[o.next].prev = slot; else tail = slot;
        if (after != kNil) pool[after].next = slot; else head = slot;
        count(lv, o, +1);
    }

    // Take an order out of its level's queue (the level may become empty).
    void unlink(OrderPool& pool, std::uint32_t slot) noexcept {
        Order& o = pool[slot];
        Level& lv = levels_[o.level];
        std::uint32_t& head = o.hidden() ? lv.hidden_head : lv.display_head;
        std::uint32_t& tail = o.hidden() ? lv.hidden_tail : lv.display_tail;
        if (o.prev != kNil) pool[o.prev].next = o.next; else head = o.next;
        if (o.next != kNil) pool[o.next].prev = o.prev; else tail = o.prev;
        count(lv, o, -1);
    }

    // Keep the level totals right when an order's shown/reserve change in place.
    void adjust(const Order& o, std::int64_t d_shown, std::int64_t d_total) noexcept {
        Level& lv = levels_[o.level];
        lv.total_qty += static_cast<std::uint64_t>(d_total);
        if (o.hidden()) return;
        (o.display_offset() ? lv.offset_qty : lv.displayed_qty) += static_cast<std::uint64_t>(d_shown);
    }

    // Room for one more level now, so the next find_or_add cannot fail.
    [[gnu::always_inline]] void make_room_for_one() {
        if (sorted_.size() == sorted_.capacity() || (free_head_ == kNil && levels_.size() == levels_.capacity()))
            [[unlikely]] grow();
    }

    std::size_t memory_bytes() const noexcept {
        return levels_.capacity() * sizeof(Level) + sorted_.capacity() * sizeof(Entry);
    }

private:
    static void count(Level& lv, const Order& o, int sign) noexcept {
        const auto n = static_cast<std::uint64_t>(static_cast<std::int64_t>(sign));
        lv.total_qty += n * o.leaves();
        lv.total_orders += static_cast<std::uint32_t>(n);
        if (o.hidden()) return;
        if (o.display_offset()) {
            lv.offset_qty += n * o.shown;
            lv.offset_orders += static_cast<std::uint32_t>(n);
        } else {
            lv.displayed_qty += n * o.shown;
            lv.displayed_orders += static_cast<std::uint32_t>(n);
        }
    }

    struct Entry {
        std::int64_t key;  // ascending; the best price has the largest key
        std::uint32_t level;
    };

    std::int64_t key(Price p) const noexcept { return side_ == Side::Buy ? p : -p; }

    std::uint32_t new_level(Price price) {
        std::uint32_t slot;
        if (free_head_ != kNil) {
            slot = free_head_;
            free_head_ = levels_[slot].display_head;
        } else {
            levels_.emplace_back();
            slot = static_cast<std::uint32_t>(levels_.size() - 1);
        }
        levels_[slot] = Level{price, kNil, kNil, kNil, kNil, 0, 0, 0, 0, 0, 0};
        return slot;
    }

    [[gnu::cold, gnu::noinline]] void grow() {
        if (sorted_.size() == sorted_.capacity()) sorted_.reserve(sorted_.size() * 2 + 8);
        if (free_head_ == kNil && levels_.size() == levels_.capacity()) levels_.reserve(levels_.size() * 2 + 8);
    }

    Side side_;
    std::vector<Level> levels_;
    std::vector<Entry> sorted_;
    std::uint32_t free_head_ = kNil;
};

}  // namespace engine
