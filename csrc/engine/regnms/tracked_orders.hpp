// The resting orders whose placement depends on the protected quotes: ranked
// away from their limits (slid, adjusted, hidden at the locking price) or
// resting at their limits under a lock/cross exception (watched). The Venue
// re-places them, in their original arrival order, when the lock bound moves.
//
// O(1) by pool slot: what the Venue knows of an order (its own limit, how it is
// placed) sits in an array indexed by slot, stamped with a sequence number;
// the arrival order is a list of (slot, stamp) per side. The Book removes
// orders without telling anyone, so an entry is live only while its slot still
// holds a tracked order with that stamp's id; dead entries are skipped, and
// dropped whenever a list is rebuilt or has doubled since it was last tidied.
#pragma once

#include <cstdint>
#include <vector>

#include "../core/book_state.hpp"
#include "placement.hpp"

namespace engine {

class TrackedOrders {
    friend struct SnapshotAccess;

public:
    struct Info {
        OrderId id = 0;
        RepriceKind kind = RepriceKind::Slide;
        Price limit = 0;  // the order's own limit, which it moves back toward
        std::uint64_t stamp = 0;
    };
    struct Entry {
        std::uint32_t slot;
        std::uint64_t stamp;
    };

    static int side_index(Side s) noexcept { return s == Side::Buy ? 0 : 1; }

    // Room to track orders in any of `pool_slots` slots, and that many per
    // side, now (Venue::reserve: so the first slid order of the day does not
    // pay for the table, as it would otherwise, mid-session).
    void reserve(std::size_t pool_slots) {
        if (by_slot_.size() < pool_slots) by_slot_.resize(pool_slots);
        for (auto& list : lists_)
            if (list.capacity() < pool_slots) list.reserve(pool_slots);
    }

    // Room for one more, so that tracking an order cannot fail on memory.
    void make_room(Side side, std::size_t pool_slots) {
        if (by_slot_.size() < pool_slots) by_slot_.resize(pool_slots);
        auto& list = lists_[side_index(side)];
        if (list.size() == list.capacity()) list.reserve(list.size() * 2 + 16);
    }

    // Start tracking the order in `slot` (at the back of its side's arrival order).
    void track(const BookState& b, std::uint32_t slot, RepriceKind kind, Price limit) {
        const Order& o = b.order(slot);
        if (by_slot_.size() <= slot) by_slot_.resize(std::size_t{slot} + 1);
        by_slot_[slot] = Info{o.id, kind, limit, ++stamps_};
        const int si = side_index(o.side);
        if (lists_[si].size() >= tidy_at_[si]) tidy(b, o.side);
        lists_[si].push_back(Entry{slot, stamps_});
    }

    // What is known of a tracked order, or nullptr.
    const Info* find(const BookState& b, std::uint32_t slot) const noexcept {
        if (slot >= by_slot_.size()) return nullptr;
        const Order& o = b.order(slot);
        const Info& i = by_slot_[slot];
        return o.tracked() && i.id == o.id && i.stamp != 0 ? &i : nullptr;
    }

    bool live(const BookState& b, const Entry& e) const noexcept {
        const Info* i = find(b, e.slot);
        return i && i->stamp == e.stamp;
    }

    void renamed(std::uint32_t slot, OrderId to) noexcept {
        if (slot < by_slot_.size()) by_slot_[slot].id = to;
    }

    // A side's arrival order (dead entries included: check live()).
    const std::vector<Entry>& arrivals(Side s) const noexcept { return lists_[side_index(s)]; }

    // Hand over a side's list to be rebuilt: the caller pushes back, with
    // keep(), the entries that stay tracked, in order.
    std::vector<Entry>& take(Side s, std::vector<Entry>& into) {
        into.swap(lists_[side_index(s)]);
        lists_[side_index(s)].clear();
        return into;
    }
    void keep(Side s, const Entry& e) { lists_[side_index(s)].push_back(e); }

    // Live entries, in arrival order (for snapshots and integrity checks).
    template <class F>
    void for_each_live(const BookState& b, Side s, F&& f) const {
        for (const Entry& e : lists_[side_index(s)])
            if (live(b, e)) f(e, by_slot_[e.slot]);
    }

    std::size_t memory_bytes() const noexcept {
        return by_slot_.capacity() * sizeof(Info) + (lists_[0].capacity() + lists_[1].capacity()) * sizeof(Entry);
    }

private:
    void tidy(const BookState& b, Side s) {
        const int si = side_index(s);
        std::vector<Entry>& list = lists_[si];
        std::size_t k = 0;
        for (const Entry& e : list)
            if (live(b, e)) list[k++] = e;
        list.resize(k);
        tidy_at_[si] = k * 2 + 64;
    }

    std::vector<Info> by_slot_;
    std::vector<Entry> lists_[2];  // per side (0 bids, 1 offers), in arrival order
    std::size_t tidy_at_[2] = {64, 64};
    std::uint64_t stamps_ = 0;
};

}  // namespace engine
