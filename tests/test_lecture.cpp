// The lecture's claims that one seed can check quickly: parameter counts, kink counting, the
// linear model reaching least squares, and ReLU fits being piecewise linear while sigmoid and
// tanh fits are smooth. The medians over seeds 1 to 10 are in lecture_sweep.cpp.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>

#include "lecture_support.hpp"

namespace {

namespace sm = staticmlp;

// The least-squares line of the 100-point sine data, computed in double.
constexpr double least_squares_slope = -1.8526977781945837;
constexpr double least_squares_mse = 0.20318064411612635;

template <class Net>
constexpr bool within_budget() {
  return lecture::restart_options<Net>().epochs <= 20000;
}
static_assert(within_budget<lecture::Linear>() && within_budget<lecture::Relu141>() &&
                  within_budget<lecture::Relu1441>() && within_budget<lecture::Relu14441>() &&
                  within_budget<lecture::Relu1401>() && within_budget<lecture::Relu14001>() &&
                  within_budget<lecture::LeakyRelu141>() &&
                  within_budget<lecture::Sigmoid141>() && within_budget<lecture::Tanh141>(),
              "every lecture variant trains within 20 000 epochs");

template <class Net>
Net trained_figure_fit() {
  Net net;
  const auto result = lecture::train(net, lecture::figure_seed);
  REQUIRE(result.ok());
  return net;
}

template <class T>
void check_least_squares(double tolerance) {
  using Net = sm::Mlp<T, 1, sm::Dense<1, sm::Identity>>;
  constexpr auto data = sm::sine_dataset<T, 100>();
  Net net;
  const auto result = sm::train_with_restarts(net, data, lecture::figure_seed);
  REQUIRE(result.ok());
  const double slope = static_cast<double>(net.template weight<0>(0, 0));
  const double mse = static_cast<double>(result.final_loss);
  CHECK(std::fabs(slope / least_squares_slope - 1.0) <= tolerance);
  CHECK(std::fabs(mse / least_squares_mse - 1.0) <= tolerance);
  // The data is odd about x = 0, so the intercept is 0; its scale is that of the slope.
  CHECK(std::fabs(static_cast<double>(net.template bias<0>(0))) <= tolerance);
}

}  // namespace

TEST_CASE("lecture variants have the lecture's parameter counts", "[lecture]") {
  CHECK(lecture::Linear::parameter_count == 2);
  // 1-4-1: 4 weights + 4 biases, then 4 weights + 1 bias = 8 + 5.
  CHECK(lecture::Relu141::parameter_count == 13);
  // 1-4-4-1: 8 + (16 + 4) + 5 = 33.
  CHECK(lecture::Relu1441::parameter_count == 33);
  CHECK(lecture::Relu1441::layer_parameter_counts[1] == 20);
  // 1-4-4-4-1: 8 + 20 + 20 + 5 = 53.
  CHECK(lecture::Relu14441::parameter_count == 53);
  // 1-40-1: 80 + 41; 1-400-1: 800 + 401.
  CHECK(lecture::Relu1401::parameter_count == 121);
  CHECK(lecture::Relu14001::parameter_count == 1201);
  CHECK(lecture::Sigmoid141::parameter_count == 13);
}

TEST_CASE("find_kinks counts units with a kink in range", "[lecture]") {
  lecture::Relu141 net;
  // Kinks x = -b / w: -1 / 2 = -0.5 (on the edge), -(-0.25) / 1 = 0.25, none for w = 0,
  // -4 / 4 = -1 (outside), and unit 3's outgoing weight is zero anyway.
  const float w1[4] = {2.0f, 1.0f, 0.0f, 4.0f};
  const float b1[4] = {1.0f, -0.25f, 0.3f, 4.0f};
  const float w2[4] = {1.0f, -3.0f, 1.0f, 0.0f};
  for (std::size_t j = 0; j < 4; ++j) {
    net.weight<0>(j, 0) = w1[j];
    net.bias<0>(j) = b1[j];
    net.weight<1>(0, j) = w2[j];
  }
  float kinks[4] = {};
  REQUIRE(lecture::find_kinks(net, -0.5f, 0.5f, kinks) == 2);
  CHECK(kinks[0] == -0.5f);
  CHECK(kinks[1] == 0.25f);
  // Widening the range to [-2, 2] does not count unit 3 until its outgoing weight is non-zero.
  CHECK(lecture::count_kinks(net, -2.0f, 2.0f) == 2);
  net.weight<1>(0, 3) = 0.5f;
  CHECK(lecture::count_kinks(net, -2.0f, 2.0f) == 3);

  net.weight<1>(0, 1) = 0.0f;
  CHECK(lecture::count_kinks(net) == 1);
}

TEST_CASE("linear model reaches least squares in float", "[lecture]") {
  check_least_squares<float>(1e-5);
}

TEST_CASE("linear model reaches least squares in double", "[lecture]") {
  check_least_squares<double>(1e-10);
}

TEST_CASE("ReLU figure fit bends only at its kinks", "[lecture]") {
  const auto relu = trained_figure_fit<lecture::Relu141>();
  // 2000 intervals of 0.0005: a slope change s bends the nearest grid point by s * h / 2 or
  // more, float rounding by about 1e-6.
  CHECK(lecture::count_kinks(relu) <= 4);
  CHECK(lecture::count_kinks(relu) >= 1);
  CHECK(lecture_support::count_bends_away_from_kinks(relu, 2000, 1e-5f) == 0);
  CHECK(lecture_support::count_bends(relu, 2000, 1e-5f) >= 1);
}

TEST_CASE("second differences tell ReLU from smooth fits", "[lecture]") {
  // On 100 intervals of 0.01 a smooth fit of the sine bends every grid point by about
  // f'' h^2 = (2 pi)^2 sin(...) * 1e-4, so only the few near an inflection stay below 1e-5.
  // A 1-4-1 ReLU fit bends only the at most 2 grid points beside each of its 4 kinks.
  const auto relu = trained_figure_fit<lecture::Relu141>();
  const auto leaky = trained_figure_fit<lecture::LeakyRelu141>();
  const auto sigmoid = trained_figure_fit<lecture::Sigmoid141>();
  const auto tanh = trained_figure_fit<lecture::Tanh141>();
  CHECK(lecture_support::count_bends(relu, 100, 1e-5f) <= 8);
  CHECK(lecture_support::count_bends(leaky, 100, 1e-5f) <= 8);
  CHECK(lecture_support::count_bends(sigmoid, 100, 1e-5f) >= 90);
  CHECK(lecture_support::count_bends(tanh, 100, 1e-5f) >= 90);
}
