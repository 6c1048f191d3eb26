// Activation values and derivatives at chosen points, derivatives against central
// differences, and the documented choice at ReLU's kink.
#include <catch2/catch.hpp>

#include <cmath>

#include "test_support.hpp"

namespace sm = staticmlp;

TEST_CASE("sigmoid derivative at two") {
  // s(2) = 1 / (1 + e^-2) = 0.8807970779778823; s'(2) = s (1 - s) = 0.10499358540350662.
  CHECK(sm::Sigmoid::derivative(2.0) == Approx(0.10499358540350662).epsilon(1e-15));
  CHECK(sm::Sigmoid::value(2.0) == Approx(0.8807970779778823).epsilon(1e-15));
}

TEST_CASE("tanh derivative at one") {
  // tanh(1) = 0.7615941559557649; 1 - tanh(1)^2 = 0.41997434161402614.
  CHECK(sm::Tanh::derivative(1.0) == Approx(0.41997434161402614).epsilon(1e-15));
}

TEST_CASE("leaky relu with slope one fifth") {
  using Leaky = sm::LeakyRelu<1, 5>;
  // At -2: -2 * 0.2 = -0.4, slope 0.2. At 3: 3, slope 1.
  CHECK(Leaky::value(-2.0) == Approx(-0.4).epsilon(1e-15));
  CHECK(Leaky::derivative(-2.0) == Approx(0.2).epsilon(1e-15));
  CHECK(Leaky::value(3.0) == 3.0);
  CHECK(Leaky::derivative(3.0) == 1.0);
  CHECK(Leaky::derivative_from_output(Leaky::value(-2.0)) == Approx(0.2).epsilon(1e-15));
}

TEST_CASE("relu family derivative at the kink") {
  // The derivative at exactly 0 is the left side's: 0 for Relu, the slope for LeakyRelu.
  CHECK(sm::Relu::derivative(0.0) == 0.0);
  CHECK(sm::Relu::derivative_from_output(0.0) == 0.0);
  CHECK(sm::LeakyRelu<1, 100>::derivative(0.0) == Approx(0.01).epsilon(1e-15));
  CHECK(sm::LeakyRelu<1, 100>::derivative_from_output(0.0) == Approx(0.01).epsilon(1e-15));
  CHECK(sm::Relu::value(-0.0) == 0.0);
}

TEST_CASE("saturated derivatives are zero") {
  CHECK(sm::Sigmoid::derivative(1000.0) == 0.0);
  CHECK(sm::Sigmoid::derivative(-1000.0) == 0.0);
  CHECK(sm::Tanh::derivative(355.0) == 0.0);
  CHECK(sm::Tanh::derivative(45.0f) == 0.0f);
  CHECK(!std::isnan(sm::Sigmoid::derivative(-1000.0f)));
}

namespace {
template <class A>
void check_derivative_by_differences() {
  const double h = 1e-6;
  for (double x : {-3.1, -1.7, -0.45, 0.3, 0.9, 2.2, 4.4}) {
    const double numeric = (A::value(x + h) - A::value(x - h)) / (2 * h);
    CHECK(A::derivative(x) == Approx(numeric).epsilon(1e-7).margin(1e-10));
    CHECK(A::derivative_from_output(A::value(x)) == Approx(A::derivative(x)).epsilon(1e-12));
  }
}
}  // namespace

TEST_CASE("derivatives match central differences") {
  check_derivative_by_differences<sm::Identity>();
  check_derivative_by_differences<sm::Relu>();
  check_derivative_by_differences<sm::LeakyRelu<1, 5>>();
  check_derivative_by_differences<sm::Sigmoid>();
  check_derivative_by_differences<sm::Tanh>();
}

TEST_CASE("activations in constant expressions") {
  static_assert(sm::Relu::value(-1.0f) == 0.0f);
  static_assert(sm::LeakyRelu<1, 4>::value(-2.0) == -0.5);
  static_assert(sm::Sigmoid::value(0.0) == 0.5);
  static_assert(sm::Tanh::value(0.0) == 0.0);
  static_assert(sm::is_activation_v<sm::Tanh> && !sm::is_activation_v<int>);
  static_assert(sm::is_relu_family_v<sm::LeakyRelu<>> && !sm::is_relu_family_v<sm::Sigmoid>);
  CHECK(sm::Identity::value(2.5) == 2.5);
}

TEST_CASE("relu passes nan through") {
  // max(0, NaN) must not turn a bad input or weight into a clean zero.
  CHECK(std::isnan(sm::Relu::value(std::nan(""))));
  CHECK(std::isnan(sm::Relu::value(std::nanf(""))));
  CHECK(std::isnan(sm::LeakyRelu<1, 5>::value(std::nan(""))));
  CHECK(sm::Relu::value(-3.0) == 0.0);
  CHECK(sm::Relu::value(2.5f) == 2.5f);
}
