// Resting orders live in one flat pool, addressed by 32-bit slot numbers.
//
// Freed slots are reused through a free list, so a book in steady state never
// allocates; the pool only grows when more orders rest at once than ever before.
#pragma once

#include <cstdint>
#include <vector>

#include "price.hpp"
#include "types.hpp"

namespace engine {

inline constexpr std::uint32_t kNil = 0xFFFFFFFFu;

// The bits of Order::flags. The low two are the order's standing OrderFlag
// instructions (hidden, routable); the rest pack its other attributes and the
// engine's own state, so that the order stays one cache line with a 64-bit
// execution count.
enum OrderStateBit : std::uint16_t {
    kOrderInstructionBits = kFlagHidden | kFlagRoutable,
    kOrderStpShift = 2,                   // three bits: its StpMode
    kOrderPostOnlyShift = 5,              // two bits: its PostOnly
    kOrderWatched = 1u << 7,              // at its limit, displayed under a lock/cross exception (REQ-LC-01)
    kOrderDisplayOffset = 1u << 8,        // displayed one tick less aggressive than ranked (slid)
    kOrderRepriced = 1u << 9,             // ranked away from its limit; re-priced as quotes move
    kOrderLockShift = 10,                 // two bits: its LockCrossMode
    kOrderKnownBits = (1u << 12) - 1,
};

// 64 bytes: one cache line per resting order.
struct Order {
    OrderId id;
    Price price;               // the price it is ranked at
    Timestamp ts;              // time of its current priority
    std::uint64_t filled;      // executed so far (64-bit: a replace may refill an order without end)
    std::uint32_t prev, next;  // neighbours in its level's queue
    std::uint32_t level;       // slot of its price level
    std::uint32_t shown;       // displayed shares (all shares for a hidden order)
    std::uint32_t reserve;     // reserve shares not yet displayed
    std::uint32_t peak;        // reserve order's display size (0: not a reserve order)
    std::uint32_t participant;
    Side side;
    TimeInForce tif;
    std::uint16_t flags;       // OrderStateBit: instructions, stp, post-only, lock mode, engine state

    bool hidden() const noexcept { return (flags & kFlagHidden) != 0; }
    bool display_offset() const noexcept { return (flags & kOrderDisplayOffset) != 0; }
    bool repriced() const noexcept { return (flags & kOrderRepriced) != 0; }
    bool watched() const noexcept { return (flags & kOrderWatched) != 0; }
    bool tracked() const noexcept { return (flags & (kOrderRepriced | kOrderWatched)) != 0; }
    StpMode stp() const noexcept { return static_cast<StpMode>((flags >> kOrderStpShift) & 7); }
    PostOnly post_only() const noexcept { return static_cast<PostOnly>((flags >> kOrderPostOnlyShift) & 3); }
    LockCrossMode lock_mode() const noexcept { return static_cast<LockCrossMode>((flags >> kOrderLockShift) & 3); }
    std::uint32_t leaves() const noexcept { return shown + reserve; }
};
static_assert(sizeof(Order) == 64, "one cache line per resting order");

// The flags word of a new resting order.
constexpr std::uint16_t order_flags(std::uint32_t instructions, StpMode stp, PostOnly post_only,
                                    LockCrossMode lock) noexcept {
    return static_cast<std::uint16_t>((instructions & kOrderInstructionBits) |
                                      (static_cast<unsigned>(stp) << kOrderStpShift) |
                                      (static_cast<unsigned>(post_only) << kOrderPostOnlyShift) |
                                      (static_cast<unsigned>(lock) << kOrderLockShift));
}

class OrderPool {
public:
    std::uint32_t allocate() {
        if (free_head_ != kNil) {
            const std::uint32_t slot = free_head_;
            free_head_ = orders_[slot].next;
            return slot;
        }
        orders_.emplace_back();
        return static_cast<std::uint32_t>(orders_.size() - 1);
    }

    void release(std::uint32_t slot) noexcept {
        orders_[slot].id = 0;
        orders_[slot].next = free_head_;
        free_head_ = slot;
    }

    // Room for one more order now, so the next allocate() cannot fail.
    [[gnu::always_inline]] void make_room_for_one() {
        if (free_head_ == kNil && orders_.size() == orders_.capacity()) [[unlikely]] grow();
    }

    // Create slots for `n` orders up front and put them on the free list, so
    // the memory is touched (page-faulted) now rather than on the hot path.
    // Lower slots are handed out first, keeping allocation sequential. If the
    // memory cannot be had, the pool is left as it was (std::bad_alloc).
    void reserve(std::size_t n) {
        const std::size_t old = orders_.size();
        if (n <= old) return;
        orders_.resize(n);
        for (std::size_t s = n; s-- > old;) {
            orders_[s].id = 0;
            orders_[s].next = free_head_;
            free_head_ = static_cast<std::uint32_t>(s);
        }
    }

    Order& operator[](std::uint32_t slot) noexcept { return orders_[slot]; }
    const Order& operator[](std::uint32_t slot) const noexcept { return orders_[slot]; }
    std::size_t capacity() const noexcept { return orders_.capacity(); }

private:
    [[gnu::cold, gnu::noinline]] void grow() { orders_.reserve(orders_.size() * 2 + 16); }

    std::vector<Order> orders_;
    std::uint32_t free_head_ = kNil;
};

}  // namespace engine
