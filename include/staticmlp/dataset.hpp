// Samples, a pointer-and-count view of them, and the lecture's sine data set.
// sine_dataset<T, N>() is constexpr: x_i = -0.5 + i / (N - 1) for i = 0 .. N-1 (both ends
// included) and y_i = sin((x_i + 0.5) * 2 pi), computed in double and rounded once to T.
#pragma once

#include <array>
#include <cstddef>

#include "math.hpp"
#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {

template <class T, std::size_t In, std::size_t Out>
struct Sample {
  std::array<T, In> input;
  std::array<T, Out> target;
};

// A read-only view of `size` contiguous samples; it does not own them.
template <class T, std::size_t In, std::size_t Out>
struct SampleView {
  const Sample<T, In, Out>* data = nullptr;
  std::size_t size = 0;

  constexpr SampleView() = default;
  constexpr SampleView(const Sample<T, In, Out>* first, std::size_t count)
      : data(first), size(count) {}
  template <std::size_t N>
  constexpr SampleView(const std::array<Sample<T, In, Out>, N>& samples)  // NOLINT: implicit
      : data(samples.data()), size(N) {}

  constexpr const Sample<T, In, Out>& operator[](std::size_t i) const { return data[i]; }
};

template <class T, std::size_t In, std::size_t Out, std::size_t N>
SampleView(const std::array<Sample<T, In, Out>, N>&) -> SampleView<T, In, Out>;

template <class T = float, std::size_t N = 100>
constexpr std::array<Sample<T, 1, 1>, N> sine_dataset() {
  static_assert(N >= 2, "staticmlp: the sine data set needs at least two points");
  constexpr double two_pi = 6.283185307179586;
  std::array<Sample<T, 1, 1>, N> samples{};
  for (std::size_t i = 0; i < N; ++i) {
    const double x = -0.5 + static_cast<double>(i) / static_cast<double>(N - 1);
    samples[i].input[0] = static_cast<T>(x);
    samples[i].target[0] = static_cast<T>(staticmlp::sin((x + 0.5) * two_pi));
  }
  return samples;
}

}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
