// training.hpp: the in-data initialiser, the cosine learning-rate schedule and the restart
// trainer's seeds, budget and choice of trial.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <string>

#include <staticmlp/staticmlp.hpp>

namespace {

namespace sm = staticmlp;

using Relu141 = sm::Mlp<float, 1, sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;
using Relu14441 = sm::Mlp<float, 1, sm::Dense<4, sm::Relu>, sm::Dense<4, sm::Relu>,
                          sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;
using Tanh121 = sm::Mlp<double, 2, sm::Dense<3, sm::Tanh>, sm::Dense<1, sm::Identity>>;
using Linear = sm::Mlp<float, 1, sm::Dense<1, sm::Identity>>;

constexpr auto sine = sm::sine_dataset<float, 100>();

// A 1-4-1 network's first-layer kinks after initialize_in_data from seed 3.
constexpr std::array<float, 4> initial_kinks() {
  Relu141 net;
  sm::initialize_in_data(net, sine, 3);
  std::array<float, 4> kinks{};
  for (std::size_t j = 0; j < 4; ++j) {
    kinks[j] = -net.bias<0>(j) / net.weight<0>(j, 0);
  }
  return kinks;
}

// Evaluated at compile time, so the initialiser is constexpr and allocates nothing.
constexpr std::array<float, 4> compile_time_kinks = initial_kinks();

constexpr float compile_time_restart_loss() {
  Linear net;
  sm::RestartOptions<float> options;
  options.epochs = 30;
  options.restarts = 2;
  options.trial_epochs = 5;
  return sm::train_with_restarts(net, sine, 1, options).final_loss;
}
constexpr float compile_time_loss = compile_time_restart_loss();

}  // namespace

TEST_CASE("initialize_in_data keeps initialize's weights", "[training]") {
  const Relu14441 plain = sm::initialized<Relu14441>(7);
  Relu14441 placed;
  sm::initialize_in_data(placed, sine, 7);
  for (std::size_t l = 0; l < 4; ++l) {
    INFO("layer " << l);
    const std::size_t offset = Relu14441::layer_offsets[l];
    const std::size_t weights = Relu14441::widths[l] * Relu14441::widths[l + 1];
    for (std::size_t i = offset; i < offset + weights; ++i) {
      CHECK(placed.parameters()[i] == plain.parameters()[i]);
    }
  }
}

TEST_CASE("initialize_in_data spreads kinks one per slice", "[training]") {
  // The data's inputs span [-0.5, 0.5]; unit j's kink lies in [-0.5 + j / 4, -0.5 + (j + 1) / 4].
  for (std::size_t j = 0; j < 4; ++j) {
    INFO("unit " << j);
    const float low = -0.5f + 0.25f * static_cast<float>(j);
    CHECK(compile_time_kinks[j] >= low - 1e-6f);
    CHECK(compile_time_kinks[j] <= low + 0.25f + 1e-6f);
  }
}

TEST_CASE("initialize_in_data leaves no deep unit dead", "[training]") {
  // Every hidden unit of every layer is active on some samples and inactive on others.
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    Relu14441 net;
    sm::initialize_in_data(net, sine, seed);
    std::array<std::size_t, Relu14441::activation_count> active{};
    Relu14441::Activations activations{};
    for (const auto& sample : sine) {
      net.forward(sample.input.data(), activations);
      for (std::size_t a = 0; a < activations.size(); ++a) {
        active[a] += activations[a] > 0.0f ? 1 : 0;
      }
    }
    for (std::size_t a = 0; a < 12; ++a) {
      INFO("seed " << seed << ", hidden unit " << a);
      CHECK(active[a] > 0);
      CHECK(active[a] < sine.size());
    }
  }
}

TEST_CASE("initialize_in_data centres units between samples", "[training]") {
  // With two inputs each tanh unit's pre-activation is positive at one sample, negative at
  // another.
  const std::array<sm::Sample<double, 2, 1>, 3> samples = {
      {{{0.0, 1.0}, {0.0}}, {{2.0, -1.0}, {1.0}}, {{-3.0, 0.5}, {0.0}}}};
  Tanh121 net;
  sm::initialize_in_data(net, samples, 5);
  for (std::size_t j = 0; j < 3; ++j) {
    INFO("unit " << j);
    std::size_t positive = 0;
    for (const auto& sample : samples) {
      const double z = net.bias<0>(j) + net.weight<0>(j, 0) * sample.input[0] +
                       net.weight<0>(j, 1) * sample.input[1];
      positive += z > 0.0 ? 1 : 0;
    }
    CHECK(positive > 0);
    CHECK(positive < samples.size());
  }
}

TEST_CASE("rescale_relu_layer keeps the function", "[training]") {
  Relu14441 original;
  sm::initialize_in_data(original, sine, 4);
  Relu14441 rescaled = original;
  sm::rescale_relu_layer<1>(rescaled, 8.0f);
  // Scaling by 8 and 1 / 8 is exact in binary, so the outputs are too.
  CHECK(rescaled.weight<1>(2, 3) == 8.0f * original.weight<1>(2, 3));
  CHECK(rescaled.bias<1>(2) == 8.0f * original.bias<1>(2));
  CHECK(rescaled.weight<2>(0, 1) == original.weight<2>(0, 1) / 8.0f);
  CHECK(rescaled.bias<2>(0) == original.bias<2>(0));
  for (const auto& sample : sine) {
    INFO("x = " << sample.input[0]);
    CHECK(rescaled.predict(sample.input)[0] == original.predict(sample.input)[0]);
  }
}

TEST_CASE("cosine_learning_rate falls from initial to final", "[training]") {
  CHECK(sm::cosine_learning_rate(0.01, 0.001, 0, 101) == Approx(0.01).epsilon(1e-12));
  CHECK(sm::cosine_learning_rate(0.01, 0.001, 100, 101) == Approx(0.001).epsilon(1e-12));
  // Halfway, cos(pi / 2) = 0: the mean (0.01 + 0.001) / 2 = 0.0055.
  CHECK(sm::cosine_learning_rate(0.01, 0.001, 50, 101) == Approx(0.0055).epsilon(1e-12));
  CHECK(sm::cosine_learning_rate(0.01, 0.001, 25, 101) > 0.0055);
  CHECK(sm::cosine_learning_rate(0.01, 0.001, 0, 1) == 0.001);
}

TEST_CASE("restart_seed keeps seed for restart 0", "[training]") {
  CHECK(sm::restart_seed(42, 0) == 42);
  CHECK(sm::restart_seed(42, 1) != 42);
  CHECK(sm::restart_seed(42, 1) != sm::restart_seed(42, 2));
  CHECK(sm::restart_seed(42, 1) != sm::restart_seed(43, 1));
}

TEST_CASE("train_with_restarts spends exactly the budget", "[training]") {
  sm::RestartOptions<float> options;
  options.epochs = 700;
  options.restarts = 4;
  options.trial_epochs = 100;
  std::size_t calls = 0;
  std::size_t last_epoch = 0;
  Relu141 net;
  const auto result = sm::train_with_restarts(net, sine, 1, options,
                                              [&](std::size_t epoch, float) {
                                                ++calls;
                                                last_epoch = epoch;
                                              });
  REQUIRE(result.ok());
  CHECK(result.epochs == 700);
  CHECK(calls == 700);
  CHECK(last_epoch == 700);
  CHECK(result.final_loss == sm::mean_squared_error(net, sine));
  CHECK(result.final_loss <= result.trial_loss);
}

TEST_CASE("train_with_restarts continues the best trial", "[training]") {
  sm::RestartOptions<float> options;
  options.epochs = 300;
  options.restarts = 3;
  options.trial_epochs = 100;
  Relu141 net;
  const auto result = sm::train_with_restarts(net, sine, 9, options);
  REQUIRE(result.ok());
  CHECK(result.epochs == 300);

  // Rerun each trial by hand: the chosen one has the lowest loss and its seed.
  float lowest = 1e30f;
  std::size_t best = 0;
  for (std::size_t r = 0; r < 3; ++r) {
    Relu141 trial;
    sm::initialize_in_data(trial, sine, sm::restart_seed(9, r));
    sm::rescale_relu_layer<0>(trial, options.kink_scale);
    sm::Adam<Relu141> optimizer(options.learning_rate);
    sm::FitOptions<float> fit_options;
    fit_options.epochs = 100;
    const auto fitted = sm::fit(trial, optimizer, sine, fit_options);
    REQUIRE(fitted.ok());
    if (fitted.final_loss < lowest) {
      lowest = fitted.final_loss;
      best = r;
    }
  }
  CHECK(result.restart == best);
  CHECK(result.seed == sm::restart_seed(9, best));
  CHECK(result.trial_loss == lowest);
}

TEST_CASE("train_with_restarts rejects a budget too small", "[training]") {
  sm::RestartOptions<float> options;
  options.epochs = 999;
  options.restarts = 2;
  options.trial_epochs = 500;
  Relu141 net;
  const auto too_long = sm::train_with_restarts(net, sine, 1, options);
  CHECK(too_long.status.code == sm::StatusCode::restart_options_invalid);
  CHECK(too_long.status.index == 0);
  // 2 restarts * 500 epochs = 1000 > 999.
  CHECK(too_long.status.value == 1000.0);
  CHECK(too_long.epochs == 0);

  options.restarts = 0;
  const auto none = sm::train_with_restarts(net, sine, 1, options);
  CHECK(none.status.code == sm::StatusCode::restart_options_invalid);
  CHECK(none.status.index == 0);
}

TEST_CASE("train_with_restarts rejects bad rates and scales", "[training]") {
  Relu141 net;
  sm::RestartOptions<float> options;
  options.final_learning_rate = -1e-5f;
  const auto negative_rate = sm::train_with_restarts(net, sine, 1, options);
  CHECK(negative_rate.status.code == sm::StatusCode::restart_options_invalid);
  CHECK(negative_rate.status.index == 1);
  CHECK(negative_rate.status.value == static_cast<double>(-1e-5f));
  CHECK(negative_rate.epochs == 0);
  CHECK(std::string(sm::describe(negative_rate.status).c_str()).find("setting 1") !=
        std::string::npos);

  options.final_learning_rate = 1e-5f;
  options.kink_scale = 0.0f;
  const auto zero_scale = sm::train_with_restarts(net, sine, 1, options);
  CHECK(zero_scale.status.code == sm::StatusCode::restart_options_invalid);
  CHECK(zero_scale.status.index == 2);
  CHECK(zero_scale.epochs == 0);
}

TEST_CASE("train_with_restarts reports a failing fit", "[training]") {
  const std::array<sm::Sample<float, 1, 1>, 0> empty{};
  Relu141 net;
  const auto result = sm::train_with_restarts(net, sm::SampleView<float, 1, 1>(empty), 1);
  CHECK(result.status.code == sm::StatusCode::empty_dataset);
}

TEST_CASE("train_with_restarts keeps net on bad input", "[training]") {
  auto data = sine;
  data[3].input[0] = std::numeric_limits<float>::quiet_NaN();
  Relu141 net = sm::initialized<Relu141>(1);
  const Relu141 before = net;
  const auto bad_data = sm::train_with_restarts(net, data, 1);
  CHECK(bad_data.status.code == sm::StatusCode::input_not_finite);
  CHECK(bad_data.status.index == 3);
  CHECK(bad_data.epochs == 0);
  CHECK(std::memcmp(&net, &before, sizeof(Relu141)) == 0);

  sm::RestartOptions<float> options;
  options.learning_rate = -0.01f;
  const auto bad_rate = sm::train_with_restarts(net, sine, 1, options);
  CHECK(bad_rate.status.code == sm::StatusCode::learning_rate_invalid);
  CHECK(std::memcmp(&net, &before, sizeof(Relu141)) == 0);
}

TEST_CASE("train_with_restarts runs at compile time", "[training]") {
  Linear net;
  sm::RestartOptions<float> options;
  options.epochs = 30;
  options.restarts = 2;
  options.trial_epochs = 5;
  const auto result = sm::train_with_restarts(net, sine, 1, options);
  REQUIRE(result.ok());
  CHECK(compile_time_loss == result.final_loss);
}

TEST_CASE("restart budget overflow is rejected") {
  // restarts * trial_epochs = 2^64 wraps to 0 in std::size_t; it must not pass the budget.
  using Net = sm::Mlp<float, 1, sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;
  constexpr auto data = sm::sine_dataset<float, 20>();
  Net net;
  sm::RestartOptions<float> options;
  options.epochs = 10;
  options.restarts = std::size_t{1} << 63;
  options.trial_epochs = 2;
  const auto result = sm::train_with_restarts(net, data, 1, options);
  CHECK(result.status.code == sm::StatusCode::restart_options_invalid);
  CHECK(result.status.index == 0);
  CHECK(result.epochs == 0);
}

TEST_CASE("progress false stops every restart") {
  using Net = sm::Mlp<float, 1, sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;
  constexpr auto data = sm::sine_dataset<float, 20>();
  Net net;
  sm::RestartOptions<float> options;
  options.epochs = 40;
  options.restarts = 4;
  options.trial_epochs = 5;
  std::size_t calls = 0;
  const auto result = sm::train_with_restarts(net, data, 1, options, [&](std::size_t, float) {
    ++calls;
    return false;
  });
  CHECK(result.ok());
  CHECK(calls == 1);
  CHECK(result.epochs == 1);
  CHECK(std::isfinite(sm::mean_squared_error(net, data)));
}

TEST_CASE("train_with_restarts rejects an overflowing kink scale", "[training]") {
  // 3e38 overflows the scaled first layer, 1e-45 (a subnormal) its inverse in the second.
  for (const float scale : {3e38f, 1e-45f}) {
    INFO("kink_scale " << scale);
    Relu141 net = sm::initialized<Relu141>(5);
    const Relu141 before = net;
    sm::RestartOptions<float> options;
    options.epochs = 20;
    options.restarts = 1;
    options.trial_epochs = 10;
    options.kink_scale = scale;
    const auto result = sm::train_with_restarts(net, sine, 1, options);
    CHECK(result.status.code == sm::StatusCode::restart_options_invalid);
    CHECK(result.status.index == 2);
    CHECK(result.status.value == static_cast<double>(scale));
    CHECK(result.epochs == 0);
    CHECK(std::memcmp(net.parameters().data(), before.parameters().data(),
                      sizeof(float) * Relu141::parameter_count) == 0);
  }
}

TEST_CASE("failed trial keeps the best finished trial", "[training]") {
  // At learning rate 16 the eighth trial diverges on 20 sine points. The first failure ends the
  // run; the network then contains the best of the trials that finished before it, whose MSE
  // the result reports.
  constexpr auto short_sine = sm::sine_dataset<float, 20>();
  sm::RestartOptions<float> options;
  options.learning_rate = 16.0f;
  options.epochs = 400;
  options.restarts = 8;
  options.trial_epochs = 50;
  Relu141 net = sm::initialized<Relu141>(5);
  const Relu141 before = net;
  const auto result = sm::train_with_restarts(net, short_sine, 3, options);
  REQUIRE(!result.ok());
  REQUIRE(result.epochs > options.trial_epochs);  // at least one trial finished first
  CHECK(result.trial_loss == sm::mean_squared_error(net, short_sine));
  CHECK(result.final_loss == result.trial_loss);
  for (const float value : net.parameters()) {
    CHECK(std::isfinite(value));
  }

  // When the very first trial fails, the caller's network comes back unchanged.
  options.learning_rate = 1e30f;
  options.epochs = 100;
  options.restarts = 2;
  options.trial_epochs = 10;
  Relu141 first = before;
  const auto failed = sm::train_with_restarts(first, short_sine, 3, options);
  REQUIRE(!failed.ok());
  CHECK(failed.epochs <= options.trial_epochs);
  CHECK(std::memcmp(first.parameters().data(), before.parameters().data(),
                    sizeof(float) * Relu141::parameter_count) == 0);
  CHECK(failed.final_loss == sm::mean_squared_error(before, short_sine));
}

TEST_CASE("tied trials keep the first", "[training]") {
  // With every input 0 only the output bias learns, the same way from every seed, so all trials
  // end with the same loss and the first one must be kept.
  const std::array<Linear::SampleType, 2> data = {{{{0.0f}, {1.0f}}, {{0.0f}, {-0.5f}}}};
  Linear net;
  sm::RestartOptions<float> options;
  options.epochs = 6;
  options.restarts = 3;
  options.trial_epochs = 2;
  const auto result = sm::train_with_restarts(net, data, 42, options);
  REQUIRE(result.ok());
  CHECK(result.restart == 0);
  CHECK(result.seed == 42);
}

TEST_CASE("restarts follow the cosine schedule", "[training]") {
  // One restart, then the final stretch replayed one epoch per fit() call with the learning
  // rate that the schedule gives that epoch, which is cosine_learning_rate(k) for the k-th
  // (0-based) epoch.
  constexpr auto short_sine = sm::sine_dataset<float, 20>();
  sm::RestartOptions<float> options;
  options.restarts = 1;
  options.trial_epochs = 10;
  options.epochs = 30;
  options.learning_rate = 0.05f;
  options.final_learning_rate = 0.001f;
  Relu141 trained;
  const auto result = sm::train_with_restarts(trained, short_sine, 5, options);
  REQUIRE(result.ok());
  REQUIRE(result.epochs == 30);

  Relu141 replay;
  sm::initialize_in_data(replay, short_sine, 5);
  sm::rescale_relu_layer<0>(replay, options.kink_scale);
  sm::Adam<Relu141> adam(options.learning_rate);
  sm::FitOptions<float> fit_options;
  fit_options.epochs = options.trial_epochs;
  REQUIRE(sm::fit(replay, adam, short_sine, fit_options).ok());
  const std::size_t remaining = options.epochs - options.trial_epochs;
  fit_options.epochs = 1;
  for (std::size_t k = 0; k < remaining; ++k) {
    // Epoch 0 keeps the trial's rate as set, which the cosine may round differently.
    if (k > 0) {
      adam.learning_rate = sm::cosine_learning_rate(options.learning_rate,
                                                    options.final_learning_rate, k, remaining);
    }
    REQUIRE(sm::fit(replay, adam, short_sine, fit_options).ok());
  }
  CHECK(replay.parameters() == trained.parameters());
}
