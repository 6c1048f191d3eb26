// The table-driven float tanh that docs/performance.md describes as tried and dropped, kept so
// that its figures can be reproduced. It is not part of the engine. Build and run on a CPU with
// AVX-512 (GCC only: __builtin_shuffle with a variable index):
//
//   g++ -std=c++17 -O3 -march=native -Iinclude src/tools/table_tanh_prototype.cpp -o table_tanh
//   ./table_tanh            # Estrin's scheme;  add -DTABLE_TANH_HORNER for Horner's rule
//
// [0, 10) is split into 16 intervals of width 0.625 centred on n * 0.625. On each, tanh(c + t)
// is interpolated at 8 Chebyshev points by a degree-7 polynomial in t, computed in long double
// and rounded to float. Interval 0 keeps only the odd terms, so that near 0, where tanh(x) ~ x,
// the relative error stays small. A call looks up the 8 coefficients of each lane's interval with
// one vpermps per coefficient. It prints the largest error in ulp over every float in [0, 10.5),
// against glibc's double tanh. Then it times this tanh and the engine's: per value over 400 values
// (copy included), and per 16-lane call plus a multiply-add in a dependent loop.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <utility>

#include <staticmlp/lanes.hpp>
#include <staticmlp/math.hpp>

namespace {

constexpr int degree = 7;
constexpr int intervals = 16;
constexpr float width = 0.625f;

using Floats = float __attribute__((vector_size(64)));
using Ints = std::int32_t __attribute__((vector_size(64)));

// coefficients[k][n]: the coefficient of t^k on interval n.
alignas(64) float coefficients[degree + 1][intervals];

void fit_coefficients() {
  constexpr long double pi = 3.14159265358979323846264338327950288L;
  for (int n = 0; n < intervals; ++n) {
    const long double centre = static_cast<long double>(n) * width;
    const long double half_width = width / 2.0L;
    // Vandermonde system at the Chebyshev points, solved by Gauss-Jordan with partial pivoting.
    long double system[degree + 1][degree + 2];
    for (int j = 0; j <= degree; ++j) {
      const long double t = half_width * cosl(pi * (j + 0.5L) / (degree + 1));
      long double power = 1;
      for (int k = 0; k <= degree; ++k) {
        system[j][k] = power;
        power *= t;
      }
      system[j][degree + 1] = tanhl(centre + t);
    }
    for (int column = 0; column <= degree; ++column) {
      int pivot = column;
      for (int row = column + 1; row <= degree; ++row) {
        if (fabsl(system[row][column]) > fabsl(system[pivot][column])) {
          pivot = row;
        }
      }
      for (int k = 0; k <= degree + 1; ++k) {
        std::swap(system[column][k], system[pivot][k]);
      }
      for (int row = 0; row <= degree; ++row) {
        if (row != column) {
          const long double factor = system[row][column] / system[column][column];
          for (int k = 0; k <= degree + 1; ++k) {
            system[row][k] -= factor * system[column][k];
          }
        }
      }
    }
    for (int k = 0; k <= degree; ++k) {
      const long double value = system[k][degree + 1] / system[k][k];
      coefficients[k][n] = n == 0 && k % 2 == 0 ? 0.0f : static_cast<float>(value);
    }
  }
}

[[gnu::always_inline]] inline Floats table_tanh(Floats x) {
  const Ints bits = __builtin_bit_cast(Ints, x);
  const Ints sign = bits & static_cast<std::int32_t>(0x80000000u);
  const Ints magnitude_bits = bits ^ sign;
  const Floats a = __builtin_bit_cast(Floats, magnitude_bits);
  // n = round(a / width) sits in the low mantissa bits of `shifted`.
  constexpr float round_magic = 0x1.8p23f;
  const Floats shifted = a * (1.0f / width) + round_magic;
  const Floats n = shifted - round_magic;
  const Ints index = __builtin_bit_cast(Ints, shifted) & (intervals - 1);
  const Floats t = a - n * width;  // exact: a and n * width are within a factor of 2
  Floats c[degree + 1];
  for (int k = 0; k <= degree; ++k) {
    Floats row;
    std::memcpy(&row, coefficients[k], sizeof row);
    c[k] = __builtin_shuffle(row, index);
  }
#ifdef TABLE_TANH_HORNER
  Floats p = c[degree];
  for (int k = degree - 1; k >= 0; --k) {
    p = p * t + c[k];
  }
#else
  const Floats t2 = t * t;
  const Floats t4 = t2 * t2;
  const Floats low = (c[0] + c[1] * t) + t2 * (c[2] + c[3] * t);
  const Floats high = (c[4] + c[5] * t) + t2 * (c[6] + c[7] * t);
  const Floats p = low + t4 * high;
#endif
  const Ints saturated = a > 9.5f;
  const Floats ones = Floats{} + 1.0f;
  const Ints result =
      (__builtin_bit_cast(Ints, ones) & saturated) | (__builtin_bit_cast(Ints, p) & ~saturated);
  const Ints signed_result = result | sign;
  return __builtin_bit_cast(Floats, signed_result);
}

double thread_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

alignas(64) float inputs[400];
alignas(64) float outputs[400];

template <class Tanh>
double nanoseconds_per_value(Tanh tanh_of) {
  double best = 1e9;
  for (int repeat = 0; repeat < 5; ++repeat) {
    const double start = thread_seconds();
    for (int call = 0; call < 200000; ++call) {
      for (int i = 0; i < 400; i += 16) {
        Floats v;
        std::memcpy(&v, inputs + i, sizeof v);
        v = tanh_of(v);
        std::memcpy(outputs + i, &v, sizeof v);
      }
      asm volatile("" ::: "memory");
    }
    const double seconds = (thread_seconds() - start) / (200000.0 * 400);
    best = seconds < best ? seconds : best;
  }
  return best * 1e9;
}

template <class Tanh>
double nanoseconds_per_dependent_call(Tanh tanh_of) {
  double best = 1e9;
  for (int repeat = 0; repeat < 5; ++repeat) {
    Floats v = Floats{} + 0.3f;
    const double start = thread_seconds();
    for (int call = 0; call < 10000000; ++call) {
      v = tanh_of(v) * 0.9f + 0.2f;
    }
    const double seconds = (thread_seconds() - start) / 1e7;
    best = seconds < best ? seconds : best;
    asm volatile("" : : "x"(v));
  }
  return best * 1e9;
}

}  // namespace

int main() {
  fit_coefficients();
  double max_ulp = 0;
  float worst_input = 0;
  for (std::uint32_t bits = 1;; ++bits) {
    float x;
    std::memcpy(&x, &bits, sizeof x);
    if (!(x < 10.5f)) {
      break;
    }
    const float approximation = table_tanh(Floats{} + x)[0];
    const double exact = std::tanh(static_cast<double>(x));
    const double ulp = exact < 0x1p-126 ? 0x1p-149
                                        : std::ldexp(1.0, std::ilogb(static_cast<float>(exact)) - 23);
    const double error = std::fabs(static_cast<double>(approximation) - exact) / ulp;
    if (error > max_ulp) {
      max_ulp = error;
      worst_input = x;
    }
  }
  std::printf("table tanh: max error %.3f ulp at x = %.9g\n", max_ulp,
              static_cast<double>(worst_input));
  for (int i = 0; i < 400; ++i) {
    inputs[i] = -4.0f + 8.0f * static_cast<float>(i) / 400.0f;
  }
  // Lambdas, not function pointers, so that both are inlined into the timing loops.
  const auto engine = [](Floats v) { return staticmlp::detail::tanh_lanes(v); };
  const auto table = [](Floats v) { return table_tanh(v); };
  std::printf("400 values:      engine %.3f ns/value, table %.3f ns/value\n",
              nanoseconds_per_value(engine), nanoseconds_per_value(table));
  std::printf("dependent calls: engine %.2f ns, table %.2f ns (16 lanes, call + multiply-add)\n",
              nanoseconds_per_dependent_call(engine), nanoseconds_per_dependent_call(table));
}
