// The Book's feed-handler primitives: apply a venue's own messages (adds,
// executions, cancels, deletes, replaces) with no matching and no events, for
// book building from LOBSTER and ITCH flow (replay.hpp). Declared in book.hpp.
#pragma once

#include <algorithm>
#include <cstdint>

#include "book.hpp"

namespace engine {

inline bool Book::feed_add(Timestamp ts, OrderId id, Side side, Price price, Quantity qty) {
    if (id == 0 || qty <= 0 || qty > kMaxQuantity || price <= 0 || price > kMaxPrice) return false;
    if (side != Side::Buy && side != Side::Sell) return false;
    make_headroom();  // every allocation first: running out of memory changes nothing
    const std::uint32_t slot = pool_.allocate();
    if (!index_.try_insert(id, slot)) {
        pool_.release(slot);
        return false;
    }
    Order& o = pool_[slot];
    o = Order{};
    o.id = id;
    o.price = price;
    o.ts = ts;
    o.shown = static_cast<std::uint32_t>(qty);
    o.side = side;
    o.tif = TimeInForce::Day;
    PriceLadder& own = ladder(side);
    own.push_back(pool_, slot, own.find_or_add(price));
    if (ts > last_ts_) last_ts_ = ts;
    return true;
}

inline void Book::prefetch_order(OrderId id) const noexcept {
    const std::uint32_t slot = index_.find(id);
    if (slot != OrderIndex::kNotFound) __builtin_prefetch(&pool_[slot]);
}

inline Quantity Book::feed_take(OrderId id, Quantity qty) {
    const std::uint32_t slot = index_.find(id);
    if (slot == OrderIndex::kNotFound) return -1;
    Order& o = pool_[slot];
    const Quantity take = std::min<Quantity>(qty < 0 ? 0 : qty, o.leaves());
    if (take == o.leaves()) {
        detach(slot);
    } else if (take > 0) {
        shrink_resting(slot, static_cast<std::uint32_t>(take));
        o.filled += static_cast<std::uint64_t>(take);
    }
    return take;
}

inline Quantity Book::feed_delete(OrderId id) {
    const std::uint32_t slot = index_.find(id);
    if (slot == OrderIndex::kNotFound) return -1;
    const Quantity had = pool_[slot].leaves();
    detach(slot);
    return had;
}

inline bool Book::feed_replace(Timestamp ts, OrderId old_id, OrderId new_id, Price price, Quantity qty) {
    const std::uint32_t slot = index_.find(old_id);
    if (slot == OrderIndex::kNotFound) return false;
    make_headroom();  // before the old order goes
    const Side side = pool_[slot].side;
    detach(slot);
    return feed_add(ts, new_id, side, price, qty);
}

inline Quantity Book::feed_take_at(Side side, Price price, Quantity qty) {
    PriceLadder& l = ladder(side);
    Quantity taken = 0;
    while (taken < qty) {
        const std::uint32_t ls = l.find(price);
        if (ls == kNil) break;
        const Level& lv = l.level(ls);
        const std::uint32_t slot = lv.display_tail != kNil ? lv.display_tail : lv.hidden_tail;
        Order& o = pool_[slot];
        const Quantity take = std::min<Quantity>(qty - taken, o.leaves());
        if (take == o.leaves()) detach(slot);
        else shrink_resting(slot, static_cast<std::uint32_t>(take));
        taken += take;
    }
    return taken;
}

inline Quantity Book::displayed_at(Side side, Price price) const noexcept {
    const PriceLadder& l = ladder(side);
    const std::uint32_t ls = l.find(price);
    return ls == kNil ? 0 : static_cast<Quantity>(l.level(ls).displayed_qty);
}

}  // namespace engine
