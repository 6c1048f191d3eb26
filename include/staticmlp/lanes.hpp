// Lane types: the per-unit arithmetic of the hot loops (activations, updates) is written once for
// a lane type L, either a scalar float or double or a vector of them made with the vector
// extension of GCC and Clang. Every lane of a vector sees the operations a scalar would, in the
// same order, so a loop over vectors gives the bits of the loop over scalars. Constant evaluation
// and targets without a vector unit use the scalar form; vector lanes are for run time only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {
namespace detail {

// Bytes of the widest vector register the engine uses on this target; 0 means scalars only.
// 256-bit vectors need AVX2, because AVX alone splits their integer operations in halves.
// Define STATICMLP_VECTOR_BYTES (0, 16, 32 or 64, at most what the target has) to choose,
// identically in every translation unit of a program.
#if defined(STATICMLP_VECTOR_BYTES)
// (X + 0) == 0 and (0 - X - 1) == 1 together hold only when X is defined empty, where the
// plain comparisons would not parse.
#if (STATICMLP_VECTOR_BYTES + 0) == 0 && (0 - STATICMLP_VECTOR_BYTES - 1) == 1
#error "STATICMLP_VECTOR_BYTES is defined empty: define it as 0, 16, 32 or 64"
#elif STATICMLP_VECTOR_BYTES != 0 && STATICMLP_VECTOR_BYTES != 16 && STATICMLP_VECTOR_BYTES != 32 && \
    STATICMLP_VECTOR_BYTES != 64
#error "STATICMLP_VECTOR_BYTES must be 0, 16, 32 or 64"
#elif STATICMLP_VECTOR_BYTES == 64 && !defined(__AVX512F__)
#error "STATICMLP_VECTOR_BYTES=64 needs AVX-512 (for example -mavx512f or -march=x86-64-v4)"
#elif STATICMLP_VECTOR_BYTES == 32 && !defined(__AVX2__)
#error "STATICMLP_VECTOR_BYTES=32 needs AVX2 (for example -mavx2 or -march=x86-64-v3)"
#elif STATICMLP_VECTOR_BYTES == 16 && !defined(__SSE2__) && !defined(__ARM_NEON)
#error "STATICMLP_VECTOR_BYTES=16 needs SSE2 or NEON"
#endif
inline constexpr std::size_t vector_bytes = STATICMLP_VECTOR_BYTES;
#elif defined(__AVX512F__)
inline constexpr std::size_t vector_bytes = 64;
#elif defined(__AVX2__)
inline constexpr std::size_t vector_bytes = 32;
#elif defined(__SSE2__) || defined(__ARM_NEON)
inline constexpr std::size_t vector_bytes = 16;
#else
inline constexpr std::size_t vector_bytes = 0;
#endif

// Run-time dispatch. A build for x86-64 without AVX2, such as one with the project's flags
// (SSE2), also compiles the training kernels of 1-H-1 networks (one_hidden_layer.hpp) for AVX2
// and for AVX-512, and runs the widest the CPU has. The lanes keep each unit's operations and
// their order. AVX-512 includes FMA (AVX2 as enabled here does not), so with contraction off
// (-ffp-contract=off, the project's flags) every width gives the bits of SSE2. Define
// STATICMLP_DISPATCH=0 to compile the baseline only. Choosing a width with
// STATICMLP_VECTOR_BYTES also turns dispatch off, and so does GCC without optimization: it
// ignores flatten at -O0, so the wide kernels would run as baseline code, at half the speed.
#if !defined(STATICMLP_DISPATCH)
#if defined(__x86_64__) && defined(__GNUC__) && defined(__SSE2__) && !defined(__AVX2__) && \
    !defined(STATICMLP_VECTOR_BYTES) && (defined(__OPTIMIZE__) || defined(__clang__))
#define STATICMLP_DISPATCH 1
#else
#define STATICMLP_DISPATCH 0
#endif
#elif (STATICMLP_DISPATCH + 0) == 0 && (0 - STATICMLP_DISPATCH - 1) == 1
#error "STATICMLP_DISPATCH is defined empty: define it as 0 or 1"
#elif STATICMLP_DISPATCH != 0 && STATICMLP_DISPATCH != 1
#error "STATICMLP_DISPATCH must be 0 or 1"
#elif STATICMLP_DISPATCH && !(defined(__x86_64__) && defined(__GNUC__) && defined(__SSE2__))
#error "STATICMLP_DISPATCH=1 needs x86-64 and GCC or Clang"
#endif

// Returns the bytes of the widest vectors that dispatch can use on this CPU: 64 with AVX-512 (F,
// VL, BW and DQ), 32 with AVX2, else vector_bytes. Without dispatch it returns vector_bytes.
inline std::size_t run_time_vector_bytes() {
#if STATICMLP_DISPATCH
  __builtin_cpu_init();
  if (vector_bytes < 64 && __builtin_cpu_supports("avx512f") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq")) {
    return 64;
  }
  if (vector_bytes < 32 && __builtin_cpu_supports("avx2")) {
    return 32;
  }
#endif
  return vector_bytes;
}

// The -Wpsabi setting below must outlast this header, so it is outside the push and pop of
// warnings.hpp, which would restore the warning at the end of the header.
STATICMLP_DIAGNOSTICS_POP
// GCC and Clang warn (-Wpsabi) that a function taking or returning AVX or AVX-512 vectors has
// another calling convention in a baseline build. With dispatch, the lane functions are always
// inlined into callers compiled for their vectors' width, so no such call exists. GCC reports
// some of these at the end of the translation unit, beyond a push and pop around the headers,
// so with dispatch the warning stays off to the end of the file that includes them.
// NOTE: that also hides -Wpsabi for the including file's own code.
#if STATICMLP_DISPATCH && defined(__clang__)
#if __has_warning("-Wpsabi")
#pragma clang diagnostic ignored "-Wpsabi"
#endif
#elif STATICMLP_DISPATCH
#pragma GCC diagnostic ignored "-Wpsabi"
#endif
STATICMLP_DIAGNOSTICS_PUSH

// Dispatch compiles kernels for a wider target by inlining all they call into one function with
// GCC's flatten attribute. Clang's flatten inlines only the calls written in that function, not
// those of what it inlines, so with Clang the kernels' own functions are always inlined.
#if STATICMLP_DISPATCH && defined(__clang__)
#define STATICMLP_DETAIL_DISPATCH_INLINE [[gnu::always_inline]]
#else
#define STATICMLP_DETAIL_DISPATCH_INLINE
#endif

// The lane functions carry [[gnu::always_inline]]: a call between them would pass vectors
// through memory and keep the loops around them from vectorizing.

// Lanes of T in a vector of Bytes bytes, or 1 when fewer than two fit.
template <class T, std::size_t Bytes>
inline constexpr std::size_t lanes_in_bytes = Bytes >= 2 * sizeof(T) ? Bytes / sizeof(T) : 1;

// Lanes of T in one vector register, or 1 without vectors.
template <class T>
inline constexpr std::size_t native_lanes = lanes_in_bytes<T, vector_bytes>;

template <class T, std::size_t Lanes>
struct VectorType {
  typedef T type __attribute__((vector_size(Lanes * sizeof(T))));
};
template <class T>
struct VectorType<T, 1> {
  using type = T;
};

// Lanes values of T side by side; Vector<T, 1> is T itself.
template <class T, std::size_t Lanes>
using Vector = typename VectorType<T, Lanes>::type;

template <class T>
struct UnsignedOfSize;
template <>
struct UnsignedOfSize<float> {
  using type = std::uint32_t;
};
template <>
struct UnsignedOfSize<double> {
  using type = std::uint64_t;
};

// Scalar type, lane count and unsigned bit pattern type of a lane type.
template <class L>
struct LaneTraits {
  using Scalar = std::remove_cv_t<std::remove_reference_t<decltype(std::declval<L>()[0])>>;
  static constexpr std::size_t count = sizeof(L) / sizeof(Scalar);
  using Bits = Vector<typename UnsignedOfSize<Scalar>::type, count>;
};
template <>
struct LaneTraits<float> {
  using Scalar = float;
  static constexpr std::size_t count = 1;
  using Bits = std::uint32_t;
};
template <>
struct LaneTraits<double> {
  using Scalar = double;
  static constexpr std::size_t count = 1;
  using Bits = std::uint64_t;
};

template <class L>
using LaneScalar = typename LaneTraits<L>::Scalar;
template <class L>
using LaneBits = typename LaneTraits<L>::Bits;
template <class L>
inline constexpr bool is_vector_lane = LaneTraits<L>::count > 1;

template <class L>
[[gnu::always_inline]] constexpr LaneBits<L> to_bits(const L& x) {
  return __builtin_bit_cast(LaneBits<L>, x);
}

template <class L>
[[gnu::always_inline]] constexpr L from_bits(const LaneBits<L>& bits) {
  return __builtin_bit_cast(L, bits);
}

// Every lane set to `value`, bit for bit (so -0 stays -0).
template <class L>
[[gnu::always_inline]] constexpr L broadcast(LaneScalar<L> value) {
  if constexpr (is_vector_lane<L>) {
    using ScalarBits = typename UnsignedOfSize<LaneScalar<L>>::type;
    return from_bits<L>(LaneBits<L>{} | __builtin_bit_cast(ScalarBits, value));
  } else {
    return value;
  }
}

// All bits set in the lanes where a > b, none elsewhere (a NaN compares false).
template <class L>
[[gnu::always_inline]] constexpr LaneBits<L> mask_greater(const L& a, const L& b) {
  if constexpr (is_vector_lane<L>) {
    return __builtin_bit_cast(LaneBits<L>, a > b);
  } else {
    return static_cast<LaneBits<L>>(LaneBits<L>{0} - static_cast<LaneBits<L>>(a > b));
  }
}

// All bits set in the lanes where a <= b, none elsewhere (a NaN compares false).
template <class L>
[[gnu::always_inline]] constexpr LaneBits<L> mask_less_equal(const L& a, const L& b) {
  if constexpr (is_vector_lane<L>) {
    return __builtin_bit_cast(LaneBits<L>, a <= b);
  } else {
    return static_cast<LaneBits<L>>(LaneBits<L>{0} - static_cast<LaneBits<L>>(a <= b));
  }
}

// The comparisons with zero and with a threshold that the activations need. Vectors compare
// as floating point, one instruction each. Scalars compare their bit patterns as integers,
// which gives the same results and needs no call into the soft-float library on a core
// without an FPU.

template <class L>
constexpr LaneBits<L> infinity_bits() {
  using ScalarBits = typename UnsignedOfSize<LaneScalar<L>>::type;
  constexpr int mantissa_bits = sizeof(ScalarBits) == 4 ? 23 : 52;
  constexpr ScalarBits exponent_field =
      (ScalarBits{1} << (sizeof(ScalarBits) * 8 - 1)) - (ScalarBits{1} << mantissa_bits);
  return exponent_field;
}

template <class L>
constexpr LaneBits<L> mask_if(bool condition) {
  return static_cast<LaneBits<L>>(LaneBits<L>{0} - static_cast<LaneBits<L>>(condition));
}

// All bits set in the lanes where x > 0, none for zeros, negative values and NaN.
template <class L>
[[gnu::always_inline]] constexpr LaneBits<L> mask_positive(const L& x) {
  if constexpr (is_vector_lane<L>) {
    return mask_greater(x, L{});
  } else {
    // x > 0 exactly when its bits lie in [1, bits of +infinity].
    return mask_if<L>(static_cast<LaneBits<L>>(to_bits(x) - 1) < infinity_bits<L>());
  }
}

// All bits set in the lanes where x <= 0, none for positive values and NaN.
template <class L>
[[gnu::always_inline]] constexpr LaneBits<L> mask_not_positive(const L& x) {
  if constexpr (is_vector_lane<L>) {
    return mask_less_equal(x, L{});
  } else {
    // Zeros, and negative values down to -infinity: magnitude at most that of infinity.
    const LaneBits<L> bits = to_bits(x);
    const LaneBits<L> sign = static_cast<LaneBits<L>>(~(~LaneBits<L>{0} >> 1));
    return mask_if<L>(bits == 0 || (bits >= sign && (bits & ~sign) <= infinity_bits<L>()));
  }
}

// All bits set in the lanes where x < 0, none for zeros, positive values and NaN.
template <class L>
[[gnu::always_inline]] constexpr LaneBits<L> mask_negative(const L& x) {
  if constexpr (is_vector_lane<L>) {
    return mask_greater(L{}, x);
  } else {
    const LaneBits<L> bits = to_bits(x);
    const LaneBits<L> sign = static_cast<LaneBits<L>>(~(~LaneBits<L>{0} >> 1));
    return mask_if<L>(bits > sign && (bits & ~sign) <= infinity_bits<L>());
  }
}

// All bits set in the lanes where magnitude > threshold, for a magnitude with its sign bit
// clear and a finite threshold >= 0; none for NaN.
template <class L>
[[gnu::always_inline]] constexpr LaneBits<L> mask_magnitude_above(const L& magnitude,
                                                                  LaneScalar<L> threshold) {
  if constexpr (is_vector_lane<L>) {
    return mask_greater(magnitude, broadcast<L>(threshold));
  } else {
    // Non-negative floats order as their bits do, and every NaN lies above +infinity.
    const LaneBits<L> bits = to_bits(magnitude);
    return mask_if<L>(bits > to_bits(threshold) && bits <= infinity_bits<L>());
  }
}

// `if_set` in the lanes whose mask bits are set, `if_clear` in the others, through integer bits:
// GCC keeps a floating-point select as a branch while -ftrapping-math is on (its default), and
// a branch stops a loop from vectorizing.
template <class L>
[[gnu::always_inline]] constexpr L select(const LaneBits<L>& mask, const L& if_set,
                                          const L& if_clear) {
  return from_bits<L>(
      static_cast<LaneBits<L>>((to_bits(if_set) & mask) | (to_bits(if_clear) & ~mask)));
}

// Loads and stores L from and to arrays of its scalar type, without alignment requirements.
template <class L>
[[gnu::always_inline]] inline L load_lanes(const LaneScalar<L>* source) {
  L value;
  __builtin_memcpy(&value, source, sizeof value);
  return value;
}

template <class L>
[[gnu::always_inline]] inline void store_lanes(LaneScalar<L>* target, const L& value) {
  __builtin_memcpy(target, &value, sizeof value);
}

// The lower or the upper half of v's lanes, as a vector of half the width: one extract
// instruction with __builtin_shufflevector (GCC 12 and later, Clang), a byte copy without it.
template <bool Upper, class L, std::size_t... Lane>
[[gnu::always_inline]] inline Vector<LaneScalar<L>, sizeof...(Lane)> half_of(
    const L& v, std::index_sequence<Lane...>) {
#if __has_builtin(__builtin_shufflevector)
  return __builtin_shufflevector(v, v, static_cast<int>(Upper ? Lane + sizeof...(Lane) : Lane)...);
#else
  Vector<LaneScalar<L>, sizeof...(Lane)> half;
  __builtin_memcpy(&half, reinterpret_cast<const char*>(&v) + (Upper ? sizeof half : 0),
                   sizeof half);
  return half;
#endif
}

// Returns the lanes Index... of a followed by b: for V of n lanes, index j < n picks a[j] and
// index n + j picks b[j].
template <class V, int... Index>
[[gnu::always_inline]] inline V pick_lanes(const V& a, const V& b) {
#if __has_builtin(__builtin_shufflevector)
  return __builtin_shufflevector(a, b, Index...);
#else
  return __builtin_shuffle(a, b, LaneBits<V>{Index...});
#endif
}

// Returns lanes Offset, Offset + 2, Offset + 4, ... of a followed by b: with Offset 0 the even
// lanes of the pair, with Offset 1 the odd ones.
template <std::size_t Offset, class V, std::size_t... Lane>
[[gnu::always_inline]] inline V deinterleave_lanes(const V& a, const V& b,
                                                   std::index_sequence<Lane...>) {
  return pick_lanes<V, static_cast<int>(2 * Lane + Offset)...>(a, b);
}

template <std::size_t Offset, class V>
[[gnu::always_inline]] inline V deinterleave_lanes(const V& a, const V& b) {
  return deinterleave_lanes<Offset>(a, b, std::make_index_sequence<LaneTraits<V>::count>{});
}

// Returns the source, in pick_lanes() numbering, of lane `lane` of the first or the second row
// of a pair after a transpose_stage() with that distance over n lanes.
constexpr int transpose_source(std::size_t lane, std::size_t distance, std::size_t n,
                               bool second_row) {
  if ((lane & distance) != 0) {
    return static_cast<int>(second_row ? n + lane : n + lane - distance);
  }
  return static_cast<int>(second_row ? lane + distance : lane);
}

// Runs one stage of transpose_square(): each pair of rows i and i + Distance, where i has the
// bit Distance clear, swaps the first row's lanes with that bit set for the second row's lanes
// without it. The bit thereby moves between the row index and the lane index. Lane... is 0 to
// n - 1.
template <std::size_t Distance, class V, std::size_t... Lane>
[[gnu::always_inline]] inline void transpose_stage(V* rows, std::index_sequence<Lane...>) {
  constexpr std::size_t n = sizeof...(Lane);
#pragma GCC unroll 16
  for (std::size_t i = 0; i < n; ++i) {
    if ((i & Distance) == 0) {
      const V first = rows[i];
      const V second = rows[i + Distance];
      rows[i] = pick_lanes<V, transpose_source(Lane, Distance, n, false)...>(first, second);
      rows[i + Distance] =
          pick_lanes<V, transpose_source(Lane, Distance, n, true)...>(first, second);
    }
  }
}

// Runs the stages of transpose_square() for Distance, Distance / 2, ..., 1.
template <std::size_t Distance, class V, std::size_t... Lane>
[[gnu::always_inline]] inline void transpose_stages(V* rows, std::index_sequence<Lane...> lanes) {
  transpose_stage<Distance>(rows, lanes);
  if constexpr (Distance > 1) {
    transpose_stages<Distance / 2>(rows, lanes);
  }
}

// Transposes the square of n vectors of n lanes, n a power of two: afterwards lane r of rows[j]
// contains what lane j of rows[r] contained. That takes log2(n) stages of n two-vector shuffles
// each, which g++ 12 compiles to `vpermt2ps`, `vshuff32x4` and `vshufps` with AVX-512.
template <class V>
[[gnu::always_inline]] inline void transpose_square(V* rows) {
  constexpr std::size_t n = LaneTraits<V>::count;
  static_assert(n >= 2 && (n & (n - 1)) == 0, "a power of two lanes");
  transpose_stages<n / 2>(rows, std::make_index_sequence<n>{});
}

// The sum of v's lanes in fold_partial_sums order: lane j + Width is added into lane j for
// j < Width, with Width halving from half the lanes down to 1. Each step adds the upper half of
// the vector to its lower half, so the vectors narrow as they go, which suits the shuffle units.
template <class L>
[[gnu::always_inline]] inline LaneScalar<L> fold_lanes(const L& v) {
  constexpr std::size_t count = LaneTraits<L>::count;
  if constexpr (count == 1) {
    return v;
  } else if constexpr (count == 2) {
    return v[0] + v[1];
  } else {
    constexpr auto half = std::make_index_sequence<count / 2>{};
    return fold_lanes(half_of<false>(v, half) + half_of<true>(v, half));
  }
}

// Returns true when any lane of `mask` (all bits set or none in each lane, as the mask functions
// above give) is set. The branch that tests it costs two or three instructions where the target has
// them, which is why this is not a loop: GCC 12 compiled an OR over the lanes, or over the
// halves, into stores and scalar loads. A mask wider than what the code is compiled for (a
// kernel that dispatch compiles for AVX-512 in a baseline build) is folded in halves first.
template <class M>
[[gnu::always_inline]] constexpr bool any_lane_set(const M& mask) {
  if constexpr (std::is_integral_v<M>) {
    return mask != 0;
  } else {
#if defined(__clang__) && __has_builtin(__builtin_reduce_or)
    return __builtin_reduce_or(mask) != 0;
#else
    using Word = std::remove_cv_t<std::remove_reference_t<decltype(mask[0])>>;
    constexpr std::size_t floats_count = sizeof(M) / sizeof(float);
    using Floats = Vector<float, floats_count>;
    // A set lane has every bit set, so each float in it has its sign bit set.
    [[maybe_unused]] const Floats floats = __builtin_bit_cast(Floats, mask);
#if defined(__x86_64__) && defined(__AVX__)
    if constexpr (sizeof(M) == 32) {
      return __builtin_ia32_vtestzps256(floats, floats) == 0;
    }
#endif
#if defined(__x86_64__)
    if constexpr (sizeof(M) == 16) {
      return __builtin_ia32_movmskps(floats) != 0;
    }
#endif
    if constexpr (sizeof(M) > 16) {
      constexpr auto half = std::make_index_sequence<floats_count / 2>{};
      using HalfBits = Vector<std::uint32_t, floats_count / 2>;
      return any_lane_set(__builtin_bit_cast(HalfBits, half_of<false>(floats, half)) |
                          __builtin_bit_cast(HalfBits, half_of<true>(floats, half)));
    } else {
      Word any = 0;
      for (std::size_t lane = 0; lane < sizeof(M) / sizeof(Word); ++lane) {
        any |= mask[lane];
      }
      return any != 0;
    }
#endif
  }
}

// Returns true when any lane of `magnitude` (sign bits clear) lies above `threshold`, a finite
// value >= 0. NaN lanes do not count. With AVX-512 GCC compares straight into a mask register.
template <class L>
[[gnu::always_inline]] constexpr bool any_magnitude_above(const L& magnitude,
                                                          LaneScalar<L> threshold) {
#if defined(__x86_64__) && defined(__AVX512F__) && !defined(__clang__)
  // Predicate 30 is _CMP_GT_OQ (greater, false for NaN); rounding 4 is the current direction.
  if constexpr (sizeof(L) == 64 && std::is_same_v<LaneScalar<L>, float>) {
    return __builtin_ia32_cmpps512_mask(magnitude, broadcast<L>(threshold), 30, 0xffff, 4) != 0;
  } else if constexpr (sizeof(L) == 64) {
    return __builtin_ia32_cmppd512_mask(magnitude, broadcast<L>(threshold), 30, 0xff, 4) != 0;
  }
#endif
  return any_lane_set(mask_magnitude_above(magnitude, threshold));
}

}  // namespace detail
}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
