// The lecture's targets over seeds 1 to 10, each variant trained as the figures train it
// (lecture_recipes.hpp). The tests check medians against fixed bounds, the reliability of the
// 1-4-1 ReLU fit, MSE falling strictly with depth and with width, and piecewise linear fits.
// Its own binary (make test-lecture) because the sweep takes tens of seconds. Before the tests
// it prints each variant's median, best and worst training MSE over the seeds.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include "lecture_support.hpp"

namespace {

constexpr std::size_t seed_count = 10;

template <class Net>
struct Sweep {
  std::array<Net, seed_count> nets{};
  std::array<float, seed_count> losses{};
  std::array<std::size_t, seed_count> epochs{};
  std::array<bool, seed_count> succeeded{};
};

// Trains Net from seeds 1 to 10 once per run; the tests check that every fit succeeded.
template <class Net>
const Sweep<Net>& sweep() {
  static const Sweep<Net> result = [] {
    Sweep<Net> trained;
    for (std::size_t s = 0; s < seed_count; ++s) {
      const auto fitted = lecture::train(trained.nets[s], static_cast<std::uint64_t>(s + 1));
      trained.succeeded[s] = fitted.ok();
      trained.losses[s] = fitted.final_loss;
      trained.epochs[s] = fitted.epochs;
    }
    return trained;
  }();
  return result;
}

template <class Net>
float median_loss() {
  auto losses = sweep<Net>().losses;
  std::sort(losses.begin(), losses.end());
  return (losses[seed_count / 2 - 1] + losses[seed_count / 2]) / 2.0f;
}

template <class Net>
std::size_t seeds_at_or_below(float bound) {
  const auto& losses = sweep<Net>().losses;
  return static_cast<std::size_t>(
      std::count_if(losses.begin(), losses.end(), [&](float loss) { return loss <= bound; }));
}

template <class Net>
void print_row(const char* name) {
  auto losses = sweep<Net>().losses;
  std::sort(losses.begin(), losses.end());
  std::printf("%-16s %10zu %12.3g %12.3g %12.3g\n", name, Net::parameter_count,
              static_cast<double>(median_loss<Net>()), static_cast<double>(losses.front()),
              static_cast<double>(losses.back()));
}

void print_table() {
  std::printf("training MSE over seeds 1 to %zu (float, lecture_recipes.hpp)\n", seed_count);
  std::printf("%-16s %10s %12s %12s %12s\n", "network", "parameters", "median", "best",
              "worst");
  print_row<lecture::Linear>("linear");
  print_row<lecture::Relu141>("ReLU 1-4-1");
  print_row<lecture::Relu1441>("ReLU 1-4-4-1");
  print_row<lecture::Relu14441>("ReLU 1-4-4-4-1");
  print_row<lecture::Relu1401>("ReLU 1-40-1");
  print_row<lecture::Relu14001>("ReLU 1-400-1");
  print_row<lecture::LeakyRelu141>("leaky ReLU 1-4-1");
  print_row<lecture::Sigmoid141>("sigmoid 1-4-1");
  print_row<lecture::Tanh141>("tanh 1-4-1");
  std::printf("\n");
}

template <class Net>
void check_budget() {
  for (std::size_t s = 0; s < seed_count; ++s) {
    INFO("seed " << s + 1);
    CHECK(sweep<Net>().succeeded[s]);
    CHECK(sweep<Net>().epochs[s] <= 20000);
  }
}

}  // namespace

int main(int argc, char** argv) {
  print_table();
  return Catch::Session().run(argc, argv);
}

TEST_CASE("ReLU 1-4-1 median at most 0.006", "[sweep]") {
  CHECK(median_loss<lecture::Relu141>() <= 0.006f);
}

TEST_CASE("ReLU 1-4-1 reaches 0.01 on 9 of 10 seeds", "[sweep]") {
  // PyTorch 1.13 (float64, default nn.Linear init, Adam at 0.01, 20 000 full-batch steps)
  // reaches it on 1 of 10 seeds, as measured for this project.
  CHECK(seeds_at_or_below<lecture::Relu141>(0.01f) >= 9);
}

TEST_CASE("deeper ReLU networks meet their bounds", "[sweep]") {
  CHECK(median_loss<lecture::Relu1441>() <= 0.003f);
  CHECK(median_loss<lecture::Relu14441>() <= 0.002f);
}

TEST_CASE("ReLU MSE falls strictly with depth", "[sweep]") {
  CHECK(median_loss<lecture::Linear>() > median_loss<lecture::Relu141>());
  CHECK(median_loss<lecture::Relu141>() > median_loss<lecture::Relu1441>());
  CHECK(median_loss<lecture::Relu1441>() > median_loss<lecture::Relu14441>());
}

TEST_CASE("wider ReLU networks meet their bounds", "[sweep]") {
  CHECK(median_loss<lecture::Relu1401>() <= 1e-4f);
  CHECK(median_loss<lecture::Relu14001>() <= 1e-5f);
}

TEST_CASE("ReLU MSE falls strictly with width", "[sweep]") {
  CHECK(median_loss<lecture::Relu141>() > median_loss<lecture::Relu1401>());
  CHECK(median_loss<lecture::Relu1401>() > median_loss<lecture::Relu14001>());
}

TEST_CASE("other activations meet their bounds", "[sweep]") {
  CHECK(median_loss<lecture::LeakyRelu141>() <= 0.006f);
  CHECK(median_loss<lecture::Sigmoid141>() <= 1e-5f);
  CHECK(median_loss<lecture::Tanh141>() <= 1e-5f);
}

TEST_CASE("linear model median is least squares", "[sweep]") {
  // MSE of the least-squares line, 0.20318064411612635, within 1e-5 relative in float.
  CHECK(median_loss<lecture::Linear>() == Approx(0.20318064411612635).epsilon(1e-5));
}

TEST_CASE("every sweep fit succeeds within 20 000 epochs", "[sweep]") {
  check_budget<lecture::Linear>();
  check_budget<lecture::Relu141>();
  check_budget<lecture::Relu1441>();
  check_budget<lecture::Relu14441>();
  check_budget<lecture::Relu1401>();
  check_budget<lecture::Relu14001>();
  check_budget<lecture::LeakyRelu141>();
  check_budget<lecture::Sigmoid141>();
  check_budget<lecture::Tanh141>();
}

TEST_CASE("every 1-4-1 ReLU fit bends only at its kinks", "[sweep]") {
  for (std::size_t s = 0; s < seed_count; ++s) {
    INFO("seed " << s + 1);
    const auto& relu = sweep<lecture::Relu141>().nets[s];
    const auto& leaky = sweep<lecture::LeakyRelu141>().nets[s];
    CHECK(lecture::count_kinks(relu) <= 4);
    CHECK(lecture::count_kinks(leaky) <= 4);
    CHECK(lecture_support::count_bends_away_from_kinks(relu, 2000, 1e-5f) == 0);
    CHECK(lecture_support::count_bends_away_from_kinks(leaky, 2000, 1e-5f) == 0);
  }
}

TEST_CASE("no sigmoid or tanh fit has linear pieces", "[sweep]") {
  // See test_lecture.cpp: a smooth fit bends all but a few of 99 grid points by over 1e-5.
  for (std::size_t s = 0; s < seed_count; ++s) {
    INFO("seed " << s + 1);
    CHECK(lecture_support::count_bends(sweep<lecture::Sigmoid141>().nets[s], 100, 1e-5f) >= 90);
    CHECK(lecture_support::count_bends(sweep<lecture::Tanh141>().nets[s], 100, 1e-5f) >= 90);
  }
}
