// Saving and restoring a book's whole state, for journal recovery.
//
// A snapshot holds everything that decides what the book does next: every
// resting order with all its fields in priority order, the sequence number and
// clock, and with Reg NMS the protected-quote table (quotes, pending routes,
// the look-back histories, self-help intervals, counters), the configuration,
// fees, session, and the orders ranked away from their limits. Pending events
// are not state (they belong to whoever takes them). Restoring and then
// applying the same inputs gives the same events, sequence numbers included.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>
#include <vector>

#include "book.hpp"

namespace engine {

namespace snapshot_detail {

inline constexpr std::uint64_t kMagic = 0x31504E5352474E45ull;  // "ENGRSNP1"

class Writer {
public:
    template <class T>
    void put(const T& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
        out.insert(out.end(), p, p + sizeof(T));
    }
    std::vector<std::uint8_t> out;
};

class Reader {
public:
    Reader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    template <class T>
    bool get(T* v) {
        static_assert(std::is_trivially_copyable_v<T>);
        if (pos_ + sizeof(T) > size_) return false;
        std::memcpy(v, data_ + pos_, sizeof(T));
        pos_ += sizeof(T);
        return true;
    }
    bool done() const noexcept { return pos_ == size_; }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

}  // namespace snapshot_detail

struct SnapshotAccess {
    static std::vector<std::uint8_t> save(const Book& b) {
        snapshot_detail::Writer w;
        w.put(snapshot_detail::kMagic);
        w.put(b.regime_);
        w.put(b.seq_);
        w.put(b.last_ts_);
        // resting orders, in priority order: restoring them in this order rebuilds the queues
        std::vector<Order> orders;
        for (const PriceLadder* l : {&b.bids_, &b.asks_})
            for (std::size_t r = 0; r < l->level_count(); ++r) {
                const Level& lv = l->level(l->level_at_rank(r));
                for (std::uint32_t head : {lv.display_head, lv.hidden_head})
                    for (std::uint32_t s = head; s != kNil; s = b.pool_[s].next) orders.push_back(b.pool_[s]);
            }
        w.put(static_cast<std::uint64_t>(orders.size()));
        for (const Order& o : orders) w.put(o);
        const bool nms = b.nms_ != nullptr;
        w.put(nms);
        if (!nms) return std::move(w.out);
        const RegNmsState& n = *b.nms_;
        w.put(n.config);
        w.put(n.fees);
        w.put(n.fee_regime);
        w.put(n.fees_loaded);
        w.put(n.dirty);
        w.put(n.in_rth);
        w.put(n.command);
        w.put(n.next_route_id);
        w.put(n.applied_bound);
        for (const auto& list : n.repriced) {
            w.put(static_cast<std::uint64_t>(list.size()));
            for (const RepricedOrder& r : list) {
                w.put(r.id);
                w.put(r.kind);
                w.put(r.limit);
            }
        }
        const ProtectedQuoteTable& t = n.table;
        w.put(t.venues_);
        w.put(t.window_);
        w.put(t.version_);
        w.put(t.unknown_conditions_);
        w.put(t.off_grid_quotes_);
        w.put(t.regime_);
        w.put(t.sh_mask_);  // self-help state as it stands, lazily refreshed
        w.put(t.sh_changed_);
        w.put(t.sh_time_);
        w.put(t.sh_next_);
        for (int v = 0; v < kMaxVenues; ++v) {
            w.put(static_cast<std::uint64_t>(t.self_help_[v].size()));
            for (const auto& i : t.self_help_[v]) w.put(i);
            for (const QuoteHistory& h : t.history_[v]) {
                w.put(static_cast<std::uint64_t>(h.size_));
                for (std::size_t k = 0; k < h.size_; ++k) w.put(h.ring_[(h.head_ + k) & (h.ring_.size() - 1)]);
            }
        }
        return std::move(w.out);
    }

    // nullptr (and *error set) when the bytes are not a whole snapshot.
    static std::unique_ptr<Book> load(const std::uint8_t* data, std::size_t size, const char** error) {
        snapshot_detail::Reader r(data, size);
        auto fail = [error](const char* why) {
            *error = why;
            return std::unique_ptr<Book>();
        };
        std::uint64_t magic = 0;
        if (!r.get(&magic) || magic != snapshot_detail::kMagic) return fail("not an engine snapshot");
        TickRegime regime{};
        if (!r.get(&regime) || !is_known_regime(static_cast<std::uint8_t>(regime))) return fail("bad tick regime");
        auto b = std::make_unique<Book>(regime);
        std::uint64_t count = 0;
        if (!r.get(&b->seq_) || !r.get(&b->last_ts_) || !r.get(&count)) return fail("truncated header");
        if (count > size / sizeof(Order)) return fail("bad order count");
        b->pool_.reserve(static_cast<std::size_t>(count));
        for (std::uint64_t i = 0; i < count; ++i) {
            Order o{};
            if (!r.get(&o)) return fail("truncated orders");
            if (o.id == 0 || b->index_.contains(o.id) || o.shown == 0 || !is_valid_price(o.price, regime) ||
                (o.side != Side::Buy && o.side != Side::Sell))
                return fail("an order that cannot rest");
            const std::uint32_t slot = b->pool_.allocate();
            b->pool_[slot] = o;
            PriceLadder& l = b->ladder(o.side);
            l.push_back(b->pool_, slot, l.find_or_add(o.price));
            b->index_.insert(o.id, slot);
        }
        bool nms = false;
        if (!r.get(&nms)) return fail("truncated");
        if (nms) {
            b->enable_reg_nms();
            RegNmsState& n = *b->nms_;
            if (!r.get(&n.config) || !r.get(&n.fees) || !r.get(&n.fee_regime) || !r.get(&n.fees_loaded) ||
                !r.get(&n.dirty) || !r.get(&n.in_rth) || !r.get(&n.command) || !r.get(&n.next_route_id) ||
                !r.get(&n.applied_bound))
                return fail("truncated Reg NMS state");
            for (auto& list : n.repriced) {
                std::uint64_t k = 0;
                if (!r.get(&k) || k > count) return fail("bad re-priced list");
                for (std::uint64_t j = 0; j < k; ++j) {
                    RepricedOrder ro{};
                    if (!r.get(&ro.id) || !r.get(&ro.kind) || !r.get(&ro.limit)) return fail("truncated re-priced list");
                    ro.slot = b->index_.find(ro.id);
                    if (ro.slot == OrderIndex::kNotFound) return fail("a re-priced order that is not resting");
                    list.push_back(ro);
                }
            }
            ProtectedQuoteTable& t = n.table;
            if (!r.get(&t.venues_) || !r.get(&t.window_) || !r.get(&t.version_) || !r.get(&t.unknown_conditions_) ||
                !r.get(&t.off_grid_quotes_) || !r.get(&t.regime_) || !r.get(&t.sh_mask_) ||
                !r.get(&t.sh_changed_) || !r.get(&t.sh_time_) || !r.get(&t.sh_next_))
                return fail("truncated quote table");
            for (int v = 0; v < kMaxVenues; ++v) {
                std::uint64_t k = 0;
                if (!r.get(&k) || k > size) return fail("bad self-help list");
                for (std::uint64_t j = 0; j < k; ++j) {
                    ProtectedQuoteTable::Interval iv{};
                    if (!r.get(&iv)) return fail("truncated self-help list");
                    t.self_help_[v].push_back(iv);
                }
                for (QuoteHistory& h : t.history_[v]) {
                    if (!r.get(&k) || k > size) return fail("bad quote history");
                    for (std::uint64_t j = 0; j < k; ++j) {
                        QuoteHistory::Entry e{};
                        if (!r.get(&e)) return fail("truncated quote history");
                        h.push_back(e);
                    }
                }
            }
            t.recompute();  // the cached protected BBO and band follow from the quotes and self-help mask
        }
        if (!r.done()) return fail("bytes after the end of the snapshot");
        if (const char* why = b->check_integrity()) return fail(why);
        return b;
    }
};

inline std::vector<std::uint8_t> save_snapshot(const Book& b) { return SnapshotAccess::save(b); }
inline std::unique_ptr<Book> load_snapshot(const std::uint8_t* data, std::size_t size, const char** error) {
    return SnapshotAccess::load(data, size, error);
}

}  // namespace engine
