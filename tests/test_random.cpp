// The generator's published values, its uniform and bounded mappings, shuffling, and the
// initialisers' ranges and reproducibility across compilers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <set>

#include "test_support.hpp"

namespace sm = staticmlp;

TEST_CASE("splitmix64 published values from seed 0") {
  // The reference sequence of SplitMix64 (Steele, Lea and Flood) seeded with 0.
  sm::SplitMix64 generator(0);
  CHECK(generator.next() == 0xE220A8397B1DCDAFULL);
  CHECK(generator.next() == 0x6E789E6AA1B965F4ULL);
  CHECK(generator.next() == 0x06C45D188009454FULL);
}

TEST_CASE("splitmix64 in a constant expression") {
  constexpr std::uint64_t first = sm::SplitMix64(0).next();
  static_assert(first == 0xE220A8397B1DCDAFULL);
  CHECK(first == 0xE220A8397B1DCDAFULL);
}

TEST_CASE("uniform uses the top bits") {
  // 0xE220A8397B1DCDAF >> 40 = 0xE220A8 = 14819496; / 2^24 = 0.88330316543579102.
  sm::SplitMix64 generator(0);
  CHECK(generator.uniform<float>() == 14819496.0f / 16777216.0f);
  // 0x6E789E6AA1B965F4 >> 11, / 2^53.
  const double expected = static_cast<double>(0x6E789E6AA1B965F4ULL >> 11) / 9007199254740992.0;
  CHECK(generator.uniform<double>() == expected);
}

TEST_CASE("uniform stays in the half-open interval") {
  sm::SplitMix64 generator(42);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    const float u = generator.uniform<float>();
    REQUIRE(u >= 0.0f);
    REQUIRE(u < 1.0f);
    sum += u;
  }
  // Mean of 1e5 uniforms: 0.5 with standard error 0.29 / sqrt(1e5) = 0.0009.
  CHECK(sum / 100000 == Approx(0.5).margin(0.005));
}

TEST_CASE("normal has mean zero and unit variance") {
  sm::SplitMix64 generator(7);
  double sum = 0;
  double sum_squares = 0;
  constexpr int count = 100000;
  for (int i = 0; i < count; ++i) {
    const double z = generator.normal<double>();
    REQUIRE(std::isfinite(z));
    sum += z;
    sum_squares += z * z;
  }
  CHECK(sum / count == Approx(0.0).margin(0.02));
  CHECK(sum_squares / count == Approx(1.0).margin(0.02));
}

TEST_CASE("bounded integers are unbiased") {
  sm::SplitMix64 generator(3);
  std::array<int, 6> counts{};
  for (int i = 0; i < 60000; ++i) {
    const std::uint64_t value = generator.below(6);
    REQUIRE(value < 6);
    ++counts[value];
  }
  // Each face expects 10000 with standard deviation 91.
  for (int count : counts) {
    CHECK(count == Approx(10000).margin(500));
  }
}

TEST_CASE("shuffle is a permutation and depends on the seed") {
  std::array<std::uint32_t, 100> order{};
  for (std::uint32_t i = 0; i < 100; ++i) {
    order[i] = i;
  }
  auto first = order;
  auto second = order;
  sm::SplitMix64 a(1);
  sm::SplitMix64 b(2);
  sm::shuffle(first.data(), first.size(), a);
  sm::shuffle(second.data(), second.size(), b);
  CHECK(first != order);
  CHECK(first != second);
  std::sort(first.begin(), first.end());
  CHECK(first == order);
}

TEST_CASE("he uniform range for relu layers") {
  using Net = sm::Mlp<double, 1, sm::Dense<400, sm::Relu>, sm::Dense<1, sm::Identity>>;
  const Net net = sm::initialized<Net>(5);
  // Layer 1: fan_in 1, limit sqrt(6); layer 2 (identity): Glorot, sqrt(6 / 401).
  const double he_limit = std::sqrt(6.0);
  const double glorot_limit = std::sqrt(6.0 / 401.0);
  double largest_first = 0;
  for (std::size_t i = 0; i < 400; ++i) {
    REQUIRE(std::fabs(net.weight<0>(i, 0)) <= he_limit);
    largest_first = std::fmax(largest_first, std::fabs(net.weight<0>(i, 0)));
    CHECK(net.bias<0>(i) == 0.0);
    REQUIRE(std::fabs(net.weight<1>(0, i)) <= glorot_limit);
  }
  // 400 draws cover the range: the largest is within 5 % of the limit.
  CHECK(largest_first > 0.95 * he_limit);
  CHECK(net.bias<1>(0) == 0.0);
}

TEST_CASE("first weight follows the generator") {
  // Seed 1, layer 1 of a 1-4-1 ReLU net: w = -sqrt(6) + 2 sqrt(6) * (top 24 bits / 2^24).
  using Net = test_support::Relu141;
  const Net net = sm::initialized<Net>(1);
  sm::SplitMix64 generator(1);
  const float u = static_cast<float>(generator.next() >> 40) / 16777216.0f;
  const float limit = sm::sqrt(6.0f);
  CHECK(net.parameters()[0] == -limit + (limit - -limit) * u);
}

TEST_CASE("seed one weights are the same on every compiler") {
  // Recorded with g++ 12.2; the suite also runs with clang++ 14, which must give the same bits.
  constexpr std::array<std::uint32_t, 13> golden = {
      0x3EA6F468u, 0x3F9A1F48u, 0x4013ACF9u, 0xBE8B9008u, 0x00000000u, 0x00000000u, 0x00000000u,
      0x00000000u, 0xBDFA14D0u, 0x3F1372F2u, 0x3F53A48Cu, 0x3D4F00A0u, 0x00000000u};
  const auto net = sm::initialized<test_support::Relu141>(1);
  for (std::size_t i = 0; i < golden.size(); ++i) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &net.parameters()[i], sizeof bits);
    INFO("parameter " << i);
    CHECK(bits == golden[i]);
  }
  // The same initialisation evaluated by the compiler.
  constexpr auto at_compile_time = sm::initialized<test_support::Relu141>(1);
  CHECK(at_compile_time.parameters() == net.parameters());
}

TEST_CASE("different seeds give different weights") {
  const auto a = sm::initialized<test_support::Relu141>(1);
  const auto b = sm::initialized<test_support::Relu141>(2);
  CHECK(a.parameters() != b.parameters());
}

TEST_CASE("shuffle reaches every order of three") {
  // 600 seeds give each of the 3! orders about 100 times; a shuffle that never swaps the first
  // two positions would give only 3 of them.
  std::set<std::array<int, 3>> seen;
  for (std::uint64_t seed = 0; seed < 600; ++seed) {
    std::array<int, 3> order = {0, 1, 2};
    sm::SplitMix64 generator(seed);
    sm::shuffle(order.data(), order.size(), generator);
    seen.insert(order);
  }
  CHECK(seen.size() == 6);
}

TEST_CASE("normal stays finite when uniform is zero") {
  // This seed's first output is 0 (seed + golden gamma = 2^64 wraps the state to 0, whose mix
  // is 0), so its first uniform is exactly 0 and Box-Muller must take log(1 - 0), not log(0).
  sm::SplitMix64 probe(0x61C8864680B583EBULL);
  REQUIRE(probe.next() == 0);
  sm::SplitMix64 generator(0x61C8864680B583EBULL);
  const double value = generator.normal<double>();
  CHECK(std::isfinite(value));
  CHECK(value == 0.0);
}

TEST_CASE("bounded integers are unbiased near 2^64") {
  // For bound = 3 * 2^62, 2^64 mod bound is 2^62. Without rejecting the values below it, the
  // values under 2^62 come up half the time instead of a third.
  constexpr std::uint64_t bound = 3ULL << 62;
  sm::SplitMix64 generator(11);
  int low = 0;
  constexpr int draws = 30000;
  for (int i = 0; i < draws; ++i) {
    const std::uint64_t value = generator.below(bound);
    REQUIRE(value < bound);
    low += value < (1ULL << 62) ? 1 : 0;
  }
  // A third is 10000, with a standard deviation of 82.
  CHECK(low == Approx(10000).margin(500));
}
