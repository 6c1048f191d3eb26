// The per-sample training path. train_sample() updates each layer while backpropagating and must
// give the parameters of accumulate_gradient() followed by the optimizer's step(): the same bits
// for Momentum and Adam, and the same values up to rounding for Sgd, which scales the output's
// delta by the learning rate instead of each gradient. Dot products sum in a fixed order, and
// fit() with batches of one runs in a constant expression.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <limits>

#include "test_support.hpp"

namespace sm = staticmlp;
using test_support::same_bits;

namespace {

using Tanh40 = sm::Mlp<float, 1, sm::Dense<40, sm::Tanh>, sm::Dense<1, sm::Identity>>;
using Deep = sm::Mlp<double, 2, sm::Dense<8, sm::Relu>, sm::Dense<3, sm::Sigmoid>,
                     sm::Dense<2, sm::Identity>>;

// Runs `steps` samples of `data` through both paths from the same start; returns the number of
// parameters whose bits differ at the end.
template <class Net, class Optimizer, std::size_t N>
std::size_t fused_mismatches(const std::array<typename Net::SampleType, N>& data,
                             const Optimizer& settings, std::size_t steps) {
  Net fused = sm::initialized<Net>(7);
  Net reference = fused;
  Optimizer fused_optimizer = settings;
  Optimizer reference_optimizer = settings;
  sm::Workspace<Net> workspace{};
  for (std::size_t s = 0; s < steps; ++s) {
    const auto& sample = data[s % N];
    static_cast<void>(sm::train_sample(fused, fused_optimizer, sample, workspace));
    typename Net::Parameters gradient{};
    static_cast<void>(
        sm::accumulate_gradient(reference, sample, typename Net::Scalar(1), gradient, workspace));
    reference_optimizer.step(reference.parameters(), gradient);
  }
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    mismatches += same_bits(fused.parameters()[i], reference.parameters()[i]) ? 0 : 1;
  }
  return mismatches;
}

// The largest difference between the two paths after one step from each of `data`'s samples,
// relative to the size of that step: the parameters are the same up to rounding when it is a few
// float epsilons at most.
template <class Net, std::size_t N>
double sgd_step_difference(const std::array<typename Net::SampleType, N>& data,
                           typename Net::Scalar learning_rate) {
  using T = typename Net::Scalar;
  double worst = 0;
  for (const auto& sample : data) {
    Net fused = sm::initialized<Net>(7);
    const Net start = fused;
    Net reference = fused;
    sm::Sgd<Net> fused_optimizer(learning_rate);
    sm::Sgd<Net> reference_optimizer(learning_rate);
    sm::Workspace<Net> workspace{};
    static_cast<void>(sm::train_sample(fused, fused_optimizer, sample, workspace));
    typename Net::Parameters gradient{};
    static_cast<void>(sm::accumulate_gradient(reference, sample, T(1), gradient, workspace));
    reference_optimizer.step(reference.parameters(), gradient);
    for (std::size_t i = 0; i < Net::parameter_count; ++i) {
      const double step = std::fabs(static_cast<double>(reference.parameters()[i]) -
                                    static_cast<double>(start.parameters()[i]));
      const double difference = std::fabs(static_cast<double>(fused.parameters()[i]) -
                                          static_cast<double>(reference.parameters()[i]));
      const double scale = std::fmax(step, std::fabs(static_cast<double>(start.parameters()[i])));
      if (scale > 0) {
        worst = std::fmax(worst, difference / scale);
      }
    }
  }
  return worst;
}

std::array<Deep::SampleType, 3> deep_samples() {
  std::array<Deep::SampleType, 3> samples{};
  for (std::size_t s = 0; s < samples.size(); ++s) {
    const double t = static_cast<double>(s);
    samples[s].input = {0.5 - 0.25 * t, 0.1 * t};
    samples[s].target = {t - 1, 0.5 * t};
  }
  return samples;
}

constexpr float train_at_compile_time() {
  using Net = sm::Mlp<float, 1, sm::Dense<4, sm::Tanh>, sm::Dense<1, sm::Identity>>;
  constexpr auto data = sm::sine_dataset<float, 100>();
  Net net = sm::initialized<Net>(1);
  sm::Sgd<Net> optimizer(0.01f);
  sm::FitOptions<float> options;
  options.epochs = 3;
  options.batch_size = 1;
  const auto result = sm::fit(net, optimizer, data, options);
  return result.ok() && result.final_loss < result.initial_loss ? result.final_loss : -1.0f;
}

}  // namespace

TEST_CASE("train_sample matches gradient then step") {
  const auto sine = sm::sine_dataset<float, 100>();
  CHECK(fused_mismatches<Tanh40>(sine, sm::Momentum<Tanh40>(0.01f, 0.9f), 250) == 0);
  CHECK(fused_mismatches<Tanh40>(sine, sm::Adam<Tanh40>(0.01f), 250) == 0);

  // One input under a hidden layer, but not a single output above it: no fused first two layers.
  using Wide = sm::Mlp<float, 1, sm::Dense<20, sm::Sigmoid>, sm::Dense<3, sm::Identity>>;
  std::array<Wide::SampleType, 4> wide{};
  for (std::size_t s = 0; s < wide.size(); ++s) {
    const float t = static_cast<float>(s);
    wide[s].input = {0.25f * t - 0.4f};
    wide[s].target = {t, -0.5f * t, 0.1f};
  }
  CHECK(fused_mismatches<Wide>(wide, sm::Adam<Wide>(0.01f), 40) == 0);
  using Stack = sm::Mlp<float, 1, sm::Dense<4, sm::Tanh>, sm::Dense<4, sm::Relu>,
                        sm::Dense<1, sm::Identity>>;
  CHECK(fused_mismatches<Stack>(sine, sm::Adam<Stack>(0.01f), 250) == 0);

  const auto samples = deep_samples();
  CHECK(fused_mismatches<Deep>(samples, sm::Momentum<Deep>(0.05, 0.5), 30) == 0);
  CHECK(fused_mismatches<Deep>(samples, sm::Adam<Deep>(0.05), 30) == 0);
}

TEST_CASE("sgd train_sample matches gradient then step up to rounding") {
  // One step from each sample, on the one-hidden-layer kernel (1-40-1) and on the generic layers
  // (2-8-3-2). Each product is rounded twice in either path, in a different order, so a
  // parameter may differ by a few epsilons of its step or of its value: 8 leaves room.
  const auto sine = sm::sine_dataset<float, 100>();
  const double tanh40 = sgd_step_difference<Tanh40>(sine, 0.01f);
  const double deep = sgd_step_difference<Deep>(deep_samples(), 0.05);
  INFO("relative differences " << tanh40 << " (float) and " << deep << " (double)");
  CHECK(tanh40 <= 8 * static_cast<double>(std::numeric_limits<float>::epsilon()));
  CHECK(deep <= 8 * std::numeric_limits<double>::epsilon());
  // The paths do round differently, so a test of bit equality would fail.
  CHECK(tanh40 > 0);
}

TEST_CASE("train_sample changes the parameters") {
  // Guards the test above: a path that updated nothing would match an equally broken reference.
  const auto sine = sm::sine_dataset<float, 100>();
  Tanh40 net = sm::initialized<Tanh40>(7);
  const Tanh40 start = net;
  sm::Sgd<Tanh40> optimizer(0.01f);
  sm::Workspace<Tanh40> workspace{};
  static_cast<void>(sm::train_sample(net, optimizer, sine[10], workspace));
  std::size_t changed = 0;
  for (std::size_t i = 0; i < Tanh40::parameter_count; ++i) {
    changed += same_bits(net.parameters()[i], start.parameters()[i]) ? 0 : 1;
  }
  // Every weight and hidden bias of a tanh layer gets a non-zero gradient; 3 * 40 + 1 = 121.
  CHECK(changed == Tanh40::parameter_count);
}

TEST_CASE("dot sums its lanes in a fixed order") {
  // Five terms use 8 lanes p0..p7 (p5..p7 zero), added pairwise: p0 += p4, p1 += p5, p2 += p6,
  // p3 += p7, then p0 += p2, p1 += p3, then p0 += p1. In float 1e8 + 1 rounds to 1e8, so
  // p0 = (1e8 + 1) + 1 = 1e8 and p1 = -1e8 + 1 = -1e8 give 0, where a left-to-right sum
  // 1e8 - 1e8 + 1 + 1 + 1 gives 3.
  const float a[5] = {1e8f, -1e8f, 1.0f, 1.0f, 1.0f};
  const float b[5] = {1.0f, 1.0f, 1.0f, 1.0f, 1.0f};
  CHECK(sm::detail::dot<5>(a, b) == 0.0f);
  // 33 terms: lane 0 sums a[0] and a[32] before the lanes are combined.
  float c[33] = {};
  float ones[33] = {};
  for (std::size_t i = 0; i < 33; ++i) {
    c[i] = 1.0f;
    ones[i] = 1.0f;
  }
  CHECK(sm::detail::dot<33>(c, ones) == 33.0f);
}

TEST_CASE("per-sample fit runs at compile time") {
  constexpr float compile_time_loss = train_at_compile_time();
  static_assert(compile_time_loss > 0.0f, "fit() with batch_size 1 failed or did not improve");
  // The same code at run time gives the same bits.
  CHECK(same_bits(train_at_compile_time(), compile_time_loss));
}
