// The main demo's recipe in one place, shared by the desktop demo, the firmware and the
// compile-time training test, so all three train the same network the same way.
#pragma once

#include <cstddef>
#include <cstdint>

#include <staticmlp/staticmlp.hpp>

namespace sine_recipe {

namespace sm = staticmlp;

using Net = sm::Mlp<float, 1, sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;

inline constexpr std::uint64_t seed = 1;
inline constexpr std::size_t epochs = 5000;
inline constexpr float learning_rate = 0.01f;
// The training MSE the demo must reach; the tests and the firmware check the same number.
inline constexpr float mse_threshold = 0.02f;
// At namespace scope, not inside train(): a constexpr local would be copied onto the stack
// (800 bytes) at every call, which matters on a microcontroller.
inline constexpr auto data = sm::sine_dataset<float, 100>();

// Initialises `net` from `seed` and trains it on the 100-point sine data with full-batch Adam.
template <class Progress = sm::NoProgress>
constexpr sm::FitResult<float> train(Net& net, Progress progress = {}) {
  sm::initialize(net, seed);
  sm::Adam<Net> optimizer(learning_rate);
  sm::FitOptions<float> options;
  options.epochs = epochs;
  return sm::fit(net, optimizer, data, options, progress);
}

}  // namespace sine_recipe
