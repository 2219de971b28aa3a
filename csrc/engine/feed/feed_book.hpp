// A venue's book as its own feed describes it: orders added, executed,
// cancelled, deleted and replaced as the venue reported them, with no matching
// (the venue already did it), no validation beyond what keeps the book sound,
// and no events. For book building from LOBSTER and ITCH flow (replay.hpp).
//
// It works on a BookState (a Book's, so that the book can then be queried,
// saved or matched against like any other).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

#include "../core/book_state.hpp"

namespace engine {

// What FeedBook::add and replace did: the order added, or why not (each
// counted under its own name by the BookBuilder).
enum class FeedAdd : std::uint8_t {
    Added = 0,
    LiveId,      // an order with this id is in the book
    NoId,        // id 0
    BadSide,
    BadPrice,    // <= 0 or above kMaxPrice
    BadSize,     // <= 0 or above kMaxQuantity (crypto sizes in satoshis, say)
    UnknownOld,  // replace: the order replaced is not in the book
};

class FeedBook {
public:
    explicit FeedBook(BookState& b) noexcept : b_(b) {}

    // Rest a displayed order at the back of its level, unless the id is live
    // or the order unusable (FeedAdd says which).
    FeedAdd add(Timestamp ts, OrderId id, Side side, Price price, Quantity qty) {
        if (id == 0) return FeedAdd::NoId;
        if (side != Side::Buy && side != Side::Sell) return FeedAdd::BadSide;
        if (price <= 0 || price > kMaxPrice) return FeedAdd::BadPrice;
        if (qty <= 0 || qty > kMaxQuantity) return FeedAdd::BadSize;
        if (b_.contains(id)) return FeedAdd::LiveId;
        b_.make_room_for_an_order();  // every allocation first: running out of memory changes nothing
        b_.rest(id, ts, side, TimeInForce::Day, static_cast<std::uint32_t>(qty), 0, 0, 0, 0,
                order_flags(0, StpMode::None, PostOnly::None, LockCrossMode::Default), Placement{price});
        if (ts > b_.last_timestamp()) b_.set_clock(ts);
        return FeedAdd::Added;
    }

    // Remove up to qty shares of an order (an execution, counted in its
    // filled shares, or a partial cancel); the order goes when nothing is left.
    // Returns the shares removed, or -1 when the id is not in the book.
    Quantity take(OrderId id, Quantity qty, bool executed) {
        const std::uint32_t slot = b_.find_slot(id);
        if (slot == OrderIndex::kNotFound) return -1;
        Order& o = b_.order_mut(slot);
        const Quantity take = std::min<Quantity>(qty < 0 ? 0 : qty, o.leaves());
        if (take == o.leaves()) {
            b_.detach(slot);
        } else if (take > 0) {
            b_.shrink(slot, static_cast<std::uint32_t>(take));
            if (executed) o.filled += static_cast<std::uint64_t>(take);
        }
        return take;
    }

    // Remove an order; returns the shares it had, or -1 when unknown.
    Quantity remove(OrderId id) {
        const std::uint32_t slot = b_.find_slot(id);
        if (slot == OrderIndex::kNotFound) return -1;
        const Quantity had = b_.order(slot).leaves();
        b_.detach(slot);
        return had;
    }

    // An order replaced by a new one (new id, price and size; same side; at
    // the back of its level). UnknownOld when the old id is not in the book;
    // another refusal when the new order cannot be added (the old one is then gone).
    FeedAdd replace(Timestamp ts, OrderId old_id, OrderId new_id, Price price, Quantity qty) {
        const std::uint32_t slot = b_.find_slot(old_id);
        if (slot == OrderIndex::kNotFound) return FeedAdd::UnknownOld;
        b_.make_room_for_an_order();  // before the old order goes
        const Side side = b_.order(slot).side;
        b_.detach(slot);
        return add(ts, new_id, side, price, qty);
    }

    // An order's new price and size under the same id (Databento's modify): it
    // keeps its place when the price stays and the size does not grow, else
    // goes to the back of its (new) level. A size of 0 removes it. An unusable
    // price or size changes nothing. UnknownOld when the id is not in the book.
    FeedAdd modify(Timestamp ts, OrderId id, Price price, Quantity qty) {
        const std::uint32_t slot = b_.find_slot(id);
        if (slot == OrderIndex::kNotFound) return FeedAdd::UnknownOld;
        if (qty == 0) {
            b_.detach(slot);
            return FeedAdd::Added;
        }
        if (price <= 0 || price > kMaxPrice) return FeedAdd::BadPrice;
        if (qty < 0 || qty > kMaxQuantity) return FeedAdd::BadSize;
        const Order& o = b_.order(slot);
        if (price == o.price && qty <= o.leaves()) {
            if (qty < o.leaves()) b_.shrink(slot, static_cast<std::uint32_t>(o.leaves() - qty));
            return FeedAdd::Added;
        }
        b_.make_room_for_an_order();  // before the order goes
        const Side side = o.side;
        b_.detach(slot);
        return add(ts, id, side, price, qty);
    }

    // Every order removed (Databento's clear); the book stays the same object.
    void clear() {
        for (Side side : {Side::Buy, Side::Sell}) {
            PriceLadder& l = b_.ladder(side);
            while (!l.empty()) take_at(side, l.best_price(), std::numeric_limits<Quantity>::max());
        }
    }

    // Remove up to qty shares resting at a price, newest orders first (when a
    // LOBSTER orderbook file shows a level smaller, or names shares of orders
    // the replay never saw). Returns the shares removed.
    Quantity take_at(Side side, Price price, Quantity qty) {
        PriceLadder& l = b_.ladder(side);
        Quantity taken = 0;
        while (taken < qty) {
            const std::uint32_t ls = l.find(price);
            if (ls == kNil) break;
            const Level& lv = l.level(ls);
            const std::uint32_t slot = lv.display_tail != kNil ? lv.display_tail : lv.hidden_tail;
            const Quantity take = std::min<Quantity>(qty - taken, b_.order(slot).leaves());
            if (take == b_.order(slot).leaves()) b_.detach(slot);
            else b_.shrink(slot, static_cast<std::uint32_t>(take));
            taken += take;
        }
        return taken;
    }

private:
    BookState& b_;
};

}  // namespace engine
