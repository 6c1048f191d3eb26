// Times what docs/performance.md quotes about layers: per-sample SGD of 1-4-1 with each hidden
// activation (identity shows the chain without one), dense_forward() alone on random layers, and
// per-sample SGD of two deeper networks, which run dense_forward() on every sample. Prints the
// best of 5 runs in thread CPU time. Build and run:
//
//   g++ -std=c++17 -O3 -march=native -Iinclude src/tools/layer_timing.cpp -o layer_timing
//   g++ -std=c++17 -O2 -ffp-contract=off -Iinclude src/tools/layer_timing.cpp -o layer_timing
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include <staticmlp/staticmlp.hpp>

#include "../bench/run.hpp"

namespace {

namespace sm = staticmlp;
using bench::thread_seconds;

template <class Function>
double best_of_5(Function run) {
  double best = 1e30;
  for (int attempt = 0; attempt < 5; ++attempt) {
    const double start = thread_seconds();
    run();
    const double elapsed = thread_seconds() - start;
    best = elapsed < best ? elapsed : best;
  }
  return best;
}

// Prints the nanoseconds per sample of per-sample SGD on the lecture's sine data, after 200
// epochs of warm-up.
template <class Net>
void time_sgd(const char* name, std::size_t epochs) {
  static constexpr auto data = sm::sine_dataset<float, bench::sample_count>();
  Net net = sm::initialized<Net>(1);
  sm::Sgd<Net> optimizer(static_cast<float>(bench::learning_rate));
  sm::FitOptions<float> options;
  options.epochs = 200;
  options.batch_size = 1;
  if (!sm::fit(net, optimizer, data, options).ok()) {
    std::printf("%s: training failed\n", name);
    return;
  }
  options.epochs = epochs;
  const double seconds = best_of_5([&] { (void)sm::fit(net, optimizer, data, options); });
  const double samples = static_cast<double>(epochs * bench::sample_count);
  std::printf("%-28s sgd %8.1f ns/sample\n", name, seconds / samples * 1e9);
}

// Prints the nanoseconds per output of dense_forward<In, Out, Tanh> on uniform weights, biases
// and inputs. The pre-activations span about [-1.5, 1.5], so tanh meets both of its formulas.
template <std::size_t In, std::size_t Out>
void time_dense_forward() {
  static std::array<float, In * Out> w{};
  static std::array<float, Out> b{};
  static std::array<float, In> x{};
  static std::array<float, Out> y{};
  sm::SplitMix64 random(7);
  const auto uniform = [&random](float scale) {
    return static_cast<float>(static_cast<int>(random.next() % 2001) - 1000) * scale / 1000.0f;
  };
  for (float& weight : w) {
    weight = uniform(1.0f / static_cast<float>(In));
  }
  for (float& bias : b) {
    bias = uniform(0.5f);
  }
  for (float& input : x) {
    input = uniform(1.0f);
  }
  const std::size_t calls = 20000000 / Out;
  float sink = 0.0f;
  const double seconds = best_of_5([&] {
    for (std::size_t call = 0; call < calls; ++call) {
      sm::detail::dense_forward_outlined<In, Out, sm::Tanh>(w.data(), b.data(), x.data(), y.data());
      sink += y[call % Out];
      __asm__ volatile("" ::: "memory");
    }
  });
  std::printf("dense_forward<%zu, %zu, Tanh>      %8.3f ns/output (%g)\n", In, Out,
              seconds / static_cast<double>(calls * Out) * 1e9, static_cast<double>(sink));
}

}  // namespace

int main() {
  time_sgd<sm::Mlp<float, 1, sm::Dense<4, sm::Identity>, sm::Dense<1, sm::Identity>>>(
      "1-4-1 identity", 20000);
  time_sgd<sm::Mlp<float, 1, sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>>("1-4-1 relu",
                                                                                  20000);
  time_sgd<sm::Mlp<float, 1, sm::Dense<4, sm::Tanh>, sm::Dense<1, sm::Identity>>>("1-4-1 tanh",
                                                                                  20000);
  time_sgd<sm::Mlp<float, 1, sm::Dense<4, sm::Sigmoid>, sm::Dense<1, sm::Identity>>>(
      "1-4-1 sigmoid", 20000);
  time_dense_forward<1, 256>();
  time_dense_forward<4, 4>();
  time_dense_forward<40, 40>();
  time_dense_forward<400, 400>();
  time_sgd<sm::Mlp<float, 1, sm::Dense<40, sm::Tanh>, sm::Dense<40, sm::Tanh>,
                   sm::Dense<1, sm::Identity>>>("1-40-40-1 tanh", 1000);
  time_sgd<sm::Mlp<float, 1, sm::Dense<4, sm::Tanh>, sm::Dense<4, sm::Tanh>, sm::Dense<4, sm::Tanh>,
                   sm::Dense<1, sm::Identity>>>("1-4-4-4-1 tanh", 5000);
  return 0;
}
