// The lecture's network variants and how each is trained, shared by the figure programs and the
// tests, so that the tests check exactly the fits the figures show. Every variant is trained by
// train_with_restarts() (training.hpp) on the 100-point sine data in float. The figures show
// seed 1, and the tests take medians over seeds 1 to 10.
#pragma once

#include <cstddef>
#include <cstdint>

#include <staticmlp/staticmlp.hpp>

namespace lecture {

namespace sm = staticmlp;

using Linear = sm::Mlp<float, 1, sm::Dense<1, sm::Identity>>;
using Relu141 = sm::Mlp<float, 1, sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;
using Relu1441 =
    sm::Mlp<float, 1, sm::Dense<4, sm::Relu>, sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;
using Relu14441 = sm::Mlp<float, 1, sm::Dense<4, sm::Relu>, sm::Dense<4, sm::Relu>,
                          sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;
using Relu1401 = sm::Mlp<float, 1, sm::Dense<40, sm::Relu>, sm::Dense<1, sm::Identity>>;
using Relu14001 = sm::Mlp<float, 1, sm::Dense<400, sm::Relu>, sm::Dense<1, sm::Identity>>;
using LeakyRelu141 = sm::Mlp<float, 1, sm::Dense<4, sm::LeakyRelu<>>, sm::Dense<1, sm::Identity>>;
using Sigmoid141 = sm::Mlp<float, 1, sm::Dense<4, sm::Sigmoid>, sm::Dense<1, sm::Identity>>;
using Tanh141 = sm::Mlp<float, 1, sm::Dense<4, sm::Tanh>, sm::Dense<1, sm::Identity>>;

// The seed the figures show.
inline constexpr std::uint64_t figure_seed = 1;
inline constexpr std::size_t sample_count = 100;

inline constexpr auto data = sm::sine_dataset<float, sample_count>();

// The library's defaults: 8 restarts of 500 epochs, then a cosine decay to 20 000 epochs in all,
// first-layer kinks slowed 10 times. Networks of 100 or more hidden units differ, because their
// initial kinks already cover the data densely. One start of 2 000 epochs with the kinks free to
// move reaches about 2e-7 for them, and each of their epochs costs 100 times a 1-4-1 epoch.
template <class Net>
constexpr sm::RestartOptions<float> restart_options() {
  sm::RestartOptions<float> options;
  if constexpr (Net::max_width >= 100) {
    options.epochs = 2000;
    options.restarts = 1;
    options.trial_epochs = 500;
    options.kink_scale = 1.0f;
  }
  return options;
}

template <class Net, class Progress = sm::NoProgress>
constexpr sm::RestartResult<float> train(Net& net, std::uint64_t seed, Progress progress = {}) {
  return sm::train_with_restarts(net, data, seed, restart_options<Net>(), progress);
}

// Kinks x = -b / w of the hidden units of a one-hidden-layer network that lie in [low, high]
// and whose outgoing weight is non-zero, stored in `kinks` (room for the layer's width) in unit
// order; returns how many. A unit with w = 0 has no kink.
template <class Net>
constexpr std::size_t find_kinks(const Net& net, float low, float high, float* kinks) {
  static_assert(Net::layer_count == 2 && Net::input_size == 1,
                "find_kinks needs a one-input network with one hidden layer");
  std::size_t count = 0;
  for (std::size_t j = 0; j < Net::widths[1]; ++j) {
    const float w = net.template weight<0>(j, 0);
    if (w == 0.0f || net.template weight<1>(0, j) == 0.0f) {
      continue;
    }
    const float kink = -net.template bias<0>(j) / w;
    if (kink >= low && kink <= high) {
      kinks[count] = kink;
      ++count;
    }
  }
  return count;
}

template <class Net>
constexpr std::size_t count_kinks(const Net& net, float low = -0.5f, float high = 0.5f) {
  float kinks[Net::widths[1]] = {};
  return find_kinks(net, low, high, kinks);
}

}  // namespace lecture
