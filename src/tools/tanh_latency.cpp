// Latency of the engine's tanh on one 4-lane float vector, the chain that per-sample SGD of a
// 1-4-1 network waits on: each iteration feeds tanh's result, through a multiply-add, into the
// next call. Prints the best of 5 loops of 20 million iterations in thread CPU time.
// docs/performance.md quotes it for H = 4. Build and run:
//
//   g++ -std=c++17 -O3 -march=native -Iinclude src/tools/tanh_latency.cpp -o tanh_latency
//   g++ -std=c++17 -O2 -ffp-contract=off -Iinclude src/tools/tanh_latency.cpp -o tanh_latency
#include <cstdio>
#include <ctime>

#include <staticmlp/lanes.hpp>
#include <staticmlp/math.hpp>

namespace {

using Floats4 = float __attribute__((vector_size(16)));

double thread_seconds() {
  timespec time{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time);
  return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_nsec) * 1e-9;
}

}  // namespace

int main() {
  Floats4 x = {0.1f, 0.2f, 0.3f, 0.4f};
  const Floats4 scale = {0.9f, 0.8f, 0.7f, 0.6f};
  const Floats4 offset = {0.05f, 0.04f, 0.03f, 0.02f};
  constexpr long iterations = 20000000;
  double best = 1e9;
  for (int run = 0; run < 5; ++run) {
    const double start = thread_seconds();
    for (long i = 0; i < iterations; ++i) {
      x = staticmlp::detail::tanh_lanes(x) * scale + offset;
    }
    const double nanoseconds = (thread_seconds() - start) / iterations * 1e9;
    best = nanoseconds < best ? nanoseconds : best;
  }
  // The result is printed so that the loop cannot be removed.
  std::printf("%.2f ns per tanh and multiply-add (final lane 0: %g)\n", best,
              static_cast<double>(x[0]));
  return 0;
}
