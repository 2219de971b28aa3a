// Mixing a 64-bit value into well-spread bits, for the hash tables and the
// treap's priorities: splitmix64's finaliser (Steele, Lea, Flood 2014).
#pragma once

#include <cstdint>

namespace engine {

constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

}  // namespace engine
