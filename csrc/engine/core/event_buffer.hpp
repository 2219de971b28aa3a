// The events a book has produced and nobody has taken yet.
//
// A growable array of Event owned by the book. Appending is amortised O(1)
// with no allocation in steady state. `release()` hands the whole block to the
// caller (Python wraps it in a numpy array without copying, and frees it with
// std::free), and the buffer starts a fresh block on the next append. Growth
// uses realloc, which leaves the block as it was when memory runs out.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>

#include "records.hpp"

namespace engine {

class EventBuffer {
public:
    EventBuffer() = default;
    EventBuffer(const EventBuffer&) = delete;
    EventBuffer& operator=(const EventBuffer&) = delete;
    EventBuffer(EventBuffer&& o) noexcept
        : data_(o.data_), size_(o.size_), capacity_(o.capacity_), lent_(o.lent_) {
        o.data_ = nullptr;
        o.size_ = o.capacity_ = 0;
        o.lent_ = false;
    }
    ~EventBuffer() {
        if (!lent_) std::free(data_);
    }

    [[gnu::always_inline]] Event& append() {
        if (size_ == capacity_) [[unlikely]] grow();
        Event& e = data_[size_++];
        std::memset(&e, 0, sizeof(Event));
        return e;
    }

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    const Event* data() const noexcept { return data_; }
    const Event& operator[](std::size_t i) const noexcept { return data_[i]; }
    Event& operator[](std::size_t i) noexcept { return data_[i]; }

    // Forget the pending events but keep the memory for reuse.
    void clear() noexcept { size_ = 0; }

    // Hand the block of pending events to the caller, who frees it with
    // std::free. Returns nullptr (and *count == 0) when nothing is pending.
    // Not while a block is lent (give_back() then).
    Event* release(std::size_t* count) noexcept {
        *count = size_;
        if (size_ == 0) return nullptr;
        Event* out = data_;
        data_ = nullptr;
        size_ = capacity_ = 0;
        return out;
    }

    // Write the next events into the caller's block of `capacity` events (its
    // first `pending` already hold the events pending here, copied by the
    // caller), so that a caller reusing one array across calls pays no
    // allocation and no page faults. The buffer's own block is freed. If the
    // events outgrow the lent block they move to a block of the buffer's own
    // (lent() turns false) and the caller's block is left alone from then on.
    void lend(Event* block, std::size_t capacity, std::size_t pending) noexcept {
        if (!lent_) std::free(data_);
        data_ = block;
        capacity_ = capacity;
        size_ = pending;
        lent_ = true;
    }
    bool lent() const noexcept { return lent_; }

    // End a loan: the number of events written into the lent block; the
    // buffer is empty again.
    std::size_t give_back() noexcept {
        const std::size_t n = size_;
        data_ = nullptr;
        size_ = capacity_ = 0;
        lent_ = false;
        return n;
    }

    // Make room for n more events up front (batch calls know roughly how many).
    [[gnu::always_inline]] void reserve_more(std::size_t n) {
        if (size_ + n > capacity_) [[unlikely]] grow_to(size_ + n);
    }

    // As reserve_more, and touch the memory now so appends never page-fault.
    void prefault(std::size_t n) {
        reserve_more(n);
        if (data_ != nullptr && capacity_ > size_)  // nothing to touch (and no null pointer to memset) for n == 0
            std::memset(static_cast<void*>(data_ + size_), 0, (capacity_ - size_) * sizeof(Event));
    }

    // Forget the events appended after the first `n` (a command's events, when
    // it turns out to be refused after all); the memory stays for reuse.
    void truncate(std::size_t n) noexcept {
        if (n < size_) size_ = n;
    }

private:
    [[gnu::noinline]] void grow() { grow_to(capacity_ ? capacity_ * 2 : 256); }

    [[gnu::noinline]] void grow_to(std::size_t want) {
        std::size_t cap = capacity_ ? capacity_ : 256;
        while (cap < want) cap *= 2;
        void* p;
        if (lent_) {  // out of the caller's block into one of our own
            p = std::malloc(cap * sizeof(Event));
            if (p && size_) std::memcpy(p, data_, size_ * sizeof(Event));
        } else {
            p = std::realloc(data_, cap * sizeof(Event));
        }
        if (!p) throw std::bad_alloc();  // only on exhaustion, never per order
        data_ = static_cast<Event*>(p);
        capacity_ = cap;
        lent_ = false;
    }

    Event* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
    bool lent_ = false;  // data_ is the caller's block (lend)
};

}  // namespace engine
