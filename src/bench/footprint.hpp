// The memory a network needs to be stored, trained by backpropagation and optimized, as
// compile-time byte counts for any Mlp type; the bench prints them for the lecture's networks.
#pragma once

#include <cstddef>

#include <staticmlp/staticmlp.hpp>

namespace bench {

template <class Net>
struct Footprint {
  // The network itself: exactly its parameters.
  static constexpr std::size_t network_bytes = sizeof(Net);
  // One gradient, shaped like the parameters.
  static constexpr std::size_t gradient_bytes = sizeof(typename Net::Parameters);
  // Every layer output and two delta buffers for one forward and backward pass.
  static constexpr std::size_t workspace_bytes = sizeof(staticmlp::Workspace<Net>);
  // Per-parameter optimizer state, hyperparameters excluded.
  static constexpr std::size_t sgd_bytes = staticmlp::Sgd<Net>::state_bytes;
  static constexpr std::size_t momentum_bytes = staticmlp::Momentum<Net>::state_bytes;
  static constexpr std::size_t adam_bytes = staticmlp::Adam<Net>::state_bytes;
};

}  // namespace bench
