// Helpers shared by the unit tests: ulp distances, central-difference gradients and a few
// network types used across files.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include <staticmlp/staticmlp.hpp>

namespace test_support {

namespace sm = staticmlp;

// Number of representable values between a and b (0 when equal, or both NaN).
template <class T>
std::int64_t ulp_distance(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) {
    return std::isnan(a) && std::isnan(b) ? 0 : std::numeric_limits<std::int64_t>::max();
  }
  if (a == b) {
    return 0;
  }
  using Bits = std::conditional_t<sizeof(T) == 8, std::int64_t, std::int32_t>;
  Bits bits_a = 0;
  Bits bits_b = 0;
  std::memcpy(&bits_a, &a, sizeof a);
  std::memcpy(&bits_b, &b, sizeof b);
  // Map the sign-magnitude encoding onto a monotonic integer line.
  const auto ordered = [](Bits bits) -> std::int64_t {
    return bits < 0 ? std::numeric_limits<Bits>::min() - static_cast<std::int64_t>(bits) : bits;
  };
  const std::int64_t distance = ordered(bits_a) - ordered(bits_b);
  return distance < 0 ? -distance : distance;
}

template <class T>
bool same_bits(T a, T b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

// d MSE / d parameter[i] by central differences with step h * max(1, |p_i|).
template <class Net, std::size_t N>
typename Net::Parameters numeric_gradient(const Net& net,
                                          const std::array<typename Net::SampleType, N>& samples,
                                          double h = 1e-6) {
  typename Net::Parameters result{};
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    Net plus = net;
    Net minus = net;
    const double step = h * std::fmax(1.0, std::fabs(static_cast<double>(net.parameters()[i])));
    plus.parameters()[i] += static_cast<typename Net::Scalar>(step);
    minus.parameters()[i] -= static_cast<typename Net::Scalar>(step);
    const double difference = static_cast<double>(sm::mean_squared_error(plus, samples)) -
                              static_cast<double>(sm::mean_squared_error(minus, samples));
    result[i] = static_cast<typename Net::Scalar>(difference / (2 * step));
  }
  return result;
}

using Relu141 = sm::Mlp<float, 1, sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;

// A 1-H-1 network with biases spread over [-1, 1] as well as random weights, so that units
// saturate, sit near zero and fall on both sides of a ReLU kink.
template <class Net>
Net spread_network(std::uint64_t seed) {
  using T = typename Net::Scalar;
  constexpr std::size_t hidden = Net::widths[1];
  Net net = sm::initialized<Net>(seed);
  for (std::size_t i = 0; i < hidden; ++i) {
    net.parameters()[hidden + i] = T(-1) + T(2) * static_cast<T>(i) / static_cast<T>(hidden);
  }
  net.parameters()[3 * hidden] = T(0.25);
  return net;
}

// The sample indices 0 to N - 1 in order, for shuffle() to permute.
template <std::size_t N>
std::array<std::uint32_t, N> sample_order() {
  std::array<std::uint32_t, N> order{};
  for (std::size_t s = 0; s < N; ++s) {
    order[s] = static_cast<std::uint32_t>(s);
  }
  return order;
}

}  // namespace test_support
