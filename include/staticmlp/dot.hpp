// The dot product in a fixed order of partial sums, which the forward pass and the kernels of
// one_hidden_layer.hpp share, so that every path gives the same bits on every target.
#pragma once

#include <cstddef>

#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {
namespace detail {

// Number of partial sums in dot<N>: a power of two up to 32, so that the products of a long
// sum fill several vector registers at once.
constexpr std::size_t dot_lanes(std::size_t n) {
  std::size_t lanes = 1;
  while (lanes < n && lanes < 32) {
    lanes *= 2;
  }
  return lanes;
}

// Adds partial[j + Width] into partial[j] for j < Width, then halves Width down to 1; written
// out at compile time, so that every step is a fixed-size loop the compiler can keep in registers.
template <std::size_t Width, class T>
constexpr void fold_partial_sums(T* partial) {
  if constexpr (Width > 0) {
    for (std::size_t j = 0; j < Width; ++j) {
      partial[j] += partial[j + Width];
    }
    fold_partial_sums<Width / 2>(partial);
  }
}

// sum_i a[i] b[i] in a fixed order that does not depend on the target: lane j sums the
// products i = j, j + lanes, ... in turn, then the lanes are added pairwise, halving each time.
// The same order in constant evaluation and at run time gives the same bits; it lets the
// compiler vectorize the sum without reassociating floating-point additions.
template <std::size_t N, class T>
constexpr T dot(const T* a, const T* b) {
  constexpr std::size_t lanes = dot_lanes(N);
  // Products past the last whole round of `lanes` start at `tail`; all trip counts are constant.
  constexpr std::size_t tail = N > lanes ? N / lanes * lanes : N;
  T partial[lanes] = {};
  for (std::size_t j = 0; j < lanes && j < N; ++j) {
    partial[j] = a[j] * b[j];
  }
  for (std::size_t i = lanes; i < tail; i += lanes) {
    for (std::size_t j = 0; j < lanes; ++j) {
      partial[j] += a[i + j] * b[i + j];
    }
  }
  for (std::size_t j = 0; j < N - tail; ++j) {
    partial[j] += a[tail + j] * b[tail + j];
  }
  fold_partial_sums<lanes / 2>(partial);
  return partial[0];
}

}  // namespace detail
}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
