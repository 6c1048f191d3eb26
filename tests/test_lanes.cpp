// Lane types (lanes.hpp): vectors must give, lane by lane, the bits that scalars give, in the
// helpers, in tanh and sigmoid, in every built-in activation and in the folding of partial sums.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "test_support.hpp"

namespace sm = staticmlp;
namespace detail = staticmlp::detail;
using test_support::same_bits;

namespace {

// 16-byte vectors: wider ones are not native without AVX, and the ABI warns about them.
constexpr std::size_t lanes = 4;
using Floats = detail::Vector<float, lanes>;
using Doubles = detail::Vector<double, 2>;

// Inputs that cover each branch of tanh and sigmoid: zeros, tiny and subnormal values, both
// sides of the saturation and underflow points, the largest floats, infinities and NaN.
std::array<float, 32> special_floats() {
  const float inf = std::numeric_limits<float>::infinity();
  return {0.0f,
          -0.0f,
          1e-30f,
          -1e-40f,
          0.0625f,
          -0.3f,
          0.5f,
          -1.0f,
          2.5f,
          -4.0f,
          9.49f,
          9.5f,
          9.51f,
          -9.51f,
          22.0f,
          44.0f,
          44.5f,
          -88.0f,
          88.5f,
          -103.9f,
          104.0f,
          -104.1f,
          1e6f,
          -1e30f,
          3e38f,
          -3e38f,
          inf,
          -inf,
          std::numeric_limits<float>::quiet_NaN(),
          0.125f,
          -0.125f,
          7.0f};
}

// Number of inputs where F on vectors differs in any lane from F on each scalar. The inputs are
// the special values above, then 4000 steps across [-120, 120].
template <class Function>
int float_lane_mismatches(Function function) {
  std::array<float, 4032> inputs{};
  const auto special = special_floats();
  for (std::size_t i = 0; i < special.size(); ++i) {
    inputs[i] = special[i];
  }
  for (std::size_t i = special.size(); i < inputs.size(); ++i) {
    inputs[i] = -120.0f + 0.06f * static_cast<float>(i - special.size());
  }
  int mismatches = 0;
  for (std::size_t i = 0; i < inputs.size(); i += lanes) {
    const Floats vector = detail::load_lanes<Floats>(inputs.data() + i);
    const Floats result = function(vector);
    for (std::size_t j = 0; j < lanes; ++j) {
      const float scalar = function(inputs[i + j]);
      // NaN's sign bit depends on the order of operands that the compiler picks.
      const bool same = std::isnan(scalar) ? std::isnan(result[j]) : same_bits(result[j], scalar);
      mismatches += same ? 0 : 1;
    }
  }
  return mismatches;
}

template <class Activation>
void check_activation_lanes() {
  CHECK(float_lane_mismatches([](auto x) { return Activation::value(x); }) == 0);
  CHECK(float_lane_mismatches([](auto x) { return Activation::derivative(x); }) == 0);
  CHECK(float_lane_mismatches([](auto x) { return Activation::derivative_from_output(x); }) == 0);
}

}  // namespace

TEST_CASE("broadcast keeps the sign of zero") {
  const Floats zeros = detail::broadcast<Floats>(-0.0f);
  for (std::size_t j = 0; j < lanes; ++j) {
    CHECK(same_bits(zeros[j], -0.0f));
  }
  CHECK(same_bits(detail::broadcast<float>(-0.0f), -0.0f));
}

TEST_CASE("masks are clear for nan lanes") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Floats a = {1.0f, nan, -2.0f, 0.0f};
  const Floats b = {0.0f, 0.0f, nan, 0.0f};
  const auto greater = detail::mask_greater(a, b);
  const auto less_equal = detail::mask_less_equal(a, b);
  CHECK(greater[0] == 0xffffffffu);
  CHECK(greater[1] == 0u);
  CHECK(greater[2] == 0u);
  CHECK(greater[3] == 0u);
  CHECK(less_equal[0] == 0u);
  CHECK(less_equal[1] == 0u);
  CHECK(less_equal[2] == 0u);
  CHECK(less_equal[3] == 0xffffffffu);
  CHECK(detail::mask_greater(nan, 0.0f) == 0u);
  CHECK(detail::mask_less_equal(0.0, 0.0) == ~std::uint64_t{0});
}

TEST_CASE("scalar masks agree with float comparisons") {
  // Scalars compare bit patterns as integers; these must be the IEEE comparisons, including
  // for both zeros, subnormal values, infinities and NaN of either sign.
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::array<float, 14> values = {0.0f,  -0.0f, 1e-45f, -1e-45f, 1.0f, -1.0f, 9.5f,
                                        9.51f, 3e38f, -3e38f, inf,     -inf, nan,   -nan};
  for (const float x : values) {
    INFO("x = " << x << " (sign bit " << std::signbit(x) << ")");
    CHECK(detail::mask_positive(x) == detail::mask_if<float>(x > 0.0f));
    CHECK(detail::mask_not_positive(x) == detail::mask_if<float>(x <= 0.0f));
    CHECK(detail::mask_negative(x) == detail::mask_if<float>(x < 0.0f));
    const float magnitude = std::fabs(x);
    CHECK(detail::mask_magnitude_above(magnitude, 9.5f) ==
          detail::mask_if<float>(magnitude > 9.5f));
    CHECK(detail::mask_magnitude_above(magnitude, 0.0f) ==
          detail::mask_if<float>(magnitude > 0.0f));
    const double wide = static_cast<double>(x);
    CHECK(detail::mask_positive(wide) == detail::mask_if<double>(wide > 0.0));
    CHECK(detail::mask_negative(wide) == detail::mask_if<double>(wide < 0.0));
  }
}

TEST_CASE("any_lane_set finds every lane position") {
  // The native width: 16 floats in the x86-64-v4 build of this file, 8 in the v3 build, each
  // with its own instructions, and 4 in the baseline build.
  constexpr std::size_t count = detail::native_lanes<float>;
  using Wide = detail::Vector<float, count>;
  using WideDoubles = detail::Vector<double, detail::native_lanes<double>>;
  const Wide zeros = detail::broadcast<Wide>(0.0f);
  CHECK_FALSE(detail::any_lane_set(detail::mask_greater(zeros, zeros)));
  CHECK_FALSE(detail::any_magnitude_above(zeros, 0.0f));
  for (std::size_t j = 0; j < count; ++j) {
    INFO("lane " << j << " of " << count);
    Wide single_lane = zeros;
    single_lane[j] = 1.0f;
    CHECK(detail::any_lane_set(detail::mask_greater(single_lane, zeros)));
    CHECK(detail::any_magnitude_above(single_lane, 0.5f));
    CHECK_FALSE(detail::any_magnitude_above(single_lane, 1.0f));
    single_lane[j] = std::numeric_limits<float>::quiet_NaN();
    CHECK_FALSE(detail::any_magnitude_above(single_lane, 0.5f));
    single_lane[j] = std::numeric_limits<float>::infinity();
    CHECK(detail::any_magnitude_above(single_lane, 0.5f));
  }
  const WideDoubles double_zeros = detail::broadcast<WideDoubles>(0.0);
  for (std::size_t j = 0; j < detail::native_lanes<double>; ++j) {
    WideDoubles single_lane = double_zeros;
    single_lane[j] = 2.0;
    CHECK(detail::any_magnitude_above(single_lane, 1.0));
    CHECK_FALSE(detail::any_magnitude_above(single_lane, 2.0));
  }
  CHECK_FALSE(detail::any_lane_set(std::uint32_t{0}));
  CHECK(detail::any_lane_set(~std::uint32_t{0}));
}

TEST_CASE("tanh lanes agree at small limit") {
  // At and below 0.75 float tanh is tanh_small(); the first float above takes the general
  // formula. Vectors with every lane below, every lane above and lanes on both sides, in every
  // position of the native width, must give each lane the scalar bits.
  constexpr float limit = detail::FloatTraits<float>::tanh_small_limit;
  const float above = std::nextafter(limit, 1.0f);
  CHECK(same_bits(sm::tanh(limit), detail::tanh_small(limit)));
  CHECK(same_bits(sm::tanh(-limit), detail::tanh_small(-limit)));
  CHECK(same_bits(sm::tanh(-0.0f), -0.0f));
  CHECK(same_bits(detail::tanh_small(-0.0f), -0.0f));
  // Above the limit the two formulas may differ in the last bits, but both stay close.
  CHECK(detail::tanh_small(above) == Approx(std::tanh(static_cast<double>(above))).epsilon(3e-7));
  CHECK(sm::tanh(above) == Approx(std::tanh(static_cast<double>(above))).epsilon(3e-7));

  constexpr std::size_t count = detail::native_lanes<float>;
  using Wide = detail::Vector<float, count>;
  const std::array<float, 7> values = {0.1f, -limit, limit, above, -above, -0.0f, 2.0f};
  int mismatches = 0;
  for (const float fill : values) {
    for (const float odd : values) {
      for (std::size_t j = 0; j < count; ++j) {
        Wide x = detail::broadcast<Wide>(fill);
        x[j] = odd;
        const Wide t = detail::tanh_lanes(x);
        for (std::size_t k = 0; k < count; ++k) {
          mismatches += same_bits(t[k], sm::tanh(x[k])) ? 0 : 1;
        }
      }
    }
  }
  CHECK(mismatches == 0);

  // Vectors pick the formula by x^2 > 0.75^2, or by |x| > 0.75 when a kernel requests
  // SmallRangeTest::magnitude, and scalars by |x| > 0.75. Each float within 2^16 steps of the
  // limit, on either side and of both signs, fills a vector. Above the limit, about half of
  // these floats get other bits from tanh_small() than from the general formula, so a vector
  // that took the wrong formula would differ from the scalar.
  int square_mismatches = 0;
  int magnitude_mismatches = 0;
  for (const float sign : {1.0f, -1.0f}) {
    float x = sign * limit;
    for (int step = 0; step < (1 << 16); ++step) {
      x = std::nextafter(x, 0.0f);
    }
    for (int step = 0; step < (1 << 17); ++step) {
      const Wide square = detail::tanh_lanes(detail::broadcast<Wide>(x));
      const Wide magnitude =
          detail::tanh_lanes<Wide, detail::SmallRangeTest::magnitude>(detail::broadcast<Wide>(x));
      const float expected = sm::tanh(x);
      square_mismatches += same_bits(square[0], expected) ? 0 : 1;
      magnitude_mismatches += same_bits(magnitude[0], expected) ? 0 : 1;
      x = std::nextafter(x, sign * 2.0f);
    }
  }
  CHECK(square_mismatches == 0);
  CHECK(magnitude_mismatches == 0);
}

TEST_CASE("sigmoid lanes agree near direct limit") {
  // Vectors whose lanes all lie within sigmoid_direct_limit (69) scale e^-|x| by 2^k directly,
  // with k down to -100, where some products come near the subnormal range. Every float from 60
  // to 105 in magnitude, of both signs, must give the scalar bits: below the limit, and above it
  // up to where sigmoid(-x) rounds to 0. Direct scaling would first differ near 88, where 2^k
  // turns subnormal; the static_assert in sigmoid_lanes keeps the limit far below that.
  constexpr std::size_t count = detail::native_lanes<float>;
  using Wide = detail::Vector<float, count>;
  const std::uint32_t first = detail::bit_cast<std::uint32_t>(60.0f);
  const std::uint32_t last = detail::bit_cast<std::uint32_t>(105.0f);
  long mismatches = 0;
  for (const std::uint32_t sign : {0u, 0x80000000u}) {
    for (std::uint32_t bits = first; bits <= last; bits += count) {
      // The last vector repeats 105 in the lanes past it.
      Wide x{};
      for (std::size_t j = 0; j < count; ++j) {
        const std::uint32_t lane = bits + static_cast<std::uint32_t>(j);
        x[j] = detail::bit_cast<float>((lane < last ? lane : last) | sign);
      }
      const Wide s = detail::sigmoid_lanes(x);
      for (std::size_t j = 0; j < count; ++j) {
        mismatches += same_bits(s[j], sm::sigmoid(x[j])) ? 0 : 1;
      }
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("select picks lane by lane") {
  const Floats a = {1.0f, 2.0f, 3.0f, 4.0f};
  const Floats b = {-1.0f, -2.0f, -3.0f, -4.0f};
  const detail::LaneBits<Floats> mask = {0xffffffffu, 0u, 0xffffffffu, 0u};
  const Floats picked = detail::select(mask, a, b);
  CHECK(picked[0] == 1.0f);
  CHECK(picked[1] == -2.0f);
  CHECK(picked[2] == 3.0f);
  CHECK(picked[3] == -4.0f);
}

TEST_CASE("fold_lanes adds in fold_partial_sums order") {
  // Floats are 8 apart near 1e8, so 1e8 + 3 and -1e8 + 2 round to +-1e8. Folding adds lane
  // j + 2 into lane j: (1e8 + 3, -1e8 + 2) = (1e8, -1e8), then lane 1 into lane 0: 0. Left to
  // right, 1e8 - 1e8 + 3 + 2 gives 5.
  const Floats v = {1e8f, -1e8f, 3.0f, 2.0f};
  float array[4] = {1e8f, -1e8f, 3.0f, 2.0f};
  detail::fold_partial_sums<2>(array);
  const float folded = detail::fold_lanes(v);
  CHECK(folded == 0.0f);
  CHECK(same_bits(folded, array[0]));
  const float left_to_right = ((1e8f - 1e8f) + 3.0f) + 2.0f;
  CHECK(left_to_right == 5.0f);
}

// Counts the lanes that transpose_square() puts in the wrong place on n rows of n floats, each
// float naming its row and lane as 100 row + lane.
template <std::size_t N>
int transpose_misplaced() {
  using Row = detail::Vector<float, N>;
  Row rows[N];
  for (std::size_t row = 0; row < N; ++row) {
    for (std::size_t lane = 0; lane < N; ++lane) {
      rows[row][lane] = static_cast<float>(100 * row + lane);
    }
  }
  detail::transpose_square(rows);
  int misplaced = 0;
  for (std::size_t row = 0; row < N; ++row) {
    for (std::size_t lane = 0; lane < N; ++lane) {
      misplaced += rows[row][lane] == static_cast<float>(100 * lane + row) ? 0 : 1;
    }
  }
  return misplaced;
}

TEST_CASE("transpose_square swaps rows and lanes") {
  // Up to the native width: wider vectors change the ABI of the shuffles that return them.
  CHECK(transpose_misplaced<2>() == 0);
  CHECK(transpose_misplaced<4>() == 0);
  CHECK(transpose_misplaced<detail::native_lanes<float>>() == 0);
}

TEST_CASE("deinterleave_lanes splits pairs") {
  // Input, target pairs as the 1-4-1 batch kernel loads them: x_j = j, target_j = -j - 1.
  const Floats first = {0.0f, -1.0f, 1.0f, -2.0f};
  const Floats second = {2.0f, -3.0f, 3.0f, -4.0f};
  const Floats inputs = detail::deinterleave_lanes<0>(first, second);
  const Floats targets = detail::deinterleave_lanes<1>(first, second);
  for (std::size_t j = 0; j < lanes; ++j) {
    CHECK(inputs[j] == static_cast<float>(j));
    CHECK(targets[j] == -static_cast<float>(j) - 1.0f);
  }
}

TEST_CASE("tanh and sigmoid on vectors match scalars") {
  CHECK(float_lane_mismatches([](auto x) { return detail::tanh_lanes(x); }) == 0);
  CHECK(float_lane_mismatches([](auto x) { return detail::sigmoid_lanes(x); }) == 0);
  // Double lanes on a few values, including the double saturation and underflow points, and
  // both sides of sigmoid_direct_limit (600), where k reaches -864 to -866.
  const std::array<double, 14> inputs = {0.3,    -22.5,   745.5,  -1e-300,     21.9,
                                         -740.0, 1e300,   -0.0,   -598.876486, 599.569633,
                                         600.0,  -599.95, -599.9, 600.1};
  for (std::size_t i = 0; i < inputs.size(); i += 2) {
    const Doubles x = {inputs[i], inputs[i + 1]};
    const Doubles t = detail::tanh_lanes(x);
    const Doubles s = detail::sigmoid_lanes(x);
    for (std::size_t j = 0; j < 2; ++j) {
      CHECK(same_bits(t[j], sm::tanh(inputs[i + j])));
      CHECK(same_bits(s[j], sm::sigmoid(inputs[i + j])));
    }
  }
}

TEST_CASE("built-in activations on vectors match scalars") {
  check_activation_lanes<sm::Identity>();
  check_activation_lanes<sm::Relu>();
  check_activation_lanes<sm::LeakyRelu<1, 10>>();
  check_activation_lanes<sm::Sigmoid>();
  check_activation_lanes<sm::Tanh>();
}
