// One side of a book: its price levels and the FIFO queues inside them.
//
// Almost all activity happens near the touch, so the levels nearest it (at
// most kNearMax of them) are kept in a sorted array with the best price at the
// back: inserting or removing a level there moves only the few entries between
// it and the best price, removing the best level is a pop_back, and the best
// price is read in O(1). Levels further away, which only a deep book or a
// hostile caller creates, go to a treap keyed by price (O(log n) expected for
// any arrival order, where the array alone was O(n) a level, so quadratic for
// levels entered from the best price outwards). The treap's nodes are the
// Level records themselves, linked also in price order, so it allocates
// nothing and is walked best first without a stack. Every level in the treap
// is worse than every level in the array; when the array empties, the best
// kRefill levels move back into it.
//
// Finding a level by price goes through a hash of the prices (price_index.hpp),
// O(1) wherever the level is; the array and the treap only keep the order.
//
// Memory is proportional to the number of live levels (a few hundred bytes
// for an empty book), whatever the range of prices.
//
// Each level has two queues: displayed orders first, then non-displayed ones
// (price / display / time priority, as on the US exchanges).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "hash.hpp"
#include "order_pool.hpp"
#include "price.hpp"
#include "price_index.hpp"

// How many levels the sorted array keeps at most. Tests and the fuzzer build
// with a tiny window (-DENGINE_LADDER_NEAR_MAX=4) so the treap works on every
// operation; the product uses the default.
#ifndef ENGINE_LADDER_NEAR_MAX
#define ENGINE_LADDER_NEAR_MAX 256
#endif

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
    static constexpr std::size_t kNearMax = ENGINE_LADDER_NEAR_MAX;  // levels kept in the sorted array at most
    static constexpr std::size_t kSpill = kNearMax / 2;   // moved to the treap when the array is full
    static constexpr std::size_t kRefill = kNearMax / 2;  // moved back when the array empties
    static_assert(kNearMax >= 2 && kNearMax <= 4096, "ENGINE_LADDER_NEAR_MAX out of range");

    explicit PriceLadder(Side side) : side_(side), seed_(mix64(reinterpret_cast<std::uintptr_t>(this))) {}

    Side side() const noexcept { return side_; }
    bool empty() const noexcept { return near_.empty(); }
    std::size_t level_count() const noexcept { return near_.size() + far_count_; }

    // Best (highest bid / lowest offer) level; the ladder must not be empty.
    std::uint32_t best_level() const noexcept { return near_.back().level; }
    Price best_price() const noexcept { return levels_[near_.back().level].price; }

    Level& level(std::uint32_t slot) noexcept { return levels_[slot]; }
    const Level& level(std::uint32_t slot) const noexcept { return levels_[slot]; }

    // Every level from the best outwards; `f(slot)` returns false to stop.
    template <class F>
    void for_each_level(F&& f) const {
        for (std::size_t i = near_.size(); i-- > 0;)
            if (!f(near_[i].level)) return;
        for (std::uint32_t x = far_best_; x != kNil; x = links_[x].worse)
            if (!f(x)) return;
    }

    // Level slot at `price`, or kNil when there is none.
    std::uint32_t find(Price price) const noexcept { return prices_.find(price, PriceOf{levels_}); }

    // Level slot at `price`, creating the level if it does not exist. Cannot
    // fail after make_room_for_one().
    std::uint32_t find_or_add(Price price) {
        // Most prices land at the touch: look there before the index.
        if (!near_.empty() && levels_[near_.back().level].price == price) return near_.back().level;
        const std::uint32_t found = prices_.find(price, PriceOf{levels_});
        if (found != kNil) return found;
        make_room_for_one();  // a no-op when the caller made room (strong guarantee: before any change)
        const std::uint32_t slot = new_level(price);
        prices_.insert(slot, price, PriceOf{levels_});
        const std::int64_t k = key(price);
        if (in_far(k)) {
            far_insert(slot);
            return slot;
        }
        auto it = !near_.empty() && near_.back().key < k
                      ? near_.end()
                      : std::lower_bound(near_.begin(), near_.end(), k,
                                         [](const Entry& e, std::int64_t v) { return e.key < v; });
        if (near_.size() == kNearMax) {
            // full: the kSpill worst levels go to the treap, and so does this
            // one if it is worse than the array's new front
            const auto at = static_cast<std::size_t>(it - near_.begin());
            spill(kSpill);
            if (at < kSpill) {
                far_insert(slot);
                return slot;
            }
            it = near_.begin() + static_cast<std::ptrdiff_t>(at - kSpill);
        }
        near_.insert(it, Entry{k, slot});  // cannot throw: the capacity is there
        return slot;
    }

    // Remove an empty level.
    void remove_level(std::uint32_t slot) {
        const std::int64_t k = key(levels_[slot].price);
        prices_.erase(levels_[slot].price, PriceOf{levels_});
        if (in_far(k)) {
            far_erase(slot);
        } else if (near_.back().key == k) {
            near_.pop_back();
        } else {
            auto it = std::lower_bound(near_.begin(), near_.end(), k,
                                       [](const Entry& e, std::int64_t v) { return e.key < v; });
            near_.erase(it);
        }
        levels_[slot].display_head = free_head_;
        free_head_ = slot;
        if (near_.empty() && far_best_ != kNil) refill();
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

    // Room for one more level now, so the next find_or_add cannot fail. (The
    // array never needs more than kNearMax entries: a full one spills first.)
    [[gnu::always_inline]] void make_room_for_one() {
        if ((near_.size() == near_.capacity() && near_.size() < kNearMax) ||
            (free_head_ == kNil && levels_.size() == levels_.capacity())) [[unlikely]]
            grow();
        prices_.make_room_for_one(PriceOf{levels_});
    }

    std::size_t memory_bytes() const noexcept {
        return levels_.capacity() * sizeof(Level) + links_.capacity() * sizeof(FarLinks) +
               near_.capacity() * sizeof(Entry) + prices_.memory_bytes();
    }

    // The ladder's own structure (the book checks the levels' contents): the
    // array sorted, the treap ordered by price and by priority, its price-order
    // links and count matching it, and every treap level worse than the array.
    const char* check() const noexcept {
        for (std::size_t i = 1; i < near_.size(); ++i)
            if (near_[i - 1].key >= near_[i].key) return "levels out of order";
        for (const Entry& e : near_)
            if (e.key != key(levels_[e.level].price)) return "a level's key differs from its price";
        if (near_.empty() && far_best_ != kNil) return "levels beyond the touch with none at it";
        std::size_t listed = 0;
        for (std::uint32_t x = far_best_, prev = kNil; x != kNil; prev = x, x = links_[x].worse) {
            if (++listed > far_count_) return "far levels linked in a loop";
            if (links_[x].better != prev) return "far levels' links disagree";
            if (prev != kNil && key(levels_[x].price) >= key(levels_[prev].price)) return "far levels out of order";
            if (!near_.empty() && key(levels_[x].price) >= near_.front().key) return "a far level at or inside the near ones";
            if (find_far(key(levels_[x].price)) != x) return "a far level the treap cannot find";
        }
        if (listed != far_count_) return "far level count wrong";
        if (links_.size() != levels_.size() || links_.capacity() < levels_.capacity()) return "level links out of step";
        if (prices_.size() != level_count()) return "price index count wrong";
        const char* missing = nullptr;
        for_each_level([&](std::uint32_t x) {
            if (find(levels_[x].price) == x) return true;
            missing = "a level the price index cannot find";
            return false;
        });
        if (missing) return missing;
        std::size_t in_tree = 0;
        if (!tree_ok(root_, 0, &in_tree) || in_tree != far_count_) return "far treap malformed";
        return nullptr;
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

    // A level slot's price, for the price index (which stores slots only).
    struct PriceOf {
        const std::vector<Level>& levels;
        Price operator()(std::uint32_t slot) const noexcept { return levels[slot].price; }
    };

    // A level's place in the far treap (kNil when it is not there): its
    // children, and its neighbours in price order (worse: further from the
    // touch). Beside the levels, not in them, so a Level stays one cache line.
    struct FarLinks {
        std::uint32_t left = kNil, right = kNil, better = kNil, worse = kNil;
    };

    std::int64_t key(Price p) const noexcept { return side_ == Side::Buy ? p : -p; }
    std::int64_t key_of(std::uint32_t x) const noexcept { return key(levels_[x].price); }

    // A key belongs to the treap when it is no better than the treap's best
    // (one comparison: the key is kNoFar while the treap is empty).
    bool in_far(std::int64_t k) const noexcept { return k <= far_best_key_; }
    static constexpr std::int64_t kNoFar = std::numeric_limits<std::int64_t>::min();
    void set_far_best(std::uint32_t x) noexcept {
        far_best_ = x;
        far_best_key_ = x == kNil ? kNoFar : key_of(x);
    }

    std::uint32_t new_level(Price price) {
        std::uint32_t slot;
        if (free_head_ != kNil) {
            slot = free_head_;
            free_head_ = levels_[slot].display_head;
        } else {
            links_.emplace_back();  // cannot reallocate: its capacity is at least levels_'
            levels_.emplace_back();
            slot = static_cast<std::uint32_t>(levels_.size() - 1);
        }
        levels_[slot] = Level{price, kNil, kNil, kNil, kNil, 0, 0, 0, 0, 0, 0};
        links_[slot] = FarLinks{};
        return slot;
    }

    [[gnu::cold, gnu::noinline]] void grow() {
        if (near_.size() == near_.capacity() && near_.size() < kNearMax)
            near_.reserve(std::min(near_.size() * 2 + 8, kNearMax));
        if (free_head_ == kNil && levels_.size() == levels_.capacity()) {
            // links_ first, so its capacity is never below levels_' (what make_room_for_one reads)
            links_.reserve(levels_.size() * 2 + 8);
            levels_.reserve(levels_.size() * 2 + 8);
        }
    }

    // ---- the far treap (nodes are levels; priorities a seeded hash of the key,
    // so its shape is balanced whatever prices a caller picks)
    std::uint64_t priority(std::uint32_t x) const noexcept {
        return mix64(static_cast<std::uint64_t>(key_of(x)) ^ seed_);
    }

    std::uint32_t find_far(std::int64_t k) const noexcept {
        std::uint32_t x = root_;
        while (x != kNil) {
            const std::int64_t kx = key_of(x);
            if (k == kx) return x;
            x = k < kx ? links_[x].left : links_[x].right;
        }
        return kNil;
    }

    [[gnu::noinline]] void far_insert(std::uint32_t slot) {
        // its neighbours in price order, then the treap insertion
        const std::int64_t k = key_of(slot);
        std::uint32_t worse = kNil, better = kNil;
        for (std::uint32_t x = root_; x != kNil;) {
            if (k < key_of(x)) {
                better = x;
                x = links_[x].left;
            } else {
                worse = x;
                x = links_[x].right;
            }
        }
        FarLinks& lv = links_[slot];
        lv.worse = worse;
        lv.better = better;
        if (worse != kNil) links_[worse].better = slot;
        if (better != kNil) links_[better].worse = slot; else set_far_best(slot);
        root_ = insert(root_, slot, k);
        ++far_count_;
    }

    std::uint32_t insert(std::uint32_t t, std::uint32_t x, std::int64_t k) noexcept {
        if (t == kNil) return x;
        FarLinks& lt = links_[t];
        if (k < key_of(t)) {
            lt.left = insert(lt.left, x, k);
            if (priority(lt.left) > priority(t)) return rotate_right(t);
        } else {
            lt.right = insert(lt.right, x, k);
            if (priority(lt.right) > priority(t)) return rotate_left(t);
        }
        return t;
    }

    std::uint32_t rotate_right(std::uint32_t t) noexcept {
        const std::uint32_t l = links_[t].left;
        links_[t].left = links_[l].right;
        links_[l].right = t;
        return l;
    }
    std::uint32_t rotate_left(std::uint32_t t) noexcept {
        const std::uint32_t r = links_[t].right;
        links_[t].right = links_[r].left;
        links_[r].left = t;
        return r;
    }

    // Join two treaps, every key of a below every key of b.
    std::uint32_t merge(std::uint32_t a, std::uint32_t b) noexcept {
        if (a == kNil) return b;
        if (b == kNil) return a;
        if (priority(a) > priority(b)) {
            links_[a].right = merge(links_[a].right, b);
            return a;
        }
        links_[b].left = merge(a, links_[b].left);
        return b;
    }

    std::uint32_t erase(std::uint32_t t, std::int64_t k) noexcept {
        if (t == kNil) return kNil;
        const std::int64_t kt = key_of(t);
        if (k == kt) return merge(links_[t].left, links_[t].right);
        if (k < kt) links_[t].left = erase(links_[t].left, k);
        else links_[t].right = erase(links_[t].right, k);
        return t;
    }

    void far_erase(std::uint32_t slot) noexcept {
        root_ = erase(root_, key_of(slot));
        FarLinks& lv = links_[slot];
        if (lv.worse != kNil) links_[lv.worse].better = lv.better;
        if (lv.better != kNil) links_[lv.better].worse = lv.worse; else set_far_best(lv.worse);
        lv = FarLinks{};
        --far_count_;
    }

    // The array is full: its `n` worst levels (all better than the treap's)
    // join the treap at its best end. Allocates nothing.
    [[gnu::noinline]] void spill(std::size_t n) noexcept {
        for (std::size_t i = 0; i < n; ++i) far_insert(near_[i].level);
        near_.erase(near_.begin(), near_.begin() + static_cast<std::ptrdiff_t>(n));
    }

    // The array is empty: the treap's best levels come back into it. The array
    // held kNearMax levels when the treap got its first, so it has the room.
    [[gnu::noinline]] void refill() noexcept {
        std::uint32_t taken[kRefill];
        std::size_t n = 0;
        for (std::uint32_t x = far_best_; x != kNil && n < kRefill && n < near_.capacity(); x = links_[x].worse)
            taken[n++] = x;
        for (std::size_t i = n; i-- > 0;) {  // worst first: the array ascends
            const std::uint32_t x = taken[i];
            far_erase(x);
            near_.push_back(Entry{key_of(x), x});
        }
    }

    bool tree_ok(std::uint32_t t, int depth, std::size_t* n) const noexcept {
        if (t == kNil) return true;
        if (depth > 4096 || ++*n > far_count_) return false;  // a loop, or hopelessly unbalanced
        const FarLinks& lv = links_[t];
        if (lv.left != kNil && (key_of(lv.left) >= key_of(t) || priority(lv.left) > priority(t))) return false;
        if (lv.right != kNil && (key_of(lv.right) <= key_of(t) || priority(lv.right) > priority(t))) return false;
        return tree_ok(lv.left, depth + 1, n) && tree_ok(lv.right, depth + 1, n);
    }

    Side side_;
    std::uint64_t seed_;
    std::vector<Level> levels_;
    std::vector<Entry> near_;             // the levels nearest the touch, best at the back
    std::uint32_t free_head_ = kNil;
    std::uint32_t root_ = kNil;           // the far treap
    std::uint32_t far_best_ = kNil;       // its best level (the one nearest the array)
    std::int64_t far_best_key_ = kNoFar;  // and that level's key
    std::size_t far_count_ = 0;
    std::vector<FarLinks> links_;         // beside levels_, slot for slot
    PriceIndex prices_;                   // price -> level slot, for every level
};

}  // namespace engine
