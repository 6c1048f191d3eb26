// Weight initialisation from a 64-bit seed with the engine's own generator, so the same seed
// gives bit-identical weights on every compiler and target. Biases start at zero.
// He-uniform, U(-sqrt(6 / fan_in), +sqrt(6 / fan_in)), for layers with a Relu-family
// activation; Glorot-uniform, U(-sqrt(6 / (fan_in + fan_out)), +...), for all others.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "activation.hpp"
#include "math.hpp"
#include "mlp.hpp"
#include "random.hpp"
#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {

// Half-width of the uniform range for layer L's weights.
template <class Net, std::size_t L>
constexpr typename Net::Scalar init_limit() {
  using T = typename Net::Scalar;
  constexpr auto fan_in = static_cast<T>(Net::widths[L]);
  constexpr auto fan_out = static_cast<T>(Net::widths[L + 1]);
  if constexpr (is_relu_family_v<typename Net::template LayerActivation<L>>) {
    return staticmlp::sqrt(T(6) / fan_in);
  } else {
    return staticmlp::sqrt(T(6) / (fan_in + fan_out));
  }
}

namespace detail {
template <std::size_t L, class Net>
constexpr void initialize_layer(Net& net, SplitMix64& generator) {
  using T = typename Net::Scalar;
  constexpr std::size_t weight_count = Net::widths[L] * Net::widths[L + 1];
  constexpr std::size_t offset = Net::layer_offsets[L];
  const T limit = init_limit<Net, L>();
  for (std::size_t i = 0; i < weight_count; ++i) {
    net.parameters()[offset + i] = generator.uniform<T>(-limit, limit);
  }
  for (std::size_t o = 0; o < Net::widths[L + 1]; ++o) {
    net.parameters()[offset + weight_count + o] = T(0);
  }
}

template <class Net, std::size_t... Ls>
constexpr void initialize_layers(Net& net, SplitMix64& generator, std::index_sequence<Ls...>) {
  (initialize_layer<Ls>(net, generator), ...);
}
}  // namespace detail

// Sets every weight and bias of `net` from `seed`: weights layer by layer in parameter order.
template <class Net>
constexpr void initialize(Net& net, std::uint64_t seed) {
  SplitMix64 generator(seed);
  detail::initialize_layers(net, generator, std::make_index_sequence<Net::layer_count>{});
}

// A network of type Net initialised from `seed`.
template <class Net>
constexpr Net initialized(std::uint64_t seed) {
  Net net;
  initialize(net, seed);
  return net;
}

}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
