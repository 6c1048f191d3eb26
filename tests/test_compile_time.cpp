// Training inside a constant expression: the compiler fits the demo's 1-4-1 ReLU network and a
// static_assert checks its training MSE, with full-batch Adam and with shuffled mini-batch Sgd. The
// build raises the constant-evaluation limits for this file only (g++ -fconstexpr-ops-limit,
// clang++ -fconstexpr-steps; see the Makefile).
#include <catch2/catch.hpp>

#include <cstddef>

#include <staticmlp/staticmlp.hpp>

#include "../src/sine_recipe.hpp"
#include "test_support.hpp"

namespace {

namespace sm = staticmlp;
using Net = sine_recipe::Net;

// The demo's recipe (seed, initialisation, full-batch Adam and its learning rate) cut to
// `epochs`: 100 epochs take 2 to 3.5 s to evaluate, the recipe's 5000 about 50 times that,
// which is too slow for the test suite.
constexpr std::size_t compile_time_epochs = 100;
// The training MSE after 100 epochs is 0.1361 (run-time fit with g++ 12), down from 1.175.
// Predicting 0 everywhere gives 0.495, the mean of sin^2 over the grid.
constexpr float compile_time_mse_threshold = 0.15f;

constexpr sm::FitResult<float> train_sine(Net& net, std::size_t epochs) {
  constexpr auto data = sm::sine_dataset<float, 100>();
  sm::initialize(net, sine_recipe::seed);
  sm::Adam<Net> optimizer(sine_recipe::learning_rate);
  sm::FitOptions<float> options;
  options.epochs = epochs;
  return sm::fit(net, optimizer, data, options);
}

constexpr Net train_sine_at_compile_time() {
  Net net;
  const auto result = train_sine(net, compile_time_epochs);
  // A failed fit returns a zero network, whose MSE of 0.495 fails the static_assert below.
  return result.ok() && result.epochs == compile_time_epochs ? net : Net{};
}

constexpr auto compile_time_net = train_sine_at_compile_time();
static_assert(sm::mean_squared_error(compile_time_net, sm::sine_dataset<float, 100>()) <
                  compile_time_mse_threshold,
              "the compile-time fit must reach the training MSE threshold");

// Mini-batch Sgd with shuffling, so that the engine's generator also runs at compile time.
// The training MSE after 5 epochs is 0.4225 (run-time fit with g++ 12), down from 1.175.
constexpr std::size_t shuffled_epochs = 5;
constexpr float shuffled_mse_threshold = 0.45f;

constexpr sm::FitResult<float> train_sine_shuffled(Net& net, std::size_t epochs) {
  constexpr auto data = sm::sine_dataset<float, 100>();
  sm::initialize(net, sine_recipe::seed);
  sm::Sgd<Net> optimizer(0.05f);
  sm::FitOptions<float> options;
  options.epochs = epochs;
  options.batch_size = 10;
  options.shuffle = true;
  options.shuffle_seed = 2;
  return sm::fit(net, optimizer, data, options);
}

constexpr Net train_sine_shuffled_at_compile_time() {
  Net net;
  const auto result = train_sine_shuffled(net, shuffled_epochs);
  return result.ok() && result.epochs == shuffled_epochs ? net : Net{};
}

constexpr auto shuffled_net = train_sine_shuffled_at_compile_time();
static_assert(sm::mean_squared_error(shuffled_net, sm::sine_dataset<float, 100>()) <
                  shuffled_mse_threshold,
              "the shuffled compile-time fit must reach its training MSE threshold");

}  // namespace

TEST_CASE("compile-time fit matches run-time fit bit for bit", "[compile_time]") {
  // Read through a volatile so that the optimizer cannot fold the fit into a constant.
  volatile std::size_t epochs = compile_time_epochs;
  Net net;
  const auto result = train_sine(net, epochs);
  REQUIRE(result.ok());
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    INFO("parameter " << i);
    CHECK(test_support::same_bits(net.parameters()[i], compile_time_net.parameters()[i]));
  }
  const float compile_time_mse =
      sm::mean_squared_error(compile_time_net, sm::sine_dataset<float, 100>());
  CHECK(test_support::same_bits(result.final_loss, compile_time_mse));
}

TEST_CASE("shuffled compile-time fit matches run-time fit", "[compile_time]") {
  volatile std::size_t epochs = shuffled_epochs;
  Net net;
  REQUIRE(train_sine_shuffled(net, epochs).ok());
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    INFO("parameter " << i);
    CHECK(test_support::same_bits(net.parameters()[i], shuffled_net.parameters()[i]));
  }
}
