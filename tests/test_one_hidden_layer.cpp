// The one-hidden-layer kernels (1-H-1 networks): the forward pass, one sample's gradient and the
// per-sample Sgd epoch must give the bits of the scalar formulas they are written from, for
// widths that fill whole vectors, leave a tail or pad the last vector, and at compile time.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "test_support.hpp"

namespace sm = staticmlp;
using test_support::same_bits;
using test_support::spread_network;

namespace {

template <class T, std::size_t H, class Hidden, class Output = sm::Identity>
using OneHidden = sm::Mlp<T, 1, sm::Dense<H, Hidden>, sm::Dense<1, Output>>;

// Hidden outputs and the output by the layer formulas, one scalar at a time:
// h[i] = A(b[i] + w[i] x) and y = B(c + dot(v, h)).
template <class Net>
struct Reference {
  using T = typename Net::Scalar;
  static constexpr std::size_t hidden = Net::widths[1];
  std::array<T, hidden> h{};
  T y = T(0);

  Reference(const Net& net, T x) {
    using Hidden = typename Net::template LayerActivation<0>;
    using Output = typename Net::template LayerActivation<1>;
    const auto& p = net.parameters();
    for (std::size_t i = 0; i < hidden; ++i) {
      h[i] = Hidden::value(p[hidden + i] + p[i] * x);
    }
    y = Output::value(p[3 * hidden] + sm::detail::dot<hidden>(p.data() + 2 * hidden, h.data()));
  }
};

// Number of inputs in [-3, 3] (and two far out) at which forward() differs from Reference.
template <class Net>
int forward_mismatches() {
  using T = typename Net::Scalar;
  constexpr std::size_t hidden = Net::widths[1];
  const Net net = spread_network<Net>(3);
  int mismatches = 0;
  for (int step = -152; step <= 152; ++step) {
    const T x = step == -152 ? T(-1e4) : step == 152 ? T(1e4) : static_cast<T>(step) / T(50);
    typename Net::Activations activations{};
    net.forward(&x, activations);
    const Reference<Net> reference(net, x);
    bool same = same_bits(activations[hidden], reference.y);
    for (std::size_t i = 0; i < hidden; ++i) {
      same = same && same_bits(activations[i], reference.h[i]);
    }
    mismatches += same ? 0 : 1;
  }
  return mismatches;
}

// Number of parameters whose gradient from loss_and_gradient() differs from accumulate_gradient()
// with scale 1/N written out: dz = (2 scale (y - t)) B'(y), then for each unit
// below = (v dz) A'(h), gv += dz h, gw += below x, gb += below, and gc += dz. The loss must match
// too, or the count is one more. The gradient is over the first N of the sine samples.
template <class Net, std::size_t N = 30>
std::size_t gradient_mismatches() {
  using T = typename Net::Scalar;
  using Hidden = typename Net::template LayerActivation<0>;
  using Output = typename Net::template LayerActivation<1>;
  constexpr std::size_t hidden = Net::widths[1];
  static_assert(N <= 30, "the gradient covers at most the 30 sine samples");
  const auto all_data = sm::sine_dataset<T, 30>();
  const sm::SampleView<T, 1, 1> data(all_data.data(), N);
  const Net net = spread_network<Net>(8);
  const T scale = T(1) / T(N);
  typename Net::Parameters expected{};
  T expected_total = 0;
  for (std::size_t s = 0; s < N; ++s) {
    const auto& sample = data[s];
    const Reference<Net> reference(net, sample.input[0]);
    const T error = reference.y - sample.target[0];
    expected_total += error * error;
    const T dz = T(2) * scale * (reference.y - sample.target[0]) *
                 Output::derivative_from_output(reference.y);
    for (std::size_t i = 0; i < hidden; ++i) {
      const T below =
          (net.parameters()[2 * hidden + i] * dz) * Hidden::derivative_from_output(reference.h[i]);
      expected[2 * hidden + i] += dz * reference.h[i];
      expected[i] += below * sample.input[0];
      expected[hidden + i] += below;
    }
    expected[3 * hidden] += dz;
  }

  typename Net::Parameters gradient{};
  sm::Workspace<Net> workspace{};
  const T loss = sm::loss_and_gradient(net, data, gradient, workspace);
  std::size_t mismatches = same_bits(loss, expected_total * scale) ? 0 : 1;
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    mismatches += same_bits(gradient[i], expected[i]) ? 0 : 1;
  }
  return mismatches;
}

// Number of parameters whose bits differ between fit() with batches of one, which runs
// sgd_epoch() for narrow networks, and train_sample() on the same samples in the same order.
template <class Net>
std::size_t epoch_mismatches(bool shuffle) {
  using T = typename Net::Scalar;
  const auto data = sm::sine_dataset<T, 50>();
  Net fitted = spread_network<Net>(5);
  Net stepped = fitted;
  // The output sums `hidden` terms, so a stable learning rate shrinks with the width.
  const T learning_rate = T(0.2) / static_cast<T>(Net::widths[1]);
  sm::Sgd<Net> fit_optimizer(learning_rate);
  sm::Sgd<Net> step_optimizer(learning_rate);
  sm::FitOptions<T> options;
  options.epochs = 3;
  options.batch_size = 1;
  options.shuffle = shuffle;
  options.shuffle_seed = 11;
  const auto result = sm::fit(fitted, fit_optimizer, data, options);
  INFO("1-" << Net::widths[1] << "-1 fit: " << sm::describe(result.status).c_str());
  REQUIRE(result.ok());

  std::array<std::uint32_t, 50> order{};
  for (std::size_t s = 0; s < order.size(); ++s) {
    order[s] = static_cast<std::uint32_t>(s);
  }
  sm::SplitMix64 generator(options.shuffle_seed);
  sm::Workspace<Net> workspace{};
  for (std::size_t epoch = 0; epoch < options.epochs; ++epoch) {
    if (shuffle) {
      sm::shuffle(order.data(), order.size(), generator);
    }
    for (std::uint32_t index : order) {
      static_cast<void>(sm::train_sample(stepped, step_optimizer, data[index], workspace));
    }
  }
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    mismatches += same_bits(fitted.parameters()[i], stepped.parameters()[i]) ? 0 : 1;
  }
  return mismatches;
}

template <class Net>
void check_epoch_matches_train_sample() {
  CHECK(epoch_mismatches<Net>(false) == 0);
  CHECK(epoch_mismatches<Net>(true) == 0);
}

// The per-sample Sgd fit of a 1-5-1 ReLU network, whose run-time vectors are padded.
constexpr float padded_fit_loss() {
  using Net = OneHidden<float, 5, sm::Relu>;
  constexpr auto data = sm::sine_dataset<float, 20>();
  Net net = sm::initialized<Net>(2);
  sm::Sgd<Net> sgd(0.05f);
  sm::FitOptions<float> options;
  options.epochs = 4;
  options.batch_size = 1;
  const auto result = sm::fit(net, sgd, data, options);
  return result.ok() ? result.final_loss : -1.0f;
}

}  // namespace

TEST_CASE("one-hidden-layer forward matches the layer formulas") {
  // Widths that fill whole vectors (4, 16, 400), leave a tail (5, 13, 40) or are one unit.
  CHECK(forward_mismatches<OneHidden<float, 1, sm::Tanh>>() == 0);
  CHECK(forward_mismatches<OneHidden<float, 4, sm::Tanh>>() == 0);
  CHECK(forward_mismatches<OneHidden<float, 5, sm::Sigmoid>>() == 0);
  CHECK(forward_mismatches<OneHidden<float, 13, sm::Relu, sm::Tanh>>() == 0);
  CHECK(forward_mismatches<OneHidden<float, 16, sm::LeakyRelu<1, 10>>>() == 0);
  CHECK(forward_mismatches<OneHidden<float, 40, sm::Tanh>>() == 0);
  CHECK(forward_mismatches<OneHidden<float, 400, sm::Sigmoid, sm::Sigmoid>>() == 0);
  CHECK(forward_mismatches<OneHidden<double, 8, sm::Tanh>>() == 0);
  CHECK(forward_mismatches<OneHidden<double, 37, sm::Identity>>() == 0);
}

TEST_CASE("one-hidden-layer gradient matches the layer formulas") {
  // 1-4-1 keeps the network in registers wherever vectors have 4 lanes or more, 1-40-1 with 8
  // lanes or more (AVX2, AVX-512). Otherwise each sweep over the hidden units adds one sample's
  // terms and runs the next forward pass. 1-400-1 fills whole vectors, and 1-88-1 (float) and
  // 1-100-1 (double) leave a tail with AVX-512. 1-24-1 has fewer whole vectors than partial-sum
  // groups with SSE2's 4 lanes.
  CHECK(gradient_mismatches<OneHidden<float, 4, sm::Tanh>>() == 0);
  CHECK(gradient_mismatches<OneHidden<float, 40, sm::Sigmoid, sm::Tanh>>() == 0);
  CHECK(gradient_mismatches<OneHidden<float, 400, sm::Relu>>() == 0);
  CHECK(gradient_mismatches<OneHidden<float, 24, sm::Relu>>() == 0);
  CHECK(gradient_mismatches<OneHidden<float, 88, sm::Tanh, sm::Sigmoid>>() == 0);
  CHECK(gradient_mismatches<OneHidden<double, 100, sm::Tanh>>() == 0);
  CHECK(gradient_mismatches<OneHidden<double, 6, sm::LeakyRelu<1, 10>>>() == 0);
  // With AVX-512, float 1-4-1 puts 16 samples across the lanes: one block of 16 and a tail of 14
  // of the 30 samples; with AVX2, three blocks of 8 and a tail of 6. Also a width of 8, other
  // output activations and double.
  CHECK(gradient_mismatches<OneHidden<float, 4, sm::Relu, sm::Tanh>>() == 0);
  CHECK(gradient_mismatches<OneHidden<float, 8, sm::LeakyRelu<>>>() == 0);
  CHECK(gradient_mismatches<OneHidden<float, 8, sm::Sigmoid, sm::Sigmoid>>() == 0);
  CHECK(gradient_mismatches<OneHidden<double, 4, sm::Tanh>>() == 0);
}

TEST_CASE("wide gradient of one to three samples") {
  // Up to 1024 units, each sweep runs the forward pass two samples ahead. With one or two
  // samples no sweep does, and with three the first sweep does. 1-1025-1 (a tail after the
  // whole vectors) runs one sample ahead.
  CHECK(gradient_mismatches<OneHidden<float, 400, sm::Tanh>, 1>() == 0);
  CHECK(gradient_mismatches<OneHidden<float, 400, sm::Tanh>, 2>() == 0);
  CHECK(gradient_mismatches<OneHidden<float, 400, sm::Tanh>, 3>() == 0);
  CHECK(gradient_mismatches<OneHidden<float, 1025, sm::Tanh>, 1>() == 0);
  CHECK(gradient_mismatches<OneHidden<float, 1025, sm::Tanh>, 3>() == 0);
}

namespace {
// Number of parameters whose bits differ between fit() with batches of 7, shuffled, and the same
// batches through loss_and_gradient() and step().
template <class Net>
std::size_t minibatch_mismatches() {
  using T = typename Net::Scalar;
  const auto data = sm::sine_dataset<T, 21>();
  Net fitted = spread_network<Net>(6);
  Net stepped = fitted;
  // The output sums `hidden` terms, so a stable rate shrinks with the width (0.1 for 4 units).
  const T learning_rate = T(0.4) / static_cast<T>(Net::widths[1]);
  sm::Sgd<Net> fit_optimizer(learning_rate);
  sm::Sgd<Net> step_optimizer(learning_rate);
  sm::FitOptions<T> options;
  options.epochs = 2;
  options.batch_size = 7;
  options.shuffle = true;
  options.shuffle_seed = 4;
  REQUIRE(sm::fit(fitted, fit_optimizer, data, options).ok());

  std::array<std::uint32_t, 21> order{};
  for (std::size_t s = 0; s < order.size(); ++s) {
    order[s] = static_cast<std::uint32_t>(s);
  }
  sm::SplitMix64 generator(options.shuffle_seed);
  sm::Workspace<Net> workspace{};
  for (std::size_t epoch = 0; epoch < options.epochs; ++epoch) {
    sm::shuffle(order.data(), order.size(), generator);
    for (std::size_t start = 0; start < order.size(); start += 7) {
      std::array<typename Net::SampleType, 7> batch{};
      for (std::size_t s = 0; s < batch.size(); ++s) {
        batch[s] = data[order[start + s]];
      }
      typename Net::Parameters gradient{};
      static_cast<void>(
          sm::loss_and_gradient(stepped, sm::SampleView<T, 1, 1>(batch), gradient, workspace));
      step_optimizer.step(stepped.parameters(), gradient);
    }
  }
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    mismatches += same_bits(fitted.parameters()[i], stepped.parameters()[i]) ? 0 : 1;
  }
  return mismatches;
}
}  // namespace

TEST_CASE("mini-batch fit uses the same gradient") {
  // fit() takes each batch in its shuffled order. 1-4-1 stays in registers, while 1-100-1 and
  // 1-400-1 sweep memory once per sample.
  CHECK(minibatch_mismatches<OneHidden<float, 4, sm::Sigmoid>>() == 0);
  CHECK(minibatch_mismatches<OneHidden<float, 100, sm::Tanh>>() == 0);
  CHECK(minibatch_mismatches<OneHidden<float, 400, sm::Relu>>() == 0);
  CHECK(minibatch_mismatches<OneHidden<double, 100, sm::Sigmoid>>() == 0);
}

TEST_CASE("one-hidden-layer sgd step follows its formula") {
  // 1-1-1 identity network, w = 0.5, b = 0.25, v = 2, c = 0.125, learning rate 0.5, and the
  // sample x = 1, y = 0. Forward: h = 0.25 + 0.5 = 0.75, y_hat = 0.125 + 2 * 0.75 = 1.625.
  // Output delta 2 * 1.625 = 3.25, g = 0.5 * 3.25 = 1.625, d = g * (v * 1) = 3.25.
  // v = 2 - 1.625 * 0.75 = 0.78125, w = 0.5 - 3.25 * 1 = -2.75, b = 0.25 - 3.25 = -3,
  // c = 0.125 - 1.625 = -1.5. Every value is exact in binary.
  using Net = OneHidden<float, 1, sm::Identity>;
  Net net({0.5f, 0.25f, 2.0f, 0.125f});
  sm::Sgd<Net> sgd(0.5f);
  sm::Workspace<Net> workspace{};
  const Net::SampleType sample{{1.0f}, {0.0f}};
  const float loss = sm::train_sample(net, sgd, sample, workspace);
  CHECK(loss == 1.625f * 1.625f);
  CHECK(net.parameters()[0] == -2.75f);
  CHECK(net.parameters()[1] == -3.0f);
  CHECK(net.parameters()[2] == 0.78125f);
  CHECK(net.parameters()[3] == -1.5f);
}

TEST_CASE("per-sample sgd epoch matches train_sample") {
  // Narrow widths run sgd_epoch() with the network in registers: up to 4 units with SSE2, 40
  // with AVX2 and 80 with AVX-512, padded for 5 and 12, and for 72 with AVX-512. Wider ones
  // sweep memory once per sample, with the output's partial sums in registers. 400 fills whole
  // vectors. 100 leaves a tail after whole vectors of 8 or 16 floats, 88 after 16, and the sweep
  // finishes it with narrower vectors. 24 has fewer whole vectors than partial-sum groups with
  // SSE2's 4 lanes.
  check_epoch_matches_train_sample<OneHidden<float, 4, sm::Tanh>>();
  check_epoch_matches_train_sample<OneHidden<float, 5, sm::Sigmoid>>();
  check_epoch_matches_train_sample<OneHidden<float, 12, sm::Relu, sm::Tanh>>();
  check_epoch_matches_train_sample<OneHidden<float, 24, sm::Relu>>();
  check_epoch_matches_train_sample<OneHidden<float, 40, sm::LeakyRelu<>>>();
  check_epoch_matches_train_sample<OneHidden<float, 72, sm::Tanh>>();
  check_epoch_matches_train_sample<OneHidden<float, 88, sm::Tanh>>();
  check_epoch_matches_train_sample<OneHidden<float, 100, sm::Sigmoid>>();
  check_epoch_matches_train_sample<OneHidden<float, 400, sm::Tanh>>();
  check_epoch_matches_train_sample<OneHidden<double, 8, sm::Tanh>>();
  check_epoch_matches_train_sample<OneHidden<double, 100, sm::Tanh>>();
}

namespace {
// A learning rate of 1e5 overflows the weights within the first epoch: fit() must report the
// non-finite loss of that epoch and restore the network it started from.
template <class Net>
void check_stops_at_non_finite_loss() {
  const auto data = sm::sine_dataset<float, 100>();
  Net net = spread_network<Net>(1);
  const Net start = net;
  sm::Sgd<Net> sgd(1e5f);
  sm::FitOptions<float> options;
  options.epochs = 5;
  options.batch_size = 1;
  options.divergence_factor = 0;
  const auto result = sm::fit(net, sgd, data, options);
  CHECK(result.status.code == sm::StatusCode::loss_not_finite);
  CHECK(result.status.index == 1);
  CHECK_FALSE(std::isfinite(result.status.value));
  std::size_t changed = 0;
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    changed += same_bits(net.parameters()[i], start.parameters()[i]) ? 0 : 1;
  }
  CHECK(changed == 0);
}
}  // namespace

TEST_CASE("batch size one on one sample is per-sample") {
  // With one sample every mode makes one update per epoch, but per-sample Sgd rounds its update
  // differently from gradient-then-step, so batch_size 1 must still take the per-sample path.
  using Net = OneHidden<float, 4, sm::Tanh, sm::Sigmoid>;
  const std::array<Net::SampleType, 1> data = {{{{0.3f}, {0.8f}}}};
  Net fitted = spread_network<Net>(9);
  Net stepped = fitted;
  sm::Sgd<Net> fit_optimizer(0.37f);
  sm::Sgd<Net> step_optimizer(0.37f);
  sm::FitOptions<float> options;
  options.epochs = 5;
  options.batch_size = 1;
  REQUIRE(sm::fit(fitted, fit_optimizer, data, options).ok());
  sm::Workspace<Net> workspace{};
  for (std::size_t epoch = 0; epoch < options.epochs; ++epoch) {
    static_cast<void>(sm::train_sample(stepped, step_optimizer, data[0], workspace));
  }
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    mismatches += same_bits(fitted.parameters()[i], stepped.parameters()[i]) ? 0 : 1;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("per-sample sgd epoch stops at a non-finite loss") {
  // 1-4-1 keeps the network in registers; 1-400-1 sweeps memory, one update and the next
  // sample's forward pass at a time.
  check_stops_at_non_finite_loss<OneHidden<float, 4, sm::Tanh>>();
  check_stops_at_non_finite_loss<OneHidden<float, 400, sm::Tanh>>();
}

TEST_CASE("padded per-sample sgd runs at compile time") {
  constexpr float compile_time_loss = padded_fit_loss();
  static_assert(compile_time_loss > 0.0f, "the per-sample fit of 1-5-1 failed");
  // Run time uses vectors (with a padded last one where they are wider than 4 lanes).
  CHECK(same_bits(padded_fit_loss(), compile_time_loss));
}
