// Backpropagation: the loss convention, updates worked out by hand, and gradients against
// central differences for every activation.
#include <catch2/catch.hpp>

#include <cmath>

#include "test_support.hpp"

namespace sm = staticmlp;

TEST_CASE("loss convention sums outputs and averages samples") {
  // One sample, outputs (1, 2, 3) against targets (0, 0, 0): 1 + 4 + 9 = 14.
  using Three = sm::Mlp<double, 1, sm::Dense<3, sm::Identity>>;
  const Three net({0.0, 0.0, 0.0, 1.0, 2.0, 3.0});  // zero weights, biases 1, 2, 3
  const std::array<Three::SampleType, 1> one = {{{{5.0}, {0.0, 0.0, 0.0}}}};
  CHECK(sm::mean_squared_error(net, one) == 14.0);

  // Two samples with outputs 1 and 3, targets 0: (1 + 9) / 2 = 5.
  using One = sm::Mlp<double, 1, sm::Dense<1, sm::Identity>>;
  const One identity({1.0, 0.0});
  const std::array<One::SampleType, 2> two = {{{{1.0}, {0.0}}, {{3.0}, {0.0}}}};
  CHECK(sm::mean_squared_error(identity, two) == 5.0);
}

TEST_CASE("sgd step of one identity neuron") {
  // y = w x + b = 0.5, target 2, loss (y - t)^2: dL/dy = 2 (0.5 - 2) = -3,
  // dL/dw = -3 * x = -3, dL/db = -3; with learning rate 0.1: w = 0.5 + 0.3 = 0.8, b = 0.3.
  using One = sm::Mlp<double, 1, sm::Dense<1, sm::Identity>>;
  One net({0.5, 0.0});
  const std::array<One::SampleType, 1> sample = {{{{1.0}, {2.0}}}};
  sm::Sgd<One> sgd(0.1);
  sm::FitOptions<double> options;
  options.epochs = 1;
  options.batch_size = 1;
  options.divergence_factor = 0;
  const auto result = sm::fit(net, sgd, sample, options);
  REQUIRE(result.ok());
  CHECK(net.parameters()[0] == Approx(0.8).epsilon(1e-15));
  CHECK(net.parameters()[1] == Approx(0.3).epsilon(1e-15));
}

TEST_CASE("sgd step of a 1-1-1 identity network") {
  // Layout: w1, b1, w2, b2 = 0.5, 0, 2, 0. Forward: h = 0.5, y = 2 * 0.5 = 1; target 0.
  // dL/dy = 2 (1 - 0) = 2. dL/dw2 = 2 * h = 1, dL/db2 = 2.
  // dL/dh = w2 * 2 = 4 (w2 before the update), dL/dw1 = 4 * x = 4, dL/db1 = 4.
  // Learning rate 0.1: w2 = 2 - 0.1 = 1.9, b2 = -0.2, w1 = 0.5 - 0.4 = 0.1, b1 = -0.4.
  using Chain = sm::Mlp<double, 1, sm::Dense<1, sm::Identity>, sm::Dense<1, sm::Identity>>;
  Chain net({0.5, 0.0, 2.0, 0.0});
  const std::array<Chain::SampleType, 1> sample = {{{{1.0}, {0.0}}}};
  sm::Sgd<Chain> sgd(0.1);
  sm::FitOptions<double> options;
  options.epochs = 1;
  options.batch_size = 1;
  const auto result = sm::fit(net, sgd, sample, options);
  REQUIRE(result.ok());
  CHECK(net.parameters()[2] == Approx(1.9).epsilon(1e-15));
  CHECK(net.parameters()[3] == Approx(-0.2).epsilon(1e-15));
  CHECK(net.parameters()[0] == Approx(0.1).epsilon(1e-14));
  CHECK(net.parameters()[1] == Approx(-0.4).epsilon(1e-15));
}

namespace {

// Fixed, non-trivial parameters: p_i = 0.8 sin(1.3 i + 0.7) + 0.1.
template <class Net>
Net patterned_network() {
  Net net;
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    net.parameters()[i] = static_cast<typename Net::Scalar>(
        0.8 * std::sin(1.3 * static_cast<double>(i) + 0.7) + 0.1);
  }
  return net;
}

double norm(const double* values, std::size_t size) {
  double sum = 0;
  for (std::size_t i = 0; i < size; ++i) {
    sum += values[i] * values[i];
  }
  return std::sqrt(sum);
}

// Smallest |pre-activation| of any hidden unit over the samples: ReLU's kink must be far away.
template <class Net, std::size_t N>
double distance_to_kink(const Net& net, const std::array<typename Net::SampleType, N>& samples) {
  double nearest = 1e300;
  for (const auto& sample : samples) {
    typename Net::Activations outputs{};
    net.forward(sample.input.data(), outputs);
    for (std::size_t layer = 0; layer + 1 < Net::layer_count; ++layer) {
      const std::size_t in_size = Net::widths[layer];
      const double* x = layer == 0 ? sample.input.data()
                                   : outputs.data() + Net::activation_offsets[layer - 1];
      const double* w = net.parameters().data() + Net::layer_offsets[layer];
      const double* b = w + in_size * Net::widths[layer + 1];
      for (std::size_t o = 0; o < Net::widths[layer + 1]; ++o) {
        double z = b[o];
        for (std::size_t i = 0; i < in_size; ++i) {
          z += w[o * in_size + i] * x[i];
        }
        nearest = std::fmin(nearest, std::fabs(z));
      }
    }
  }
  return nearest;
}

template <class Net, std::size_t N>
void check_gradient(const Net& net, const std::array<typename Net::SampleType, N>& samples) {
  const auto analytic = sm::gradient(net, samples);
  const auto numeric = test_support::numeric_gradient(net, samples);
  std::array<double, Net::parameter_count> difference{};
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    difference[i] = analytic[i] - numeric[i];
  }
  const double analytic_norm = norm(analytic.data(), analytic.size());
  // Guard: a gradient of all zeros would match any flat function.
  REQUIRE(analytic_norm > 1e-3);
  CHECK(norm(difference.data(), difference.size()) / analytic_norm < 1e-6);
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    INFO("parameter " << i);
    CHECK(analytic[i] == Approx(numeric[i]).epsilon(1e-6).margin(1e-8));
  }
}

template <class Hidden, class Output>
void check_two_three_three_two() {
  using Net = sm::Mlp<double, 2, sm::Dense<3, Hidden>, sm::Dense<3, Hidden>, sm::Dense<2, Output>>;
  const Net net = patterned_network<Net>();
  const std::array<typename Net::SampleType, 3> samples = {{{{0.3, -0.8}, {0.5, -0.2}},
                                                            {{-1.1, 0.4}, {-0.3, 0.9}},
                                                            {{0.7, 0.6}, {0.1, 0.4}}}};
  REQUIRE(distance_to_kink(net, samples) > 1e-3);
  check_gradient(net, samples);
}

}  // namespace

TEST_CASE("gradient of 2-3-3-2 matches central differences") {
  SECTION("identity") { check_two_three_three_two<sm::Identity, sm::Identity>(); }
  SECTION("relu") { check_two_three_three_two<sm::Relu, sm::Identity>(); }
  SECTION("leaky relu") { check_two_three_three_two<sm::LeakyRelu<1, 10>, sm::Identity>(); }
  SECTION("sigmoid") { check_two_three_three_two<sm::Sigmoid, sm::Identity>(); }
  SECTION("tanh") { check_two_three_three_two<sm::Tanh, sm::Identity>(); }
  SECTION("sigmoid output") { check_two_three_three_two<sm::Tanh, sm::Sigmoid>(); }
  SECTION("tanh output") { check_two_three_three_two<sm::Sigmoid, sm::Tanh>(); }
}

TEST_CASE("gradient of 1-4-1 matches central differences") {
  const auto data = sm::sine_dataset<double, 100>();
  SECTION("relu") {
    using Net = sm::Mlp<double, 1, sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;
    // Kinks at x = -b / w: -0.305, 0.1234, 0.3727 and -0.1111, inside [-0.5, 0.5] so every
    // unit is live, and each at least 0.0028 away from the data's grid of step 1/99.
    const Net net({1.0, -1.5, 0.6, 1.2, 0.305, 0.1851, -0.22362, 0.13332, 0.9, -0.7, 0.5, 1.1,
                   0.2});
    REQUIRE(distance_to_kink(net, data) > 1e-3);
    check_gradient(net, data);
  }
  SECTION("tanh") {
    using Net = sm::Mlp<double, 1, sm::Dense<4, sm::Tanh>, sm::Dense<1, sm::Identity>>;
    check_gradient(patterned_network<Net>(), data);
  }
  SECTION("sigmoid") {
    using Net = sm::Mlp<double, 1, sm::Dense<4, sm::Sigmoid>, sm::Dense<1, sm::Identity>>;
    check_gradient(patterned_network<Net>(), data);
  }
}

// Each backward kernel shape: a one-output layer above a first layer with two inputs (2-5-1),
// the fused first two layers as a call of their own (1-20-1), a one-output layer above a wider
// layer (1-4-4-1) and wide layers with several outputs (3-20-2).
TEST_CASE("gradient of every backward kernel shape matches central differences") {
  const std::array<sm::Sample<double, 1, 1>, 4> one_input = {
      {{{0.3}, {0.5}}, {{-0.45}, {-0.2}}, {{0.1}, {0.9}}, {{0.8}, {0.1}}}};
  SECTION("2-5-1") {
    using Net = sm::Mlp<double, 2, sm::Dense<5, sm::Tanh>, sm::Dense<1, sm::Identity>>;
    const std::array<Net::SampleType, 3> samples = {
        {{{0.3, -0.8}, {0.5}}, {{-1.1, 0.4}, {-0.3}}, {{0.7, 0.6}, {0.1}}}};
    check_gradient(patterned_network<Net>(), samples);
  }
  SECTION("1-20-1") {
    using Net = sm::Mlp<double, 1, sm::Dense<20, sm::Sigmoid>, sm::Dense<1, sm::Identity>>;
    check_gradient(patterned_network<Net>(), one_input);
  }
  SECTION("1-4-4-1") {
    using Net = sm::Mlp<double, 1, sm::Dense<4, sm::Tanh>, sm::Dense<4, sm::Sigmoid>,
                        sm::Dense<1, sm::Identity>>;
    check_gradient(patterned_network<Net>(), one_input);
  }
  SECTION("3-20-2") {
    using Net = sm::Mlp<double, 3, sm::Dense<20, sm::Tanh>, sm::Dense<2, sm::Tanh>>;
    const std::array<Net::SampleType, 2> samples = {
        {{{0.3, -0.8, 0.2}, {0.5, -0.1}}, {{-1.1, 0.4, 0.9}, {-0.3, 0.6}}}};
    check_gradient(patterned_network<Net>(), samples);
  }
}

TEST_CASE("gradient in a constant expression") {
  // The 1-1-1 identity example: gradient (4, 4, 1, 2) in the layout w1, b1, w2, b2.
  using Chain = sm::Mlp<double, 1, sm::Dense<1, sm::Identity>, sm::Dense<1, sm::Identity>>;
  constexpr Chain net({0.5, 0.0, 2.0, 0.0});
  constexpr std::array<Chain::SampleType, 1> sample = {{{{1.0}, {0.0}}}};
  constexpr auto g = sm::gradient(net, sample);
  static_assert(g[0] == 4.0 && g[1] == 4.0 && g[2] == 1.0 && g[3] == 2.0);
  CHECK(g[0] == 4.0);
}
