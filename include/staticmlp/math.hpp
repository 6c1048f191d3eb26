// Elementary functions for float and double that work in constant expressions and at run time
// and give the same bits in both: exp, expm1, log, sqrt, tanh, sigmoid, sin, cos, is_finite.
// Measured against glibc 2.36 <cmath> on dense grids (tests/test_math.cpp): exp, expm1 and log
// within 3 ulp, tanh within 4 ulp, sigmoid, sin and cos within 3 ulp, sqrt correctly rounded.
// Every finite input gives a finite or correctly saturated result: no NaN from a finite input.
// The range reduction needs IEEE arithmetic: do not compile the engine with -ffast-math.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "lanes.hpp"
#include "warnings.hpp"

#if !defined(__has_builtin)
#error "staticmlp needs a compiler with __has_builtin (GCC 10 or later, Clang 9 or later)"
#elif !__has_builtin(__builtin_bit_cast)
#error "staticmlp needs __builtin_bit_cast (GCC 11 or later, Clang 9 or later)"
#endif

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {
namespace detail {

template <class To, class From>
constexpr To bit_cast(const From& from) {
  static_assert(sizeof(To) == sizeof(From), "bit_cast needs types of the same size");
  return __builtin_bit_cast(To, from);
}

// True inside a constant expression; C++17 has no std::is_constant_evaluated.
constexpr bool is_constant_evaluated() { return __builtin_is_constant_evaluated(); }

template <class T>
struct FloatTraits;

template <>
struct FloatTraits<double> {
  using Bits = std::uint64_t;
  using SignedBits = std::int64_t;
  static constexpr int mantissa_bits = 52;
  static constexpr int exponent_bias = 1023;
  // Adding 1.5 * 2^52 rounds to an integer that then sits in the low mantissa bits.
  static constexpr double round_magic = 0x1.8p52;
  static constexpr double log2e = 0x1.71547652b82fep0;
  // ln 2 split so that k * ln2_hi is exact for |k| < 2^20 (Cody and Waite).
  static constexpr double ln2_hi = 0x1.62e42feep-1;
  static constexpr double ln2_lo = 0x1.a39ef35793c76p-33;
  static constexpr double ln2 = 0x1.62e42fefa39efp-1;
  static constexpr double exp_overflow = 0x1.62e42fefa39efp9;  // ln(max finite), 709.78
  static constexpr double exp_underflow = -745.2;              // exp rounds to 0 below this
  static constexpr double expm1_floor = -40.0;                 // expm1 rounds to -1 below this
  static constexpr double tanh_saturation = 22.0;              // tanh rounds to 1 above this
  static constexpr double sigmoid_direct_limit = 600.0;        // see sigmoid_lanes()
  static constexpr int exp_terms = 13;                         // Taylor terms of expm1 on ln2/2
  static constexpr int log_terms = 11;                         // odd terms of 2 atanh(s)
};

template <>
struct FloatTraits<float> {
  using Bits = std::uint32_t;
  using SignedBits = std::int32_t;
  static constexpr int mantissa_bits = 23;
  static constexpr int exponent_bias = 127;
  static constexpr float round_magic = 0x1.8p23f;
  static constexpr float log2e = 0x1.715476p0f;
  static constexpr float ln2_hi = 0x1.62e4p-1f;
  static constexpr float ln2_lo = 0x1.7f7d1cp-20f;
  static constexpr float ln2 = 0x1.62e43p-1f;
  static constexpr float exp_overflow = 0x1.62e42ep6f;  // 88.72
  static constexpr float exp_underflow = -104.0f;
  static constexpr float expm1_floor = -18.0f;
  static constexpr float tanh_saturation = 9.5f;
  static constexpr float tanh_small_limit = 0.75f;  // tanh_small() up to this magnitude
  static constexpr float sigmoid_direct_limit = 69.0f;  // see sigmoid_lanes()
  static constexpr int exp_terms = 8;
  static constexpr int log_terms = 6;
};

template <class T>
using Bits = typename FloatTraits<T>::Bits;

template <class T>
constexpr void check_float_type() {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "staticmlp: the scalar type must be float or double");
}

// 2^k for k in [min exponent - 1, max exponent + 1]: the extremes give 0 and infinity.
// Other k give meaningless bits but no undefined behaviour: the sum wraps as unsigned.
template <class T>
constexpr T power_of_two(int k) {
  using Traits = FloatTraits<T>;
  const auto biased = static_cast<Bits<T>>(static_cast<Bits<T>>(k) +
                                           static_cast<Bits<T>>(Traits::exponent_bias));
  return bit_cast<T>(static_cast<Bits<T>>(biased << Traits::mantissa_bits));
}

// Splits x as k * ln2 + r with |r| <= ln2 / 2 and returns r; x must be finite or NaN.
template <class T>
constexpr T reduce_by_ln2(T x, int& k) {
  using Traits = FloatTraits<T>;
  const T shifted = x * Traits::log2e + Traits::round_magic;
  const T k_real = shifted - Traits::round_magic;
  // The integer k sits in the low mantissa bits of `shifted`: no float-to-int conversion is
  // needed, so a NaN cannot cause undefined behaviour.
  const auto k_bits = static_cast<typename Traits::SignedBits>(
      bit_cast<Bits<T>>(shifted) - bit_cast<Bits<T>>(Traits::round_magic));
  k = static_cast<int>(k_bits);
  return (x - k_real * Traits::ln2_hi) - k_real * Traits::ln2_lo;
}

// 1/n! for n = 0 .. terms, each rounded once to T; a constant table, so that no call divides.
template <class T, int Terms>
struct InverseFactorials {
  T values[static_cast<std::size_t>(Terms) + 1] = {};
  constexpr InverseFactorials() {
    T factorial = 1;
    values[0] = 1;
    for (int n = 1; n <= Terms; ++n) {
      factorial *= static_cast<T>(n);
      values[n] = T(1) / factorial;
    }
  }
};

template <class T>
inline constexpr InverseFactorials<T, FloatTraits<T>::exp_terms> exp_coefficients{};

// c[N] + r (c[N + 1] + r (... + r c[terms])): Horner's rule written out at compile time, so
// that a loop calling it has no inner loop and vectorizes. L is a lane type (lanes.hpp).
template <int N, class L>
[[gnu::always_inline]] constexpr L exp_series_from(const L& r) {
  using T = LaneScalar<L>;
  constexpr int terms = FloatTraits<T>::exp_terms;
  if constexpr (N == terms) {
    return broadcast<L>(exp_coefficients<T>.values[terms]);
  } else {
    return exp_coefficients<T>.values[N] + r * exp_series_from<N + 1>(r);
  }
}

// expm1(r) for |r| <= ln2 / 2. Double sums its Taylor series, without cancellation. Float uses
// r + r^2 q(r), q of degree 4 fitted for the least maximum relative error of expm1 on that
// interval (1.3e-8 before rounding the coefficients; src/tools/fit_expm1.py derives them), and
// evaluates q by Estrin's scheme: three levels of dependent operations instead of Horner's five,
// which shortens the chain that tanh and sigmoid wait on in a vectorized loop.
template <class L>
[[gnu::always_inline]] constexpr L expm1_reduced(const L& r) {
  if constexpr (std::is_same_v<LaneScalar<L>, float>) {
    const L r2 = r * r;
    const L low = 0x1.fffffep-2f + 0x1.5554bp-3f * r;
    const L high = 0x1.555674p-5f + 0x1.12276ap-7f * r;
    const L q = (low + r2 * high) + (r2 * r2) * 0x1.6bebf8p-10f;
    return r + r2 * q;
  } else {
    return r * exp_series_from<1>(r);
  }
}

// Clamps into [low, high]; a NaN passes through unchanged.
template <class T>
constexpr T clamp(T x, T low, T high) {
  const T above = x < low ? low : x;
  return above > high ? high : above;
}

// Digit-by-digit square root of a positive finite x, correctly rounded to nearest.
template <class T>
constexpr T sqrt_by_digits(T x) {
  using Traits = FloatTraits<T>;
  using Word = std::uint64_t;
  constexpr int mb = Traits::mantissa_bits;
  const Bits<T> bits = bit_cast<Bits<T>>(x);
  int biased_exponent = static_cast<int>(bits >> mb);
  Word mantissa = static_cast<Word>(bits & ((Bits<T>{1} << mb) - 1));
  if (biased_exponent == 0) {
    biased_exponent = 1;
    while ((mantissa & (Word{1} << mb)) == 0) {
      mantissa <<= 1;
      --biased_exponent;
    }
  } else {
    mantissa |= Word{1} << mb;
  }

  // x = mantissa * 2^(exponent - mb) with an even exponent, so the root halves it exactly.
  int exponent = biased_exponent - Traits::exponent_bias;
  if ((exponent & 1) != 0) {
    mantissa <<= 1;
    exponent -= 1;
  }

  // root = floor(sqrt(mantissa * 2^(mb + 2))): mb + 1 result bits and one rounding bit.
  // The radicand has up to 2 * mb + 4 bits, so it is kept as two 64-bit words.
  constexpr int shift = mb + 2;
  const Word high = mantissa >> (64 - shift);
  const Word low = mantissa << shift;
  Word root = 0;
  Word remainder = 0;
  for (int pair = 63; pair >= 0; --pair) {
    const Word word = pair >= 32 ? high : low;
    const int position = (pair % 32) * 2;
    remainder = (remainder << 2) | ((word >> position) & 3);
    const Word trial = (root << 2) | 1;
    root <<= 1;
    if (remainder >= trial) {
      remainder -= trial;
      root |= 1;
    }
  }

  const bool round_bit = (root & 1) != 0;
  Word result = root >> 1;
  if (round_bit && (remainder != 0 || (result & 1) != 0)) {
    result += 1;
  }
  const auto result_exponent = static_cast<Bits<T>>(exponent / 2 + Traits::exponent_bias);
  // A carry out of the mantissa lands in the exponent field, which is the right result.
  const Bits<T> result_bits = static_cast<Bits<T>>((result_exponent << mb) +
                                                   (static_cast<Bits<T>>(result) - (Bits<T>{1} << mb)));
  return bit_cast<T>(result_bits);
}

template <class T>
constexpr bool has_hardware_sqrt() {
#if defined(__x86_64__) || defined(__aarch64__)
  return true;
#elif defined(__ARM_FP)
  return std::is_same_v<T, float> ? (__ARM_FP & 4) != 0 : (__ARM_FP & 8) != 0;
#else
  return false;
#endif
}

// Called only for x > 0 and finite (see sqrt). On 32-bit Arm the instruction is written out: with
// errno handling on (GCC's default), __builtin_sqrtf would add a call to the C library's sqrtf
// for negative inputs, which links errno's static storage into a firmware image.
#if defined(__arm__) && defined(__ARM_FP) && (__ARM_FP & 4)
inline float hardware_sqrt(float x) {
  float root;
  __asm__("vsqrt.f32 %0, %1" : "=t"(root) : "t"(x));
  return root;
}
#else
inline float hardware_sqrt(float x) { return __builtin_sqrtf(x); }
#endif
#if defined(__arm__) && defined(__ARM_FP) && (__ARM_FP & 8)
inline double hardware_sqrt(double x) {
  double root;
  __asm__("vsqrt.f64 %P0, %P1" : "=w"(root) : "w"(x));
  return root;
}
#else
inline double hardware_sqrt(double x) { return __builtin_sqrt(x); }
#endif

}  // namespace detail

// True unless x is infinite or NaN. It reads the exponent bits, because inf - inf is not a
// constant expression.
template <class T>
constexpr bool is_finite(T x) {
  detail::check_float_type<T>();
  using Traits = detail::FloatTraits<T>;
  constexpr detail::Bits<T> exponent_mask =
      static_cast<detail::Bits<T>>(((detail::Bits<T>{1} << (sizeof(T) * 8 - 1 - Traits::mantissa_bits)) - 1)
                                   << Traits::mantissa_bits);
  return (detail::bit_cast<detail::Bits<T>>(x) & exponent_mask) != exponent_mask;
}

// e^x. Overflows to +infinity above ln(max), rounds to 0 below the subnormal range.
template <class T>
constexpr T exp(T x) {
  detail::check_float_type<T>();
  using Traits = detail::FloatTraits<T>;
  int k = 0;
  const T r = detail::reduce_by_ln2(detail::clamp(x, Traits::exp_underflow, Traits::exp_overflow), k);
  // Scaling in two halves keeps each factor normal, so subnormal results round only once.
  const int k_first = k / 2;
  const T scaled = (T(1) + detail::expm1_reduced(r)) * detail::power_of_two<T>(k_first) *
                   detail::power_of_two<T>(k - k_first);
  T result = x > Traits::exp_overflow ? std::numeric_limits<T>::infinity() : scaled;
  result = x < Traits::exp_underflow ? T(0) : result;
  return result;
}

// e^x - 1, accurate near 0 where exp(x) - 1 would cancel.
template <class T>
constexpr T expm1(T x) {
  detail::check_float_type<T>();
  using Traits = detail::FloatTraits<T>;
  int k = 0;
  const T r = detail::reduce_by_ln2(detail::clamp(x, Traits::expm1_floor, Traits::exp_overflow), k);
  const T p = detail::expm1_reduced(r);
  // e^x - 1 = 2^k * expm1(r) + (2^k - 1); for k = 0 this is expm1(r) itself.
  const int k_first = k / 2;
  const T scale_first = detail::power_of_two<T>(k_first);
  const T scale = scale_first * detail::power_of_two<T>(k - k_first);
  const T scaled = (p * scale_first) * detail::power_of_two<T>(k - k_first) + (scale - T(1));
  // From k = mantissa_bits + 2 on, e^x is so large that subtracting 1 moves it by at most half
  // an ulp, and 2^k alone may already overflow where e^x does not: compute e^x as exp() does.
  const T large = (T(1) + p) * scale_first * detail::power_of_two<T>(k - k_first);
  T result = k > Traits::mantissa_bits + 1 ? large : scaled;
  result = x > Traits::exp_overflow ? std::numeric_limits<T>::infinity() : result;
  result = x < Traits::expm1_floor ? T(-1) : result;
  return result;
}

// Natural logarithm: NaN below 0, -infinity at 0, +infinity at +infinity.
template <class T>
constexpr T log(T x) {
  detail::check_float_type<T>();
  using Traits = detail::FloatTraits<T>;
  using Bits = detail::Bits<T>;
  constexpr int mb = Traits::mantissa_bits;
  if (!(x > T(0))) {
    return x == T(0) ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::quiet_NaN();
  }
  if (x == std::numeric_limits<T>::infinity()) {
    return x;
  }

  int exponent = 0;
  if (x < std::numeric_limits<T>::min()) {
    x *= detail::power_of_two<T>(mb + 1);
    exponent -= mb + 1;
  }
  const Bits bits = detail::bit_cast<Bits>(x);
  exponent += static_cast<int>(bits >> mb) - Traits::exponent_bias;
  const Bits mantissa_bits = bits & ((Bits{1} << mb) - 1);
  T m = detail::bit_cast<T>(static_cast<Bits>(mantissa_bits | (static_cast<Bits>(Traits::exponent_bias) << mb)));
  // Centre m on 1: m in (sqrt(1/2), sqrt(2)].
  if (m > T(1.4142135623730951)) {
    m *= T(0.5);
    exponent += 1;
  }

  // log(m) = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...) with s = (m - 1) / (m + 1), |s| <= 0.172.
  const T s = (m - T(1)) / (m + T(1));
  const T z = s * s;
  T series = T(2) / static_cast<T>(2 * Traits::log_terms + 1);
  for (int n = Traits::log_terms - 1; n >= 0; --n) {
    series = T(2) / static_cast<T>(2 * n + 1) + z * series;
  }
  const T e = static_cast<T>(exponent);
  return e * Traits::ln2_hi + (s * series + e * Traits::ln2_lo);
}

// Square root, correctly rounded: the hardware instruction at run time where the target has one,
// a digit-by-digit integer algorithm otherwise and in constant expressions. Both give the same bits.
template <class T>
constexpr T sqrt(T x) {
  detail::check_float_type<T>();
  if (!(x > T(0)) || x == std::numeric_limits<T>::infinity()) {
    return x == T(0) || !(x == x) || x > T(0) ? x : std::numeric_limits<T>::quiet_NaN();
  }
  if constexpr (detail::has_hardware_sqrt<T>()) {
    if (!detail::is_constant_evaluated()) {
      return detail::hardware_sqrt(x);
    }
  }
  return detail::sqrt_by_digits(x);
}

namespace detail {

// The bit pattern of 2^k, for the integer k that round_magic left in the low mantissa bits of
// `shifted` (see reduce_by_ln2), times 2^extra: the low bits hold k + 2^(mantissa_bits - 1), and
// shifting them up to the exponent field drops that offset. Meaningless but defined bits for
// exponents outside the normal range.
template <class L>
[[gnu::always_inline]] constexpr LaneBits<L> scaled_power_of_two_bits(const L& shifted, int extra) {
  using Traits = FloatTraits<LaneScalar<L>>;
  using ScalarBits = typename UnsignedOfSize<LaneScalar<L>>::type;
  constexpr ScalarBits one = 1;
  const auto bias = static_cast<ScalarBits>(Traits::exponent_bias + extra);
  return static_cast<LaneBits<L>>((to_bits(shifted) << Traits::mantissa_bits) +
                                  static_cast<ScalarBits>(bias * (one << Traits::mantissa_bits)));
}

// r = x - k ln2 for tanh's argument x = 2a. Float takes one step: the rounding of k * ln2 then
// reaches tanh damped by 2 / (e^x + 1), and a scan of every float finds no larger error than
// with two steps. Double keeps Cody and Waite's two steps.
template <class L>
[[gnu::always_inline]] constexpr L reduce_twice_by_ln2(const L& x, const L& k) {
  using Traits = FloatTraits<LaneScalar<L>>;
  if constexpr (std::is_same_v<LaneScalar<L>, float>) {
    return x - k * Traits::ln2;
  } else {
    return (x - k * Traits::ln2_hi) - k * Traits::ln2_lo;
  }
}

// Computes float tanh for |x| <= tanh_small_limit as x (1 + s p(s)) with s = x^2, p of degree 4
// fitted for the least maximum relative error (src/tools/fit_tanh_small.py), by Horner's rule.
// Every float in range is within 1.72 ulp of glibc's double tanh (1.64 with FMA contraction).
// That takes 7 vector operations with FMA (12 without) and no division, against about 22 and a
// division for the general formula. Horner's rule measured faster than Estrin's scheme. The form
// x + x s p(s) is more accurate but turns -0 into +0, and putting the sign back cost 4 % at 1-40-1.
template <class L>
[[gnu::always_inline]] constexpr L tanh_small(const L& x) {
  using T = LaneScalar<L>;
  const L s = x * x;
  L p = 0x1.4230b4p-6f + s * T(-0x1.3892fap-8f);
  p = -0x1.b55f82p-5f + s * p;
  p = 0x1.10ed5ap-3f + s * p;
  p = -0x1.5554a4p-2f + s * p;
  return x * (T(1) + s * p);
}

// Test by which tanh_lanes() finds that every lane of a float vector lies within
// tanh_small_limit. Both tests select the same lanes, as tanh_lanes() explains. `square` reuses
// x^2, which tanh_small() needs, and saves an operation. `magnitude` resolves the branch one
// multiplication sooner.
enum class SmallRangeTest { square, magnitude };

// tanh on lanes (lanes.hpp); tanh() below states the contract.
template <class L, SmallRangeTest Test = SmallRangeTest::square>
[[gnu::always_inline]] constexpr L tanh_lanes(const L& x) {
  using T = LaneScalar<L>;
  using Traits = FloatTraits<T>;
  using ScalarBits = typename UnsignedOfSize<T>::type;
  constexpr ScalarBits sign_mask = ScalarBits{1} << (sizeof(T) * 8 - 1);
  constexpr T saturation = Traits::tanh_saturation;
  const LaneBits<L> bits = to_bits(x);
  const LaneBits<L> sign = bits & sign_mask;
  const L magnitude = from_bits<L>(bits ^ sign);

  // When every float lane lies in tanh_small()'s range or is NaN, the general formula is
  // skipped. A vector with lanes on both sides computes both and picks lane by lane, so each
  // lane gets the scalar bits. The branch is marked likely because the pre-activations of
  // trained networks mostly lie in that range (docs/performance.md). At run time a scalar
  // branches only on targets without vectors: elsewhere a branch would keep GCC from
  // vectorizing loops over scalar tanh (dense_forward's), so the scalar computes both formulas
  // and selects, below. Constant evaluation branches, since x^2 may overflow there.
  //
  // Vectors test x^2 > 0.75^2 instead of |x| > 0.75, which selects the same lanes in every
  // rounding direction. 0.75^2 is exact, so no float up to 0.75 squares to more. The exact square
  // of the first float above 0.75 exceeds the first float above 0.5625, so it rounds to at least
  // that. A NaN squares to NaN and does not count, and an overflowing square does. tanh_small()
  // needs x^2 anyway, so the common path saves the AND that takes |x|: native 1-400-1 Sgd ran
  // 2.2 % faster on an Intel Xeon (docs/performance.md). Scalars keep |x|, because x^2 may
  // overflow in constant evaluation. Kernels that run one chain of dependent steps per sample
  // request SmallRangeTest::magnitude instead (one_hidden_layer.hpp).
  constexpr bool scalar_selects =
      std::is_same_v<T, float> && !is_vector_lane<L> && vector_bytes > 0;
  if constexpr (std::is_same_v<T, float> && is_vector_lane<L>) {
    constexpr T limit = Traits::tanh_small_limit;
    static_assert(double(limit * limit) == double(limit) * double(limit), "exact square");
    if constexpr (Test == SmallRangeTest::square) {
      if (__builtin_expect(!any_magnitude_above(x * x, limit * limit), 1)) {
        return tanh_small(x);
      }
    } else {
      if (__builtin_expect(!any_magnitude_above(magnitude, limit), 1)) {
        return tanh_small(x);
      }
    }
  } else if constexpr (std::is_same_v<T, float>) {
    if (!scalar_selects || is_constant_evaluated()) {
      if (__builtin_expect(!any_magnitude_above(magnitude, Traits::tanh_small_limit), 1)) {
        return tanh_small(x);
      }
    }
  }

  // Beyond the saturation point tanh rounds to 1, and the quotient below may overflow or turn
  // NaN there; a mask computed beside it selects 1 instead, so at run time no clamp delays the
  // quotient. A constant expression may not overflow, so there a clamp keeps the input in range.
  L a = magnitude;
  if constexpr (!is_vector_lane<L>) {
    if (is_constant_evaluated()) {
      a = a > saturation ? saturation : a;
    }
  }

  // 2a = k ln2 + r with |r| <= ln2 / 2.
  const L twice = a + a;
  const L shifted = a * (T(2) * Traits::log2e) + Traits::round_magic;
  const L k = shifted - Traits::round_magic;
  const L r = reduce_twice_by_ln2(twice, k);

  // tanh(a) = expm1(2a) / (expm1(2a) + 2), with expm1(2a) = 2^k expm1(r) + (2^k - 1): no
  // cancellation for small a.
  const L scale = from_bits<L>(scaled_power_of_two_bits(shifted, 0));
  const L e = expm1_reduced(r) * scale + (scale - T(1));
  const L quotient = e / (e + T(2));
  const LaneBits<L> saturated = mask_magnitude_above(magnitude, saturation);
  const L general = from_bits<L>(to_bits(select(saturated, broadcast<L>(T(1)), quotient)) | sign);
  // A vector with no small lane skips tanh_small() and the selection: at 1-40-1 Sgd that made
  // training 5 % faster natively and 11 % with the default flags (AVX-512, one run each).
  if constexpr (std::is_same_v<T, float> && is_vector_lane<L>) {
    const LaneBits<L> large = mask_magnitude_above(magnitude, Traits::tanh_small_limit);
    if (!any_lane_set(static_cast<LaneBits<L>>(~large))) {
      return general;
    }
    return select(large, general, tanh_small(x));
  } else if constexpr (scalar_selects) {
    if (is_constant_evaluated()) {
      return general;
    }
    // A vectorized loop over scalar tanh therefore pays for both formulas, so dense_forward
    // (mlp.hpp) applies activations to lane vectors, which branch as the 1-H-1 kernels do.
    return select(mask_magnitude_above(magnitude, Traits::tanh_small_limit), general,
                  tanh_small(x));
  } else {
    return general;
  }
}

// sigmoid on lanes (lanes.hpp); sigmoid() below states the contract.
template <class L>
[[gnu::always_inline]] constexpr L sigmoid_lanes(const L& x) {
  using T = LaneScalar<L>;
  using Traits = FloatTraits<T>;
  using ScalarBits = typename UnsignedOfSize<T>::type;
  constexpr ScalarBits sign_mask = ScalarBits{1} << (sizeof(T) * 8 - 1);
  constexpr T limit = -Traits::exp_underflow;
  const LaneBits<L> bits = to_bits(x);
  const L magnitude = from_bits<L>(bits & ~sign_mask);

  // Beyond the limit e^-|x| rounds to 0 and is replaced by 0 below, so at run time |x| goes in
  // unclamped; a constant expression may not overflow, so there a clamp keeps it in range.
  L a = magnitude;
  if constexpr (!is_vector_lane<L>) {
    if (is_constant_evaluated()) {
      a = a > limit ? limit : a;
    }
  }

  // e = e^-|x| = 2^k (1 + expm1(r)) with -|x| = k ln2 + r. Beyond sigmoid_direct_limit (below)
  // the scale is 2^(k + 64), normal for every k down to the limit, and the product is brought
  // back by 2^-64, so that a subnormal e rounds once there.
  const L shifted = a * -Traits::log2e + Traits::round_magic;
  const L k = shifted - Traits::round_magic;
  const L r = (-a - k * Traits::ln2_hi) - k * Traits::ln2_lo;
  const L p = expm1_reduced(r);

  // x >= 0 gives 1 / (1 + e^-x); x < 0 gives e^x / (1 + e^x). At x = -0 both are 1 / 2.
  const LaneBits<L> negative = mask_negative(x);
  // Up to sigmoid_direct_limit, k >= -100 for float (-866 for double), so p 2^k + 2^k is normal
  // and has the bits of the scaled form below, which then multiplies exactly by 2^-64. A lane
  // whose p 2^k would be subnormal has |p| < 2^-26 (2^-156). Rounded, p 2^k then stays below half
  // the spacing of floats just under 2^k, so both forms round to 2^k. The argument is valid while
  // k >= -101 (|x| < 70.3) for float and k >= -968 (|x| < 671) for double, and the assertion
  // below keeps the limits inside. tests/test_lanes.cpp compares every float from 60 to 105 in
  // magnitude, and make scan-float-math every float, with the scalar bits. Vectors whose lanes all
  // qualify skip the multiplication and the selection, which a 1-4-1 step waits on.
  static_assert(Traits::sigmoid_direct_limit * Traits::log2e < T(sizeof(T) == 4 ? 100.5 : 967.5),
                "sigmoid_direct_limit must keep k >= -101 (float) or -968 (double)");
  if constexpr (is_vector_lane<L>) {
    if (!any_magnitude_above(magnitude, Traits::sigmoid_direct_limit)) {
      const L scale = from_bits<L>(scaled_power_of_two_bits(shifted, 0));
      const L e = p * scale + scale;
      return select(negative, e, broadcast<L>(T(1))) / (T(1) + e);
    }
  }
  const L scale = from_bits<L>(scaled_power_of_two_bits(shifted, 64));
  const L scaled = (p * scale + scale) * power_of_two<T>(-64);
  const L e = select(mask_magnitude_above(magnitude, limit), broadcast<L>(T(0)), scaled);
  return select(negative, e, broadcast<L>(T(1))) / (T(1) + e);
}

}  // namespace detail

// Hyperbolic tangent: exactly +-1 beyond the saturation point, odd, tanh(-0) = -0, NaN for NaN.
// Branch-free, so that a loop over many inputs vectorizes.
// NOTE: float tanh is not monotonic in the last bits (make scan-float-math counts the drops).
template <class T>
constexpr T tanh(T x) {
  detail::check_float_type<T>();
  return detail::tanh_lanes(x);
}

// Logistic function 1 / (1 + e^-x): exactly 0 and 1 at the far ends, never NaN for finite x.
// Branch-free, so that a loop over many inputs vectorizes.
template <class T>
constexpr T sigmoid(T x) {
  detail::check_float_type<T>();
  return detail::sigmoid_lanes(x);
}

namespace detail {
// sin(r) and cos(r) for |r| <= pi/4 by their Taylor series (terms to r^17 and r^18).
constexpr double sin_reduced(double r) {
  const double z = r * r;
  double sum = 0;
  double term_factor = 1;
  double coefficients[9] = {};
  for (int n = 0; n < 9; ++n) {
    coefficients[n] = (n % 2 == 0 ? 1.0 : -1.0) / term_factor;
    term_factor *= static_cast<double>((2 * n + 2) * (2 * n + 3));
  }
  for (int n = 8; n >= 0; --n) {
    sum = coefficients[n] + z * sum;
  }
  return r * sum;
}

constexpr double cos_reduced(double r) {
  const double z = r * r;
  double sum = 0;
  double term_factor = 1;
  double coefficients[10] = {};
  for (int n = 0; n < 10; ++n) {
    coefficients[n] = (n % 2 == 0 ? 1.0 : -1.0) / term_factor;
    term_factor *= static_cast<double>((2 * n + 1) * (2 * n + 2));
  }
  for (int n = 9; n >= 0; --n) {
    sum = coefficients[n] + z * sum;
  }
  return sum;
}

// Reduces x by multiples of pi/2 (pi/2 split in three parts, exact products for |k| < 2^20)
// and returns the quadrant k mod 4.
constexpr double reduce_by_half_pi(double x, int& quadrant) {
  constexpr double two_over_pi = 0x1.45f306dc9c883p-1;
  constexpr double half_pi_1 = 0x1.921fb544p0;
  constexpr double half_pi_2 = 0x1.0b4611a6p-34;
  constexpr double half_pi_3 = 0x1.3198a2e037073p-69;
  const double shifted = x * two_over_pi + FloatTraits<double>::round_magic;
  const double k = shifted - FloatTraits<double>::round_magic;
  quadrant = static_cast<int>(bit_cast<std::uint64_t>(shifted) & 3);
  return ((x - k * half_pi_1) - k * half_pi_2) - k * half_pi_3;
}

constexpr double sin_cos(double x, bool want_cos) {
  int quadrant = 0;
  const double r = reduce_by_half_pi(x, quadrant);
  quadrant = (quadrant + (want_cos ? 1 : 0)) & 3;
  const double value = (quadrant & 1) != 0 ? cos_reduced(r) : sin_reduced(r);
  return (quadrant & 2) != 0 ? -value : value;
}
}  // namespace detail

// Sine and cosine, accurate for |x| < 2^20 (the range reduction's limit); beyond that the
// result is still in [-1, 1] but loses accuracy. Float arguments are computed in double.
// NOTE: no Payne-Hanek reduction, so sin(1e22) is not the correctly rounded value.
template <class T>
constexpr T sin(T x) {
  detail::check_float_type<T>();
  return static_cast<T>(detail::sin_cos(static_cast<double>(x), false));
}

template <class T>
constexpr T cos(T x) {
  detail::check_float_type<T>();
  return static_cast<T>(detail::sin_cos(static_cast<double>(x), true));
}

}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
