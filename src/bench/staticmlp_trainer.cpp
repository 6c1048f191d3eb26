// Times staticmlp's own training loop: fit() with Sgd on the sine data, per sample or full batch.
#include <cstdio>
#include <limits>

#include <staticmlp/io.hpp>
#include <staticmlp/staticmlp.hpp>

#include "run.hpp"

namespace bench {
namespace {

namespace sm = staticmlp;

template <class T, std::size_t H, class Act>
Timing time_fit(Mode mode, std::size_t epochs) {
  using Net = sm::Mlp<T, 1, sm::Dense<H, Act>, sm::Dense<1, sm::Identity>>;
  static constexpr auto data = sm::sine_dataset<T, sample_count>();
  Net net = sm::initialized<Net>(1);
  sm::Sgd<Net> optimizer(static_cast<T>(learning_rate));
  sm::FitOptions<T> options;
  options.epochs = epochs;
  options.batch_size = mode == Mode::sgd ? 1 : sm::full_batch;

  const double start = thread_seconds();
  const auto result = sm::fit(net, optimizer, data, options);
  const double elapsed = thread_seconds() - start;

  Timing timing;
  timing.ok = true;
  timing.seconds = elapsed;
  timing.final_mse = static_cast<double>(result.final_loss);
  if (!result.ok()) {
    std::fprintf(stderr, "warning: staticmlp 1-%zu-1 training stopped: %s\n", H,
                 sm::describe(result.status).c_str());
    timing.final_mse = std::numeric_limits<double>::quiet_NaN();
  }
  return timing;
}

template <class T, std::size_t H>
Timing time_activation(const Config& config, std::size_t epochs) {
  switch (config.activation) {
    case Activation::tanh:
      return time_fit<T, H, sm::Tanh>(config.mode, epochs);
    case Activation::relu:
      return time_fit<T, H, sm::Relu>(config.mode, epochs);
    case Activation::sigmoid:
      return time_fit<T, H, sm::Sigmoid>(config.mode, epochs);
  }
  return {};
}

template <class T>
Timing time_hidden(const Config& config, std::size_t epochs) {
  switch (config.hidden) {
    case 4:
      return time_activation<T, 4>(config, epochs);
    case 40:
      return time_activation<T, 40>(config, epochs);
    case 400:
      return time_activation<T, 400>(config, epochs);
    default:
      return {};
  }
}

// Applies Act to `values` in place, vector by vector as the kernels do.
template <class Act>
[[gnu::noinline]] void apply_activation(float* values) {
  constexpr std::size_t lanes = sm::detail::native_lanes<float>;
  using L = sm::detail::Vector<float, lanes>;
  static_assert(activation_values % lanes == 0, "whole vectors only");
  for (std::size_t i = 0; i < activation_values; i += lanes) {
    if constexpr (lanes > 1) {
      sm::detail::store_lanes(values + i, Act::value(sm::detail::load_lanes<L>(values + i)));
    } else {
      values[i] = Act::value(values[i]);
    }
  }
}

template <class Act>
double time_activation(std::size_t calls, float spread) {
  float values[activation_values];
  float inputs[activation_values];
  for (std::size_t i = 0; i < activation_values; ++i) {
    inputs[i] =
        spread * (-1.0f + 2.0f * static_cast<float>(i) / static_cast<float>(activation_values));
  }
  float checksum = 0;
  const double start = thread_seconds();
  for (std::size_t call = 0; call < calls; ++call) {
    for (std::size_t i = 0; i < activation_values; ++i) {
      values[i] = inputs[i];
    }
    apply_activation<Act>(values);
    checksum += values[call % activation_values];
  }
  const double elapsed = thread_seconds() - start;
  // Keeps the calls from being optimized away.
  volatile float sink = checksum;
  static_cast<void>(sink);
  return elapsed / static_cast<double>(calls * activation_values);
}

}  // namespace

double staticmlp_activation_seconds(Activation activation, std::size_t calls, float spread) {
  switch (activation) {
    case Activation::tanh:
      return time_activation<sm::Tanh>(calls, spread);
    case Activation::relu:
      return time_activation<sm::Relu>(calls, spread);
    case Activation::sigmoid:
      return time_activation<sm::Sigmoid>(calls, spread);
  }
  return 0;
}

std::size_t staticmlp_float_lanes() { return sm::detail::native_lanes<float>; }

std::size_t staticmlp_training_vector_bytes() { return sm::detail::run_time_vector_bytes(); }

Timing train_staticmlp(const Config& config, std::size_t epochs) {
  return config.precision == Precision::float32 ? time_hidden<float>(config, epochs)
                                                : time_hidden<double>(config, epochs);
}

}  // namespace bench
