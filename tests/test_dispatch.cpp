// Run-time dispatch (lanes.hpp): a build for x86-64 below AVX2 also compiles the training kernels
// of 1-H-1 networks for AVX2 and AVX-512 and runs the widest the CPU has. Every width must give
// the bits of the build's own width. The cases are per-sample Sgd epochs in order and shuffled,
// an epoch that stops at a non-finite loss, and batch gradients. The hidden widths fill whole
// vectors, leave a tail or pad the last vector. A width the CPU lacks is skipped with a warning.
// The equality needs -ffp-contract=off, which the suite's builds pass: otherwise the AVX-512
// kernels contract multiply-adds into FMA.
#include <catch2/catch.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>

#include "test_support.hpp"

namespace sm = staticmlp;
using test_support::same_bits;
using test_support::spread_network;

namespace {

// Returns the vector bytes that dispatch should pick, from the CPU flags in /proc/cpuinfo (the
// kernel's view, independent of the compiler's CPU detection), or 0 when the file is unreadable.
// Unused where dispatch is off, as with GCC at -O0.
[[maybe_unused]] std::size_t expected_vector_bytes() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) != 0) {
      continue;
    }
    std::istringstream words(line);
    bool avx2 = false;
    int avx512_parts = 0;
    std::string word;
    while (words >> word) {
      avx2 = avx2 || word == "avx2";
      avx512_parts +=
          word == "avx512f" || word == "avx512vl" || word == "avx512bw" || word == "avx512dq";
    }
    if (avx512_parts == 4) {
      return 64;
    }
    if (avx2) {
      return 32;
    }
    return sm::detail::vector_bytes;
  }
  return 0;
}

}  // namespace

TEST_CASE("dispatch picks the widest vectors") {
#if STATICMLP_DISPATCH
  const std::size_t expected = expected_vector_bytes();
  if (expected == 0) {
    WARN("skipped: /proc/cpuinfo is not readable");
    return;
  }
  CHECK(sm::detail::run_time_vector_bytes() == expected);
#else
  // Without dispatch the build's own width always runs.
  CHECK(sm::detail::run_time_vector_bytes() == sm::detail::vector_bytes);
#endif
}

#if STATICMLP_DISPATCH
namespace {

template <class T, std::size_t H, class Hidden, class Output = sm::Identity>
using OneHidden = sm::Mlp<T, 1, sm::Dense<H, Hidden>, sm::Dense<1, Output>>;

// True when dispatch can use vectors of `bytes` bytes on this CPU.
bool cpu_runs(std::size_t bytes) {
  return sm::detail::run_time_vector_bytes() >= bytes;
}

template <class Net>
std::size_t parameter_mismatches(const Net& a, const Net& b) {
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    mismatches += same_bits(a.parameters()[i], b.parameters()[i]) ? 0 : 1;
  }
  return mismatches;
}

// Counts the parameters and epoch losses whose bits differ between three per-sample Sgd epochs
// with vectors of `bytes` and with the build's width. `stopped` is set when an epoch of the
// build's width stopped at a non-finite loss, which the wide epoch must report identically.
template <class Net>
std::size_t sgd_mismatches(std::size_t bytes, bool shuffled, typename Net::Scalar learning_rate,
                           bool& stopped) {
  using T = typename Net::Scalar;
  using Kernel = sm::detail::OneHiddenLayer<Net>;
  constexpr std::size_t hidden = Net::widths[1];
  const auto data = sm::sine_dataset<T, 50>();
  const sm::SampleView<T, 1, 1> samples(data);
  auto order = test_support::sample_order<50>();
  sm::SplitMix64 generator(7);

  Net own = spread_network<Net>(4);
  Net wide = own;
  std::array<T, hidden> own_hidden{};
  std::array<T, hidden> wide_hidden{};
  std::size_t mismatches = 0;
  stopped = false;
  for (int epoch = 0; epoch < 3; ++epoch) {
    if (shuffled) {
      sm::shuffle(order.data(), order.size(), generator);
    }
    const std::uint32_t* visit = shuffled ? order.data() : nullptr;

    const auto expected = Kernel::sgd_epoch_at_width(own.parameters().data(), samples, visit,
                                                     learning_rate, own_hidden.data());
    const auto actual = bytes == 64
                            ? Kernel::sgd_epoch_avx512(wide.parameters().data(), samples, visit,
                                                       learning_rate, wide_hidden.data())
                            : Kernel::sgd_epoch_avx2(wide.parameters().data(), samples, visit,
                                                     learning_rate, wide_hidden.data());

    mismatches += same_bits(expected.sum, actual.sum) ? 0 : 1;
    mismatches += expected.finite == actual.finite ? 0 : 1;
    mismatches += same_bits(expected.bad_loss, actual.bad_loss) ? 0 : 1;
    if (!expected.finite) {
      stopped = true;
      break;
    }
  }
  return mismatches + parameter_mismatches(own, wide);
}

// Counts the gradient entries and loss totals whose bits differ between the batch gradients of
// the first 37 samples with vectors of `bytes` and with the build's width, in order and shuffled.
template <class Net>
std::size_t gradient_mismatches(std::size_t bytes) {
  using T = typename Net::Scalar;
  using Kernel = sm::detail::OneHiddenLayer<Net>;
  constexpr std::size_t hidden = Net::widths[1];
  const auto data = sm::sine_dataset<T, 50>();
  const sm::SampleView<T, 1, 1> samples(data);
  auto order = test_support::sample_order<50>();
  sm::SplitMix64 generator(3);
  sm::shuffle(order.data(), order.size(), generator);

  const Net net = spread_network<Net>(6);
  const T scale = T(1) / T(37);
  std::size_t mismatches = 0;
  for (const std::uint32_t* visit : {static_cast<const std::uint32_t*>(nullptr),
                                     static_cast<const std::uint32_t*>(order.data())}) {
    // Start from a nonzero gradient: the kernels add to what is there.
    typename Net::Parameters own{};
    for (std::size_t i = 0; i < own.size(); ++i) {
      own[i] = T(0.001) * static_cast<T>(i % 7);
    }
    typename Net::Parameters wide = own;
    std::array<T, hidden> own_hidden{};
    std::array<T, hidden> wide_hidden{};

    const T expected = Kernel::accumulate_samples_at_width(
        net.parameters().data(), samples, visit, 37, scale, own.data(), own_hidden.data());
    const T actual =
        bytes == 64 ? Kernel::accumulate_samples_avx512(net.parameters().data(), samples, visit, 37,
                                                        scale, wide.data(), wide_hidden.data())
                    : Kernel::accumulate_samples_avx2(net.parameters().data(), samples, visit, 37,
                                                      scale, wide.data(), wide_hidden.data());

    mismatches += same_bits(expected, actual) ? 0 : 1;
    for (std::size_t i = 0; i < own.size(); ++i) {
      mismatches += same_bits(own[i], wide[i]) ? 0 : 1;
    }
  }
  return mismatches;
}

template <class Net>
void check_widths_agree() {
  using T = typename Net::Scalar;
  const T learning_rate = T(0.2) / static_cast<T>(Net::widths[1]);
  for (const std::size_t bytes : {std::size_t{32}, std::size_t{64}}) {
    INFO("1-" << Net::widths[1] << "-1, " << sizeof(T) << "-byte scalars, " << bytes
              << "-byte vectors");
    if (!cpu_runs(bytes)) {
      WARN("skipped: this CPU has no " << bytes << "-byte vectors");
      continue;
    }
    bool stopped = false;
    CHECK(sgd_mismatches<Net>(bytes, false, learning_rate, stopped) == 0);
    CHECK_FALSE(stopped);
    CHECK(sgd_mismatches<Net>(bytes, true, learning_rate, stopped) == 0);
    CHECK_FALSE(stopped);
    // A learning rate near the largest finite value makes the loss of an identity output
    // overflow within the first epoch. A tanh or sigmoid output saturates instead, which stops
    // the updates with a finite loss.
    const T huge = std::numeric_limits<T>::max() / T(8);
    CHECK(sgd_mismatches<Net>(bytes, false, huge, stopped) == 0);
    using Output = typename Net::template LayerActivation<1>;
    CHECK(stopped == std::is_same_v<Output, sm::Identity>);
    CHECK(gradient_mismatches<Net>(bytes) == 0);
  }
}

}  // namespace

TEST_CASE("dispatched kernels keep baseline bits") {
  // For float, 4 units stay in registers at every width, across the samples of a batch with
  // AVX2 and AVX-512. 5, 12, 24 and 40 stay in registers with both, 72 only with AVX-512, and
  // they sweep memory otherwise. In registers, full batch pads the last vector of 5 and 12 at
  // both widths and of 24, 40 and 72 with AVX-512, and per-sample Sgd pads all but 24 and 40,
  // which it runs in 32-byte vectors. Double 12 stays in registers with both, with per-sample
  // Sgd in 32-byte vectors, and double 40 only with AVX-512. 88 and 100 leave a tail after the
  // whole AVX-512 vectors, and 400 fills whole vectors at every width. 160 fills 20 AVX2 float
  // vectors (AVX-512 double), a whole number of rounds of partial sums, where GCC once warned of
  // an out-of-range index.
  check_widths_agree<OneHidden<float, 4, sm::Tanh>>();
  check_widths_agree<OneHidden<float, 4, sm::Sigmoid, sm::Tanh>>();
  check_widths_agree<OneHidden<float, 5, sm::Relu>>();
  check_widths_agree<OneHidden<float, 12, sm::LeakyRelu<>>>();
  check_widths_agree<OneHidden<float, 24, sm::Tanh>>();
  check_widths_agree<OneHidden<float, 40, sm::Tanh>>();
  check_widths_agree<OneHidden<float, 72, sm::Tanh>>();
  check_widths_agree<OneHidden<float, 88, sm::Sigmoid>>();
  check_widths_agree<OneHidden<float, 100, sm::Relu, sm::Sigmoid>>();
  check_widths_agree<OneHidden<float, 160, sm::Sigmoid>>();
  check_widths_agree<OneHidden<float, 400, sm::Tanh>>();
  check_widths_agree<OneHidden<double, 4, sm::Tanh>>();
  check_widths_agree<OneHidden<double, 12, sm::Tanh>>();
  check_widths_agree<OneHidden<double, 40, sm::Sigmoid>>();
  check_widths_agree<OneHidden<double, 100, sm::Tanh>>();
  check_widths_agree<OneHidden<double, 160, sm::Tanh>>();
}

TEST_CASE("fit keeps baseline bits through dispatch") {
  // fit() with Sgd on a 1-H-1 network goes through the dispatching sgd_epoch(): the result
  // must have the bits of the build's own width, step by step.
  using Net = OneHidden<float, 40, sm::Tanh>;
  const auto data = sm::sine_dataset<float, 100>();
  Net fitted = spread_network<Net>(12);
  Net stepped = fitted;
  sm::Sgd<Net> sgd(0.01f);
  sm::FitOptions<float> options;
  options.epochs = 4;
  options.batch_size = 1;
  REQUIRE(sm::fit(fitted, sgd, data, options).ok());
  std::array<float, 40> hidden{};
  for (std::size_t epoch = 0; epoch < options.epochs; ++epoch) {
    const auto losses = sm::detail::OneHiddenLayer<Net>::sgd_epoch_at_width(
        stepped.parameters().data(), sm::SampleView<float, 1, 1>(data), nullptr, 0.01f,
        hidden.data());
    REQUIRE(losses.finite);
  }
  CHECK(parameter_mismatches(fitted, stepped) == 0);
}
#endif
