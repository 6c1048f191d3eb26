// A portable, deterministic random generator: SplitMix64 (Steele, Lea and Flood, 2014), with
// the engine's own mapping to uniform and normal values and an unbiased bounded integer.
// The same seed gives the same sequence with any compiler on any target, at compile time too.
#pragma once

#include <cstddef>
#include <cstdint>

#include "math.hpp"
#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {

class SplitMix64 {
 public:
  constexpr explicit SplitMix64(std::uint64_t seed = 0) : state_(seed) {}

  constexpr std::uint64_t next() {
    state_ += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, 1): the top 53 (double) or 24 (float) bits, so every value is exact.
  template <class T>
  constexpr T uniform() {
    detail::check_float_type<T>();
    constexpr int bits = std::numeric_limits<T>::digits;
    constexpr T scale = T(1) / static_cast<T>(std::uint64_t{1} << bits);
    return static_cast<T>(next() >> (64 - bits)) * scale;
  }

  // Uniform in [low, high).
  template <class T>
  constexpr T uniform(T low, T high) {
    return low + (high - low) * uniform<T>();
  }

  // Standard normal by the Box-Muller transform, one value per call.
  template <class T>
  constexpr T normal() {
    const T u1 = T(1) - uniform<T>();  // in (0, 1], so the log is finite
    const T u2 = uniform<T>();
    return staticmlp::sqrt(T(-2) * staticmlp::log(u1)) *
           staticmlp::cos(T(6.283185307179586) * u2);
  }

  // Uniform integer in [0, bound) without modulo bias; bound must be positive.
  constexpr std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    std::uint64_t value = next();
    while (value < threshold) {
      value = next();
    }
    return value % bound;
  }

  constexpr std::uint64_t state() const { return state_; }

 private:
  std::uint64_t state_;
};

// Puts `order[0 .. size-1]` in a uniformly random order (Fisher-Yates).
template <class Index>
constexpr void shuffle(Index* order, std::size_t size, SplitMix64& generator) {
  for (std::size_t i = size; i > 1; --i) {
    const auto j = static_cast<std::size_t>(generator.below(i));
    const Index swapped = order[i - 1];
    order[i - 1] = order[j];
    order[j] = swapped;
  }
}

}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
