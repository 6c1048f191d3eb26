// A training recipe for small fits on top of fit(). initialize_in_data() puts every ReLU-family
// kink (and every sigmoid or tanh centre) inside the data, and rescale_relu_layer() slows the
// kinks without changing the function. train_with_restarts() tries several seeds briefly and
// trains the best on while cosine_learning_rate() lowers the learning rate.
// Its budget counts full-data gradient evaluations: restarts * trial_epochs + the final phase
// is exactly options.epochs. Everything is constexpr and allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "backprop.hpp"
#include "dataset.hpp"
#include "fit.hpp"
#include "init.hpp"
#include "math.hpp"
#include "optimizer.hpp"
#include "random.hpp"
#include "status.hpp"
#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {

namespace detail {

// Pre-activation of unit j of layer L without its bias, sum_i W[j][i] x[i], at `input`.
template <std::size_t L, class Net>
constexpr typename Net::Scalar weighted_sum(const Net& net, const typename Net::Input& input,
                                            std::size_t j) {
  using T = typename Net::Scalar;
  typename Net::Activations activations{};
  const T* x = input.data();
  if constexpr (L > 0) {
    net.forward(input.data(), activations);
    x = activations.data() + Net::activation_offsets[L - 1];
  }
  T sum = 0;
  for (std::size_t i = 0; i < Net::widths[L]; ++i) {
    sum += net.template weight<L>(j, i) * x[i];
  }
  return sum;
}

// Bias that puts unit j's zero crossing for a one-input network's first layer at a random
// place in the j-th of `width` equal slices of the inputs' range [lowest, highest].
template <class Net>
constexpr typename Net::Scalar stratified_kink_bias(
    const Net& net, SampleView<typename Net::Scalar, Net::input_size, Net::output_size> samples,
    std::size_t j, SplitMix64& generator) {
  using T = typename Net::Scalar;
  T lowest = samples[0].input[0];
  T highest = lowest;
  for (std::size_t s = 1; s < samples.size; ++s) {
    const T x = samples[s].input[0];
    lowest = x < lowest ? x : lowest;
    highest = x > highest ? x : highest;
  }
  constexpr T width = static_cast<T>(Net::widths[1]);
  const T slice = (static_cast<T>(j) + generator.uniform<T>()) / width;
  const T kink = lowest + (highest - lowest) * slice;
  return -net.template weight<0>(j, 0) * kink;
}

// Bias that puts unit j's zero crossing halfway between its pre-activations at two random
// samples, so it is active on one and inactive on the other. Up to 8 pairs are drawn to find
// two different pre-activations; when all are equal it crosses zero at the last one drawn.
template <std::size_t L, class Net>
constexpr typename Net::Scalar sample_pair_bias(
    const Net& net, SampleView<typename Net::Scalar, Net::input_size, Net::output_size> samples,
    std::size_t j, SplitMix64& generator) {
  using T = typename Net::Scalar;
  T first = 0;
  T second = 0;
  for (int attempt = 0; attempt < 8; ++attempt) {
    const auto a = static_cast<std::size_t>(generator.below(samples.size));
    const auto b = static_cast<std::size_t>(generator.below(samples.size));
    first = weighted_sum<L>(net, samples[a].input, j);
    second = weighted_sum<L>(net, samples[b].input, j);
    if (first != second) {
      break;
    }
  }
  return -(first + second) / T(2);
}

// Sets the biases of hidden layer L, with the layers below already placed. The output layer
// keeps its zero biases.
template <std::size_t L, class Net>
constexpr void place_layer_biases(
    Net& net, SampleView<typename Net::Scalar, Net::input_size, Net::output_size> samples,
    SplitMix64& generator) {
  if constexpr (L + 1 < Net::layer_count) {
    for (std::size_t j = 0; j < Net::widths[L + 1]; ++j) {
      if constexpr (L == 0 && Net::input_size == 1) {
        net.template bias<L>(j) = stratified_kink_bias(net, samples, j, generator);
      } else {
        net.template bias<L>(j) = sample_pair_bias<L>(net, samples, j, generator);
      }
    }
  }
}

template <class Net, std::size_t... Ls>
constexpr void place_biases(
    Net& net, SampleView<typename Net::Scalar, Net::input_size, Net::output_size> samples,
    SplitMix64& generator, std::index_sequence<Ls...>) {
  (place_layer_biases<Ls>(net, samples, generator), ...);
}

}  // namespace detail

// Initialises `net` from `seed` with the weights of initialize(net, seed), then sets the bias
// of every hidden unit so that its pre-activation crosses zero inside the data: for ReLU-family
// units that is the kink, for sigmoid and tanh the centre. For one-input networks the first
// hidden layer's kinks x = -b / w are spread over the inputs' range, one per equal slice. Every
// other hidden unit crosses zero between two random samples, so no unit starts dead on all the
// data (unless its pre-activation is the same on every sample drawn). Empty data leaves the
// biases zero; the values are not checked here (fit() checks them).
template <class Net>
constexpr void initialize_in_data(
    Net& net, SampleView<typename Net::Scalar, Net::input_size, Net::output_size> samples,
    std::uint64_t seed) {
  initialize(net, seed);
  if (samples.size == 0) {
    return;
  }
  // A generator of its own, so the weights stay those of initialize(net, seed).
  SplitMix64 generator(seed ^ 0x6B696E6B73ULL);
  detail::place_biases(net, samples, generator, std::make_index_sequence<Net::layer_count>{});
}

template <class Net, std::size_t N>
constexpr void initialize_in_data(Net& net, const std::array<typename Net::SampleType, N>& samples,
                                  std::uint64_t seed) {
  initialize_in_data(
      net, SampleView<typename Net::Scalar, Net::input_size, Net::output_size>(samples), seed);
}

// Multiplies the weights and biases of layer L by `factor` and the weights of layer L + 1 by
// 1 / factor. For a ReLU-family layer L and factor > 0 the network computes the same function
// up to rounding, because max(0, c z) = c max(0, z), but the layer's kinks x = -b / w move
// about 1 / factor times as fast under Adam, which changes every parameter by about the
// learning rate per step whatever its scale.
template <std::size_t L, class Net>
constexpr void rescale_relu_layer(Net& net, typename Net::Scalar factor) {
  static_assert(L + 1 < Net::layer_count, "rescale_relu_layer needs a hidden layer L");
  static_assert(is_relu_family_v<typename Net::template LayerActivation<L>>,
                "rescale_relu_layer keeps the function only for a ReLU-family layer");
  using T = typename Net::Scalar;
  for (std::size_t o = 0; o < Net::widths[L + 1]; ++o) {
    for (std::size_t i = 0; i < Net::widths[L]; ++i) {
      net.template weight<L>(o, i) *= factor;
    }
    net.template bias<L>(o) *= factor;
  }
  const T inverse = T(1) / factor;
  for (std::size_t o = 0; o < Net::widths[L + 2]; ++o) {
    for (std::size_t i = 0; i < Net::widths[L + 1]; ++i) {
      net.template weight<L + 1>(o, i) *= inverse;
    }
  }
}

// Learning rate at `epoch` (0-based) of `epochs`, falling from `initial` to `final_rate` along
// half a cosine: initial at epoch 0, final_rate at the last epoch.
template <class T>
constexpr T cosine_learning_rate(T initial, T final_rate, std::size_t epoch, std::size_t epochs) {
  if (epochs <= 1) {
    return final_rate;
  }
  constexpr T pi = T(3.141592653589793);
  const T progress = static_cast<T>(epoch) / static_cast<T>(epochs - 1);
  return final_rate + (initial - final_rate) * (T(1) + staticmlp::cos(pi * progress)) / T(2);
}

template <class T>
struct RestartOptions {
  // Total budget of full-batch epochs (full-data gradient evaluations), restarts included.
  std::size_t epochs = 20000;
  // Number of seeds tried, each for trial_epochs at the initial learning rate.
  std::size_t restarts = 8;
  std::size_t trial_epochs = 500;
  // Adam's learning rate: constant in the trials, then falling along a cosine to
  // final_learning_rate over the remaining epochs.
  T learning_rate = T(0.01);
  T final_learning_rate = T(1e-5);
  // Factor by which rescale_relu_layer() slows the first layer's kinks when that layer is
  // ReLU-family; 1 leaves initialize_in_data()'s start as it is. On the lecture's 1-4-1 sine
  // fit, 10 takes the median MSE over ten seeds from 0.0034 to 0.0014 because the kinks stay
  // spread out instead of two of them meeting. Networks of hundreds of units fit better with 1.
  T kink_scale = T(10);
};

template <class T>
struct [[nodiscard]] RestartResult {
  Status status{};
  // Seed whose trial ended lowest and was trained on; its index among the restarts.
  std::uint64_t seed = 0;
  std::size_t restart = 0;
  // Epochs run, trials included (a failed trial's too), and the MSE at the end of the chosen
  // trial and of training. After a failure, final_loss is the MSE of the network left behind.
  std::size_t epochs = 0;
  T trial_loss = T(0);
  T final_loss = T(0);

  constexpr bool ok() const { return status.ok(); }
};

// Seed of restart r for base seed `seed`: restart 0 uses `seed` itself, so a one-restart run
// starts from initialize_in_data(net, samples, seed).
constexpr std::uint64_t restart_seed(std::uint64_t seed, std::size_t restart) {
  if (restart == 0) {
    return seed;
  }
  SplitMix64 generator(seed + 0x5EEDULL * restart);
  return generator.next();
}

namespace detail {

// fit() progress callback that sets the optimizer's learning rate for the next epoch from the
// cosine schedule and forwards (first_epoch + epoch, loss) to the caller's callback.
template <class Optimizer, class Callback>
struct CosineSchedule {
  using T = typename Optimizer::T;
  Optimizer* optimizer;
  Callback* progress;
  T initial;
  T final_rate;
  std::size_t epochs;
  std::size_t first_epoch;

  constexpr bool operator()(std::size_t epoch, T loss) const {
    optimizer->learning_rate = cosine_learning_rate(initial, final_rate, epoch, epochs);
    return report_progress(*progress, first_epoch + epoch, loss);
  }
};

}  // namespace detail

// Trains `net` with Adam. Each of options.restarts seeds (restart_seed(seed, r)) gives an
// initialize_in_data() start, with its first layer rescaled by options.kink_scale when that
// layer is ReLU-family, trained options.trial_epochs at options.learning_rate. The trial
// that ends with the lowest MSE (the first on ties) then continues, optimizer state and all,
// for the rest of options.epochs with the learning rate falling along a cosine. progress gets
// (epoch, loss) counted over the whole budget. A failing fit() ends training with its status.
// Bad settings are rejected before any training with restart_options_invalid. Setting 0 (value:
// restarts * trial_epochs) means no restarts or trials that alone exceed the budget. Settings 1
// and 2 mean that final_learning_rate or kink_scale is not positive and finite. Setting 2 is
// also reported when kink_scale makes a rescaled parameter overflow. Bad data or a bad learning
// rate is also rejected before the network is touched. When a trial fails, the network contains
// the best trial finished before it, or, if none finished, the network as it was passed in.
// When the final stretch fails, fit() has restored its last good epoch.
template <class Net, class Callback = NoProgress>
constexpr RestartResult<typename Net::Scalar> train_with_restarts(
    Net& net, SampleView<typename Net::Scalar, Net::input_size, Net::output_size> samples,
    std::uint64_t seed, const RestartOptions<typename Net::Scalar>& options = {},
    Callback progress = {}) {
  using T = typename Net::Scalar;
  RestartResult<T> result{};
  // Compared by division, because restarts * trial_epochs can overflow.
  const bool trials_fit = options.trial_epochs == 0 ||
                          options.restarts <= options.epochs / options.trial_epochs;
  if (options.restarts == 0 || !trials_fit) {
    result.status = make_status(
        StatusCode::restart_options_invalid, 0,
        static_cast<double>(options.restarts) * static_cast<double>(options.trial_epochs));
    return result;
  }
  const std::size_t trial_budget = options.restarts * options.trial_epochs;
  if (!(options.final_learning_rate > T(0)) || !is_finite(options.final_learning_rate)) {
    result.status = make_status(StatusCode::restart_options_invalid, 1,
                                static_cast<double>(options.final_learning_rate));
    return result;
  }
  if (!(options.kink_scale > T(0)) || !is_finite(options.kink_scale)) {
    result.status = make_status(StatusCode::restart_options_invalid, 2,
                                static_cast<double>(options.kink_scale));
    return result;
  }
  // initialize_in_data() reads the data, so it must be checked before the first trial.
  result.status = check_samples<Net>(samples);
  if (!result.status.ok()) {
    return result;
  }
  result.status = Adam<Net>(options.learning_rate).check();
  if (!result.status.ok()) {
    return result;
  }

  FitOptions<T> fit_options;
  fit_options.epochs = options.trial_epochs;
  // best_net starts as the caller's network, so that a failure before any trial has finished
  // gives it back unchanged.
  Net best_net = net;
  Adam<Net> best_optimizer(options.learning_rate);
  bool have_best = false;
  for (std::size_t r = 0; r < options.restarts; ++r) {
    const std::uint64_t trial_seed = restart_seed(seed, r);
    initialize_in_data(net, samples, trial_seed);
    if constexpr (Net::layer_count > 1 &&
                  is_relu_family_v<typename Net::template LayerActivation<0>>) {
      rescale_relu_layer<0>(net, options.kink_scale);
      // A huge or tiny kink_scale can push a weight or bias past the largest finite value.
      if (detail::first_non_finite(net.parameters()) < Net::parameter_count) {
        net = best_net;
        result.status = make_status(StatusCode::restart_options_invalid, 2,
                                    static_cast<double>(options.kink_scale));
        return result;
      }
    }
    Adam<Net> optimizer(options.learning_rate);
    const std::size_t first_epoch = result.epochs;
    // A callback that returns false ends the whole run, not only this trial.
    bool stopped = false;
    const auto trial_progress = [&](std::size_t epoch, T loss) {
      stopped = !detail::report_progress(progress, first_epoch + epoch, loss);
      return !stopped;
    };
    const FitResult<T> trial = fit(net, optimizer, samples, fit_options, trial_progress);
    result.epochs += trial.epochs;
    if (!trial.ok()) {
      net = best_net;
      result.status = trial.status;
      // Without a finished trial, net is the caller's network again, and so is the loss.
      result.final_loss = have_best ? result.trial_loss : mean_squared_error(net, samples);
      return result;
    }
    if (!have_best || trial.final_loss < result.trial_loss) {
      have_best = true;
      best_net = net;
      best_optimizer = optimizer;
      result.seed = trial_seed;
      result.restart = r;
      result.trial_loss = trial.final_loss;
    }
    if (stopped) {
      net = best_net;
      result.final_loss = result.trial_loss;
      return result;
    }
  }

  net = best_net;
  result.final_loss = result.trial_loss;
  const std::size_t remaining = options.epochs - trial_budget;
  if (remaining == 0) {
    return result;
  }
  fit_options.epochs = remaining;
  detail::CosineSchedule<Adam<Net>, Callback> schedule{
      &best_optimizer, &progress, options.learning_rate, options.final_learning_rate,
      remaining, result.epochs};
  const FitResult<T> final_fit = fit(net, best_optimizer, samples, fit_options, schedule);
  result.epochs += final_fit.epochs;
  result.status = final_fit.status;
  result.final_loss = final_fit.final_loss;
  return result;
}

template <class Net, std::size_t N, class Callback = NoProgress>
constexpr RestartResult<typename Net::Scalar> train_with_restarts(
    Net& net, const std::array<typename Net::SampleType, N>& samples, std::uint64_t seed,
    const RestartOptions<typename Net::Scalar>& options = {}, Callback progress = {}) {
  return train_with_restarts(
      net, SampleView<typename Net::Scalar, Net::input_size, Net::output_size>(samples), seed,
      options, progress);
}

}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
