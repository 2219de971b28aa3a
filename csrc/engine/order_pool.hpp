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

// Bits of Order::flags above the low OrderFlag bits: the engine's own state.
enum OrderStateBit : std::uint16_t {
    kOrderDisplayOffset = 1u << 8,  // displayed one tick less aggressive than ranked (slid)
    kOrderRepriced = 1u << 9,       // ranked away from its limit; re-priced as quotes move
    kOrderLockShift = 10,           // two bits: its LockCrossMode
};

// 64 bytes: one cache line per resting order.
struct Order {
    OrderId id;
    Price price;               // the price it is ranked at
    Timestamp ts;              // time of its current priority
    std::uint32_t prev, next;  // neighbours in its level's queue
    std::uint32_t level;       // slot of its price level
    std::uint32_t shown;       // displayed shares (all shares for a hidden order)
    std::uint32_t reserve;     // reserve shares not yet displayed
    std::uint32_t peak;        // reserve order's display size (0: not a reserve order)
    std::uint32_t filled;      // executed so far
    std::uint32_t participant;
    Side side;
    TimeInForce tif;
    StpMode stp;
    PostOnly post_only;
    std::uint16_t flags;       // OrderFlag bits (hidden, routable) and OrderStateBit
    std::uint16_t padding;

    bool hidden() const noexcept { return (flags & kFlagHidden) != 0; }
    bool display_offset() const noexcept { return (flags & kOrderDisplayOffset) != 0; }
    bool repriced() const noexcept { return (flags & kOrderRepriced) != 0; }
    LockCrossMode lock_mode() const noexcept { return static_cast<LockCrossMode>((flags >> kOrderLockShift) & 3); }
    std::uint32_t leaves() const noexcept { return shown + reserve; }
};
static_assert(sizeof(Order) == 64, "one cache line per resting order");

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

    // Create slots for `n` orders up front and put them on the free list, so
    // the memory is touched (page-faulted) now rather than on the hot path.
    // Lower slots are handed out first, keeping allocation sequential.
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
    std::vector<Order> orders_;
    std::uint32_t free_head_ = kNil;
};

}  // namespace engine
