// The engine's own elementary functions against glibc's <cmath> on dense grids, their special
// values, and their use in constant expressions. The ulp bounds are those stated in math.hpp.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

#include "test_support.hpp"

namespace sm = staticmlp;
using test_support::ulp_distance;

namespace {

// Largest ulp distance between f and the double-precision reference g over n + 1 evenly
// spaced points of [low, high]; the reference is rounded once to T.
template <class T, class F, class G>
std::int64_t worst_ulps(F f, G g, double low, double high, int n) {
  std::int64_t worst = 0;
  for (int i = 0; i <= n; ++i) {
    const auto x = static_cast<T>(low + (high - low) * i / n);
    const auto expected = static_cast<T>(g(static_cast<double>(x)));
    const std::int64_t distance = ulp_distance(f(x), expected);
    worst = distance > worst ? distance : worst;
  }
  return worst;
}

constexpr int grid = 200000;

double reference_sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

// The float references are computed in double and rounded, so they are within 0.5 ulp of exact.
TEST_CASE("exp accuracy on dense grids") {
  const auto exp_d = [](double x) { return sm::exp(x); };
  const auto exp_f = [](float x) { return sm::exp(x); };
  const auto ref = [](double x) { return std::exp(x); };
  CHECK(worst_ulps<double>(exp_d, ref, -745.0, 709.7, grid) <= 1);
  CHECK(worst_ulps<double>(exp_d, ref, -2.0, 2.0, grid) <= 1);
  CHECK(worst_ulps<float>(exp_f, ref, -103.0, 88.7, grid) <= 1);
  CHECK(worst_ulps<float>(exp_f, ref, -2.0, 2.0, grid) <= 1);
}

TEST_CASE("expm1 accuracy near zero and far") {
  const auto expm1_d = [](double x) { return sm::expm1(x); };
  const auto expm1_f = [](float x) { return sm::expm1(x); };
  const auto ref = [](double x) { return std::expm1(x); };
  CHECK(worst_ulps<double>(expm1_d, ref, -1.0, 1.0, grid) <= 2);
  CHECK(worst_ulps<double>(expm1_d, ref, -50.0, 709.0, grid) <= 2);
  CHECK(worst_ulps<float>(expm1_f, ref, -1.0, 1.0, grid) <= 2);
  CHECK(worst_ulps<float>(expm1_f, ref, -20.0, 88.0, grid) <= 2);
  // Near the overflow limit 2^k overflows before e^x - 1 does.
  CHECK(worst_ulps<double>(expm1_d, ref, 700.0, 709.78, grid) <= 2);
  CHECK(worst_ulps<float>(expm1_f, ref, 80.0, 88.72, grid) <= 2);
  CHECK(std::isfinite(sm::expm1(88.5f)));
  CHECK(sm::expm1(89.0f) == std::numeric_limits<float>::infinity());
  CHECK(sm::expm1(1e-300) == 1e-300);
}

TEST_CASE("log accuracy and special values") {
  const auto log_d = [](double x) { return sm::log(x); };
  const auto log_f = [](float x) { return sm::log(x); };
  const auto ref = [](double x) { return std::log(x); };
  CHECK(worst_ulps<double>(log_d, ref, 0.01, 10.0, grid) <= 3);
  CHECK(worst_ulps<double>(log_d, ref, 1e-300, 1e300, grid) <= 3);
  CHECK(worst_ulps<float>(log_f, ref, 0.01, 10.0, grid) <= 3);
  CHECK(worst_ulps<float>(log_f, ref, 1e-37, 1e38, grid) <= 3);
  // The smallest subnormal, 2^-1074, has log -1074 ln 2 = -744.44007192138126.
  CHECK(ulp_distance(sm::log(std::numeric_limits<double>::denorm_min()),
                     std::log(std::numeric_limits<double>::denorm_min())) <= 1);
  CHECK(sm::log(0.0) == -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(sm::log(-1.0)));
  CHECK(std::isnan(sm::log(std::nan(""))));
  CHECK(sm::log(std::numeric_limits<double>::infinity()) ==
        std::numeric_limits<double>::infinity());
}

TEST_CASE("tanh accuracy and saturation") {
  const auto tanh_d = [](double x) { return sm::tanh(x); };
  const auto tanh_f = [](float x) { return sm::tanh(x); };
  const auto ref = [](double x) { return std::tanh(x); };
  CHECK(worst_ulps<double>(tanh_d, ref, -1.0, 1.0, grid) <= 4);
  CHECK(worst_ulps<double>(tanh_d, ref, -30.0, 30.0, grid) <= 4);
  // An exhaustive scan of every float measured 1.72 ulp at most (make scan-float-math).
  CHECK(worst_ulps<float>(tanh_f, ref, -1.0, 1.0, grid) <= 2);
  CHECK(worst_ulps<float>(tanh_f, ref, -12.0, 12.0, grid) <= 2);
  CHECK(sm::tanh(355.0) == 1.0);
  CHECK(sm::tanh(-355.0) == -1.0);
  CHECK(sm::tanh(45.0f) == 1.0f);
  CHECK(sm::tanh(std::numeric_limits<double>::max()) == 1.0);
  CHECK(std::signbit(sm::tanh(-0.0)));
  CHECK(std::isnan(sm::tanh(std::nan(""))));
  // Saturation is a select beside the quotient, which overflows or turns NaN out there.
  const float inf_f = std::numeric_limits<float>::infinity();
  const double inf_d = std::numeric_limits<double>::infinity();
  CHECK(sm::tanh(inf_f) == 1.0f);
  CHECK(sm::tanh(-inf_f) == -1.0f);
  CHECK(sm::tanh(inf_d) == 1.0);
  CHECK(sm::tanh(-inf_d) == -1.0);
  CHECK(sm::tanh(std::numeric_limits<float>::max()) == 1.0f);
  CHECK(sm::tanh(-std::numeric_limits<float>::max()) == -1.0f);
  CHECK(std::isnan(sm::tanh(std::nanf(""))));
  static_assert(sm::tanh(1e300) == 1.0);
  static_assert(sm::tanh(-std::numeric_limits<float>::infinity()) == -1.0f);
  static_assert(sm::tanh(3e38f) == 1.0f);
  // Both sides of the saturation point round to 1, so the select leaves no step there.
  CHECK(sm::tanh(9.5f) == 1.0f);
  CHECK(sm::tanh(std::nextafter(9.5f, 0.0f)) == 1.0f);
  CHECK(sm::tanh(22.0) == 1.0);
  CHECK(sm::tanh(std::nextafter(22.0, 0.0)) == 1.0);
}

TEST_CASE("sigmoid accuracy and saturation") {
  const auto sigmoid_d = [](double x) { return sm::sigmoid(x); };
  const auto sigmoid_f = [](float x) { return sm::sigmoid(x); };
  CHECK(worst_ulps<double>(sigmoid_d, reference_sigmoid, -30.0, 30.0, grid) <= 3);
  CHECK(worst_ulps<float>(sigmoid_f, reference_sigmoid, -100.0, 100.0, grid) <= 3);
  CHECK(sm::sigmoid(-1000.0) == 0.0);
  CHECK(sm::sigmoid(1000.0) == 1.0);
  CHECK(sm::sigmoid(-1000.0f) == 0.0f);
  CHECK(sm::sigmoid(1000.0f) == 1.0f);
  CHECK(sm::sigmoid(-std::numeric_limits<double>::max()) == 0.0);
  CHECK(sm::sigmoid(0.0) == 0.5);
}

TEST_CASE("sqrt is correctly rounded") {
  const auto sqrt_d = [](double x) { return sm::sqrt(x); };
  const auto ref = [](double x) { return std::sqrt(x); };
  CHECK(worst_ulps<double>(sqrt_d, ref, 0.0, 1e10, grid) == 0);
  // The constant-expression path is the digit-by-digit algorithm; it must match too.
  constexpr double root_two = sm::sqrt(2.0);
  constexpr double root_third = sm::sqrt(1.0 / 3.0);
  constexpr double root_subnormal = sm::sqrt(1e-310);
  constexpr float root_two_float = sm::sqrt(2.0f);
  constexpr float root_tenth_float = sm::sqrt(0.1f);
  CHECK(test_support::same_bits(root_two, std::sqrt(2.0)));
  CHECK(test_support::same_bits(root_third, std::sqrt(1.0 / 3.0)));
  CHECK(test_support::same_bits(root_subnormal, std::sqrt(1e-310)));
  CHECK(test_support::same_bits(root_two_float, std::sqrt(2.0f)));
  CHECK(test_support::same_bits(root_tenth_float, std::sqrt(0.1f)));
  CHECK(std::isnan(sm::sqrt(-1.0)));
  CHECK(std::signbit(sm::sqrt(-0.0)));
}

TEST_CASE("digit-by-digit sqrt matches hardware on a dense grid") {
  // sqrt() uses the hardware at run time, so call the constant-evaluation algorithm directly.
  std::int64_t worst = 0;
  for (int i = 1; i <= grid; ++i) {
    const double x = std::exp(-690.0 + 1380.0 * static_cast<double>(i) / grid);  // 1e-300 to 1e300
    worst = std::max(worst, ulp_distance(sm::detail::sqrt_by_digits(x), std::sqrt(x)));
    const auto xf = static_cast<float>(static_cast<double>(i) / 997.0);
    worst = std::max(worst, ulp_distance(sm::detail::sqrt_by_digits(xf), std::sqrt(xf)));
  }
  CHECK(worst == 0);
}

TEST_CASE("sin and cos accuracy") {
  const auto sin_d = [](double x) { return sm::sin(x); };
  const auto cos_d = [](double x) { return sm::cos(x); };
  // ulp distance is meaningless near the zeros of sin and cos, so compare absolute errors.
  double worst = 0;
  for (int i = 0; i <= grid; ++i) {
    const double x = -100.0 + 200.0 * i / grid;
    worst = std::max(worst, std::fabs(sin_d(x) - std::sin(x)));
    worst = std::max(worst, std::fabs(cos_d(x) - std::cos(x)));
  }
  CHECK(worst <= 4e-16);
}

TEST_CASE("math works in constant expressions") {
  static_assert(sm::exp(0.0) == 1.0);
  static_assert(sm::log(1.0) == 0.0);
  static_assert(sm::tanh(0.0) == 0.0);
  static_assert(sm::sigmoid(0.0f) == 0.5f);
  static_assert(sm::sqrt(4.0) == 2.0);
  static_assert(sm::is_finite(1.0) && !sm::is_finite(std::numeric_limits<double>::infinity()));
  // Constant evaluation and run time give the same bits.
  constexpr double compile_time = sm::exp(0.7) + sm::tanh(0.3) + sm::log(3.0);
  volatile double argument = 0.7;
  const double run_time = sm::exp(argument) + sm::tanh(argument - 0.4) + sm::log(argument + 2.3);
  CHECK(test_support::same_bits(compile_time, run_time));
}
