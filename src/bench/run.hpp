// One benchmark run: its settings, the trainers that execute it, and what a run measures.
// A trainer trains a freshly initialised 1-H-1 network on the 100-point sine data for a given
// number of epochs and returns the CPU seconds of the training alone and the final MSE.
#pragma once

#include <cstddef>
#include <ctime>

namespace bench {

enum class Activation { tanh, relu, sigmoid };
enum class Mode { sgd, batch };
enum class Precision { float32, float64 };

struct Config {
  std::size_t hidden = 40;
  Activation activation = Activation::tanh;
  Mode mode = Mode::sgd;
  Precision precision = Precision::float32;
};

struct Timing {
  bool ok = false;  // false when the configuration is not built into this trainer
  double seconds = 0;
  double final_mse = 0;
};

// The task every trainer runs: learning rate 0.01, seed 1 for the weights, the samples in order.
inline constexpr double learning_rate = 0.01;
inline constexpr std::size_t sample_count = 100;

// Floating-point operations counted per sample, tanh and sigmoid themselves not counted.
// Per-sample SGD: forward 4H, error 1, backward 6H, update 6H + 2, so 16H + 3.
// Full batch: forward, error and backward as above plus 3H + 1 additions that accumulate the
// gradient, so 13H + 2 per sample, and one update of 6H + 2 per epoch.
inline double flops_per_epoch(const Config& config) {
  const auto h = static_cast<double>(config.hidden);
  const auto n = static_cast<double>(sample_count);
  if (config.mode == Mode::sgd) {
    return n * (16 * h + 3);
  }
  return n * (13 * h + 2) + (6 * h + 2);
}

// CPU time of the calling thread in seconds (POSIX CLOCK_THREAD_CPUTIME_ID). On a machine shared
// with other work, wall-clock time also counts the time slices given to other processes; the
// thread's CPU time does not, though caches and clock frequency still vary with the load.
inline double thread_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

const char* activation_name(Activation activation);
const char* mode_name(Mode mode);

// staticmlp's fit() with Sgd: batch_size 1 for Mode::sgd, full_batch for Mode::batch.
Timing train_staticmlp(const Config& config, std::size_t epochs);

// The hand-written Eigen baseline (eigen_baseline.cpp); returns ok = false when the bench was
// built without Eigen.
Timing train_eigen(const Config& config, std::size_t epochs);

// Name of the Eigen baseline's row, including its compiler flags, or nullptr without Eigen.
const char* eigen_name();

// Values per call in the activation cost measurement: one hidden layer of the widest network.
inline constexpr std::size_t activation_values = 400;

// CPU seconds per value of applying the activation to activation_values floats spread evenly
// over [-spread, spread), `calls` times: staticmlp's lane-wise activation (one_hidden_layer.hpp's
// kernels use it) and Eigen's array function. The Eigen one returns a negative time without
// Eigen.
double staticmlp_activation_seconds(Activation activation, std::size_t calls, float spread);
double eigen_activation_seconds(Activation activation, std::size_t calls, float spread);

// Lanes of the vectors staticmlp's kernels use for float in this build.
std::size_t staticmlp_float_lanes();

// Bytes of the vectors staticmlp's 1-H-1 training kernels use on this CPU: wider than the build's
// own where run-time dispatch applies.
std::size_t staticmlp_training_vector_bytes();

}  // namespace bench
