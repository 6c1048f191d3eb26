// Compile-time shapes: parameter counts, per-layer counts, the parameter layout and the
// footprint of a network. Counts are checked by static_assert and again at run time.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "test_support.hpp"

namespace sm = staticmlp;

using Linear = sm::Mlp<float, 1, sm::Dense<1, sm::Identity>>;
using Relu141 = sm::Mlp<float, 1, sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;
using Tanh231 = sm::Mlp<double, 2, sm::Dense<3, sm::Tanh>, sm::Dense<1, sm::Identity>>;
using Wide40 = sm::Mlp<float, 1, sm::Dense<40, sm::Relu>, sm::Dense<1, sm::Identity>>;
using Wide400 = sm::Mlp<float, 1, sm::Dense<400, sm::Relu>, sm::Dense<1, sm::Identity>>;
using Deep14441 = sm::Mlp<float, 1, sm::Dense<4, sm::Relu>, sm::Dense<4, sm::Relu>,
                          sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;

// 1-4-1: (4 * 1 + 4) + (1 * 4 + 1) = 8 + 5 = 13.
static_assert(Relu141::parameter_count == 13);
// 2-3-1: (3 * 2 + 3) + (1 * 3 + 1) = 9 + 4 = 13.
static_assert(Tanh231::parameter_count == 13);
// 1-40-1: 80 + 41 = 121; 1-400-1: 800 + 401 = 1201.
static_assert(Wide40::parameter_count == 121);
static_assert(Wide400::parameter_count == 1201);
// The linear model y = w x + b.
static_assert(Linear::parameter_count == 2);
// 1-4-4-4-1: 8 + 20 + 20 + 5 = 53.
static_assert(Deep14441::parameter_count == 53);
static_assert(Relu141::layer_parameter_counts[0] == 8 && Relu141::layer_parameter_counts[1] == 5);
static_assert(sizeof(Relu141) == 13 * sizeof(float));
static_assert(sizeof(Wide400) == 1201 * sizeof(float));
static_assert(sizeof(Tanh231) == 13 * sizeof(double));

TEST_CASE("layer parameter counts at run time") {
  CHECK(Relu141::layer_count == 2);
  CHECK(Relu141::layer_parameter_counts[0] == 8);
  CHECK(Relu141::layer_parameter_counts[1] == 5);
  CHECK(Tanh231::layer_parameter_counts[0] == 9);
  CHECK(Tanh231::layer_parameter_counts[1] == 4);
  CHECK(Wide40::layer_parameter_counts[0] == 80);
  CHECK(Wide40::layer_parameter_counts[1] == 41);
  CHECK(Wide400::layer_parameter_counts[0] == 800);
  CHECK(Wide400::layer_parameter_counts[1] == 401);
  CHECK(Linear::layer_count == 1);
  CHECK(Linear::layer_parameter_counts[0] == 2);
  CHECK(Deep14441::layer_count == 4);
  CHECK(Deep14441::layer_parameter_counts[0] == 8);
  CHECK(Deep14441::layer_parameter_counts[1] == 20);
  CHECK(Deep14441::layer_parameter_counts[2] == 20);
  CHECK(Deep14441::layer_parameter_counts[3] == 5);
}

TEST_CASE("input and output sizes") {
  CHECK(Tanh231::input_size == 2);
  CHECK(Tanh231::output_size == 1);
  CHECK(Relu141::widths[1] == 4);
  CHECK(Deep14441::max_width == 4);
}

TEST_CASE("parameter layout is weights then biases") {
  // 1-4-1 layout: W1[0..3], b1[0..3], W2[0..3], b2[0].
  Relu141 net;
  for (std::size_t i = 0; i < Relu141::parameter_count; ++i) {
    net.parameters()[i] = static_cast<float>(i);
  }
  CHECK(net.weight<0>(0, 0) == 0.0f);
  CHECK(net.weight<0>(3, 0) == 3.0f);
  CHECK(net.bias<0>(0) == 4.0f);
  CHECK(net.bias<0>(3) == 7.0f);
  CHECK(net.weight<1>(0, 0) == 8.0f);
  CHECK(net.weight<1>(0, 3) == 11.0f);
  CHECK(net.bias<1>(0) == 12.0f);

  // 2-3-1: W1 is row-major W[out][in], so W1[1][0] is index 1 * 2 + 0 = 2.
  Tanh231 small;
  small.weight<0>(1, 0) = 5.0;
  CHECK(small.parameters()[2] == 5.0);
  small.bias<0>(2) = 6.0;
  CHECK(small.parameters()[6 + 2] == 6.0);
}

TEST_CASE("predict follows the layout by hand") {
  // One hidden unit per sign: h = relu(W1 x + b1), y = W2 h + b2.
  // x = 2: h = relu(1*2 + 0, -1*2 + 1, 0.5*2 - 2, 0*2 + 3) = (2, 0, 0, 3);
  // y = 1*2 + 2*0 + 3*0 + (-1)*3 + 0.5 = -0.5.
  const Relu141 net({1.0f, -1.0f, 0.5f, 0.0f, 0.0f, 1.0f, -2.0f, 3.0f, 1.0f, 2.0f, 3.0f, -1.0f,
                     0.5f});
  CHECK(net.predict({2.0f})[0] == -0.5f);
}

TEST_CASE("predict accepts every input form") {
  // The deleted overload that rejects an empty {} must not catch an integer 0, an array or a
  // std::array. x = 0: h = relu(0, 1, -2, 3) = (0, 1, 0, 3); y = 2*1 + (-1)*3 + 0.5 = -0.5.
  const Relu141 net(
      {1.0f, -1.0f, 0.5f, 0.0f, 0.0f, 1.0f, -2.0f, 3.0f, 1.0f, 2.0f, 3.0f, -1.0f, 0.5f});
  const float input[1] = {0.0f};
  CHECK(net.predict({0})[0] == -0.5f);
  CHECK(net.predict(input)[0] == -0.5f);
  CHECK(net.predict(Relu141::Input{})[0] == -0.5f);
}

TEST_CASE("default network is all zeros") {
  constexpr Relu141 net;
  for (float p : net.parameters()) {
    CHECK(p == 0.0f);
  }
  static_assert(Relu141().predict({1.0f})[0] == 0.0f);
}

TEST_CASE("forward pass in a constant expression") {
  // The same hand example as above, evaluated by the compiler.
  constexpr Relu141 net({1.0f, -1.0f, 0.5f, 0.0f, 0.0f, 1.0f, -2.0f, 3.0f, 1.0f, 2.0f, 3.0f,
                         -1.0f, 0.5f});
  static_assert(net.predict({2.0f})[0] == -0.5f);
  CHECK(net.predict({2.0f})[0] == -0.5f);
}

namespace {
// Runs `action` in a child process and returns the signal that ended it, or 0 if it exited.
template <class Action>
int signal_ending(Action action) {
  const pid_t child = fork();
  if (child == 0) {
    // Catch2's handlers would report the signal as a failure of this test from the child too.
    std::signal(SIGILL, SIG_DFL);
    std::signal(SIGTRAP, SIG_DFL);
    action();
    _exit(0);
  }
  int status = 0;
  REQUIRE(child > 0);
  REQUIRE(waitpid(child, &status, 0) == child);
  return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}
}  // namespace

TEST_CASE("out-of-range weight index stops the program") {
  // Row 4 of the first layer would be the first bias, and bias 4 the next layer's first weight.
  // The checks must not stop a valid access.
  Relu141 net;
  CHECK(signal_ending([&] { net.weight<0>(3, 0) = 1.0f; }) == 0);
  CHECK(signal_ending([&] { net.bias<0>(3) = 1.0f; }) == 0);
  const int trap = signal_ending([&] { net.weight<0>(4, 0) = 1.0f; });
  CHECK((trap == SIGILL || trap == SIGTRAP));
  const int column_trap = signal_ending([&] { static_cast<void>(net.weight<1>(0, 4)); });
  CHECK((column_trap == SIGILL || column_trap == SIGTRAP));
  const int bias_trap = signal_ending([&] { net.bias<0>(4) = 1.0f; });
  CHECK((bias_trap == SIGILL || bias_trap == SIGTRAP));
}
