// Exhaustive accuracy scan of staticmlp's float tanh, sigmoid, exp and expm1: every float in each
// range, against glibc's double functions. For each function it prints the largest error in ulps
// of the exact value (the double reference stands in for it), where it occurs, and how often the
// result decreases from one float to the next on x >= 0 (each is an increasing function). Then it
// counts the floats where tanh and sigmoid on this build's vectors differ from the scalar bits.
// It takes a few minutes on one core:  make scan-float-math
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <staticmlp/lanes.hpp>
#include <staticmlp/math.hpp>

#include "../command_line.hpp"

namespace {

namespace sm = staticmlp;

float float_from_bits(std::uint32_t bits) {
  float value = 0;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// |got - reference| in units of the spacing of floats at the reference, rounded to float.
double ulp_error(float got, double reference) {
  const float rounded = static_cast<float>(reference);
  if (got == rounded) {
    return 0;
  }
  if (std::isinf(got) || std::isinf(rounded) || std::isnan(got)) {
    return INFINITY;
  }
  int exponent = 0;
  std::frexp(rounded, &exponent);
  double ulp = std::ldexp(1.0, exponent - 24);
  if (std::fabs(rounded) < 0x1p-126f) {
    ulp = 0x1p-149;
  }
  return std::fabs(static_cast<double>(got) - reference) / ulp;
}

struct Report {
  double worst = 0;
  float worst_at = 0;
  unsigned long long decreases = 0;
  unsigned long long count = 0;
};

template <class F, class R>
Report scan(F function, R reference, float low, float high) {
  Report report;
  for (std::uint32_t sign = 0; sign <= 1; ++sign) {
    float previous = -INFINITY;
    for (std::uint32_t bits = 0; bits < 0x7f800000u; ++bits) {
      const float x = float_from_bits(bits | (sign << 31));
      if (!(x >= low && x <= high)) {
        continue;
      }
      const float y = function(x);
      ++report.count;
      const double error = ulp_error(y, reference(static_cast<double>(x)));
      if (error > report.worst) {
        report.worst = error;
        report.worst_at = x;
      }
      if (sign == 0) {
        report.decreases += y < previous ? 1 : 0;
        previous = y;
      }
    }
  }
  return report;
}

template <class F, class R>
void print(const char* name, F function, R reference, float low, float high) {
  const Report r = scan(function, reference, low, high);
  std::printf("%-8s [%g, %g], %llu floats: max %.3f ulp at %a (%.9g); decreases on x >= 0: %llu\n",
              name, static_cast<double>(low), static_cast<double>(high), r.count, r.worst,
              static_cast<double>(r.worst_at), static_cast<double>(r.worst_at), r.decreases);
}

// Counts the floats, over all 2^32 bit patterns, for which Function on vectors of the build's
// native width gives other bits than on each scalar. NaN results count as equal, because their
// sign depends on the order of operands that the compiler picks.
template <class Function>
unsigned long long lane_mismatches(Function function) {
  constexpr std::size_t lanes = sm::detail::native_lanes<float>;
  using Lanes = sm::detail::Vector<float, lanes>;
  unsigned long long mismatches = 0;
  for (std::uint64_t first = 0; first < (std::uint64_t{1} << 32); first += lanes) {
    Lanes x{};
    for (std::size_t j = 0; j < lanes; ++j) {
      x[j] = float_from_bits(static_cast<std::uint32_t>(first + j));
    }
    const Lanes y = function(x);
    for (std::size_t j = 0; j < lanes; ++j) {
      const float scalar = function(x[j]);
      const float lane = y[j];
      const bool same =
          std::isnan(scalar) ? std::isnan(lane) : std::memcmp(&scalar, &lane, sizeof scalar) == 0;
      mismatches += same ? 0 : 1;
    }
  }
  return mismatches;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) {
    const bool help = argc == 2 && command_line::is_help(argv[1]);
    if (!help) {
      // After --help, the argument in the way is the next one.
      const bool help_first = command_line::is_help(argv[1]);
      const bool unknown_option = argv[1][0] == '-' && !help_first;
      std::fprintf(stderr, "error: %s '%s'\n",
                   unknown_option ? "unknown option" : "unexpected argument",
                   help_first ? argv[2] : argv[1]);
    }
    std::fprintf(help ? stdout : stderr,
                 "usage: scan_float_math\n"
                 "  scans every float in each function's range (a few minutes) and prints one\n"
                 "  line per function; it takes no options\n");
    return help ? command_line::finish_output(0) : 2;
  }
  print("tanh", [](float x) { return sm::tanh(x); }, [](double x) { return std::tanh(x); },
        -20.0f, 20.0f);
  print("sigmoid", [](float x) { return sm::sigmoid(x); },
        [](double x) { return 1.0 / (1.0 + std::exp(-x)); }, -103.0f, 103.0f);
  print("exp", [](float x) { return sm::exp(x); }, [](double x) { return std::exp(x); }, -87.0f,
        88.72f);
  print("expm1", [](float x) { return sm::expm1(x); }, [](double x) { return std::expm1(x); },
        -20.0f, 88.72f);
  const unsigned long long tanh_differs =
      lane_mismatches([](auto x) { return sm::detail::tanh_lanes(x); });
  const unsigned long long sigmoid_differs =
      lane_mismatches([](auto x) { return sm::detail::sigmoid_lanes(x); });
  std::printf(
      "vectors of %zu floats against scalars, every float: tanh differs for %llu, "
      "sigmoid for %llu\n",
      sm::detail::native_lanes<float>, tanh_differs, sigmoid_differs);
  return command_line::finish_output(0);
}
