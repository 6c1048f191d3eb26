// fit(): the batching modes, early stop, progress, and every error status with the network
// left finite and restored.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "../src/sine_recipe.hpp"
#include "test_support.hpp"

namespace sm = staticmlp;
using Net = test_support::Relu141;

namespace {
constexpr auto sine = sm::sine_dataset<float, 100>();
constexpr float not_a_number = std::numeric_limits<float>::quiet_NaN();
constexpr float infinity = std::numeric_limits<float>::infinity();

bool all_finite(const Net& net) {
  for (float p : net.parameters()) {
    if (!std::isfinite(p)) {
      return false;
    }
  }
  return true;
}
}  // namespace

TEST_CASE("demo recipe reaches its threshold") {
  Net net;
  const auto result = sine_recipe::train(net);
  REQUIRE(result.ok());
  CHECK(result.epochs == sine_recipe::epochs);
  CHECK(result.final_loss < sine_recipe::mse_threshold);
  CHECK(result.final_loss == sm::mean_squared_error(net, sine));
  CHECK(result.final_loss < result.initial_loss);
}

namespace {
template <class Activation>
void check_loss_falls(std::size_t batch_size) {
  using Model = sm::Mlp<float, 1, sm::Dense<8, Activation>, sm::Dense<1, sm::Identity>>;
  Model net = sm::initialized<Model>(4);
  sm::Adam<Model> adam(0.01f);
  sm::FitOptions<float> options;
  options.epochs = 200;
  options.batch_size = batch_size;
  options.shuffle = batch_size != sm::full_batch;
  options.shuffle_seed = 9;
  const auto result = sm::fit(net, adam, sine, options);
  REQUIRE(result.ok());
  CHECK(result.final_loss < result.initial_loss);
}
}  // namespace

TEST_CASE("loss falls for every activation and mode") {
  for (std::size_t batch : {sm::full_batch, std::size_t{1}, std::size_t{10}}) {
    INFO("batch size " << batch);
    check_loss_falls<sm::Identity>(batch);
    check_loss_falls<sm::Relu>(batch);
    check_loss_falls<sm::LeakyRelu<>>(batch);
    check_loss_falls<sm::Sigmoid>(batch);
    check_loss_falls<sm::Tanh>(batch);
  }
}

TEST_CASE("full batch equals manual gradient steps") {
  Net fitted = sm::initialized<Net>(2);
  Net manual = fitted;
  sm::Sgd<Net> sgd(0.05f);
  sm::FitOptions<float> options;
  options.epochs = 3;
  const auto result = sm::fit(fitted, sgd, sine, options);
  REQUIRE(result.ok());
  for (int step = 0; step < 3; ++step) {
    const auto g = sm::gradient(manual, sine);
    for (std::size_t i = 0; i < Net::parameter_count; ++i) {
      manual.parameters()[i] -= 0.05f * g[i];
    }
  }
  CHECK(fitted.parameters() == manual.parameters());
}

TEST_CASE("shuffling changes the order but not the data") {
  Net shuffled = sm::initialized<Net>(2);
  Net ordered = shuffled;
  Net reshuffled = shuffled;
  sm::Sgd<Net> sgd(0.01f);
  sm::FitOptions<float> options;
  options.epochs = 2;
  options.batch_size = 1;
  REQUIRE(sm::fit(ordered, sgd, sine, options).ok());
  options.shuffle = true;
  options.shuffle_seed = 5;
  REQUIRE(sm::fit(shuffled, sgd, sine, options).ok());
  REQUIRE(sm::fit(reshuffled, sgd, sine, options).ok());
  CHECK(shuffled.parameters() != ordered.parameters());
  // The same seed gives the same order, so the same result.
  CHECK(shuffled.parameters() == reshuffled.parameters());
}

TEST_CASE("early stop at the target loss") {
  Net net = sm::initialized<Net>(1);
  sm::Adam<Net> adam(0.01f);
  sm::FitOptions<float> options;
  options.epochs = 5000;
  options.target_loss = 0.05f;
  std::size_t calls = 0;
  const auto result = sm::fit(net, adam, sine, options, [&](std::size_t, float) { ++calls; });
  REQUIRE(result.ok());
  CHECK(result.reached_target);
  CHECK(result.epochs < 5000);
  CHECK(result.final_loss <= 0.05f);
  // Full batch stops before applying the update of the epoch whose loss reached the target.
  CHECK(calls == result.epochs);
}

TEST_CASE("progress sees every epoch and can stop") {
  Net net = sm::initialized<Net>(1);
  sm::Sgd<Net> sgd(0.01f);
  sm::FitOptions<float> options;
  options.epochs = 50;
  std::size_t last_epoch = 0;
  float last_loss = 0;
  const auto stop_after_ten = [&](std::size_t epoch, float loss) {
    last_epoch = epoch;
    last_loss = loss;
    return epoch < 10;
  };
  const auto result = sm::fit(net, sgd, sine, options, stop_after_ten);
  REQUIRE(result.ok());
  CHECK(last_epoch == 10);
  CHECK(result.epochs == 10);
  CHECK(last_loss > 0);
}

TEST_CASE("empty data set is rejected") {
  Net net = sm::initialized<Net>(1);
  const Net before = net;
  sm::Sgd<Net> sgd(0.1f);
  const auto result = sm::fit(net, sgd, sm::SampleView<float, 1, 1>(), {});
  CHECK(result.status.code == sm::StatusCode::empty_dataset);
  CHECK(net.parameters() == before.parameters());
}

TEST_CASE("non-finite input names the sample") {
  auto data = sine;
  data[37].input[0] = not_a_number;
  Net net = sm::initialized<Net>(1);
  const Net before = net;
  sm::Sgd<Net> sgd(0.1f);
  const auto result = sm::fit(net, sgd, data);
  CHECK(result.status.code == sm::StatusCode::input_not_finite);
  CHECK(result.status.index == 37);
  CHECK(std::isnan(result.status.value));
  CHECK(net.parameters() == before.parameters());
  CHECK(std::string(sm::describe(result.status).c_str()).find("sample 37") != std::string::npos);
}

TEST_CASE("description writes nan without a sign") {
  // A NaN's sign bit depends on the compiler's operand order, so the text leaves it out.
  const sm::Status status = sm::make_status(sm::StatusCode::loss_not_finite, 3,
                                            -std::numeric_limits<double>::quiet_NaN());
  REQUIRE(std::signbit(status.value));
  const std::string text = sm::describe(status).c_str();
  CHECK(text.find("(epoch 3, value nan)") != std::string::npos);
  CHECK(text.find("-nan") == std::string::npos);
}

TEST_CASE("infinite target names the sample") {
  auto data = sine;
  data[99].target[0] = -infinity;
  Net net = sm::initialized<Net>(1);
  sm::Sgd<Net> sgd(0.1f);
  const auto result = sm::fit(net, sgd, data);
  CHECK(result.status.code == sm::StatusCode::target_not_finite);
  CHECK(result.status.index == 99);
  CHECK(result.status.value == -std::numeric_limits<double>::infinity());
}

TEST_CASE("invalid learning rates are rejected") {
  for (float rate : {0.0f, -0.1f, not_a_number, infinity}) {
    INFO("learning rate " << rate);
    Net net = sm::initialized<Net>(1);
    const Net before = net;
    sm::Sgd<Net> sgd(rate);
    const auto result = sm::fit(net, sgd, sine);
    CHECK(result.status.code == sm::StatusCode::learning_rate_invalid);
    CHECK(net.parameters() == before.parameters());
    CHECK(test_support::same_bits(static_cast<float>(result.status.value), rate));
    sm::Adam<Net> adam(rate);
    CHECK(sm::fit(net, adam, sine).status.code == sm::StatusCode::learning_rate_invalid);
  }
  const auto message = sm::describe(sm::make_status(sm::StatusCode::learning_rate_invalid, 0, -0.1));
  CHECK(std::string(message.c_str()) ==
        "the learning rate must be positive and finite (value -0.1)");
  // A float setting is named as written, not as its widening to double.
  Net net = sm::initialized<Net>(1);
  sm::Sgd<Net> sgd(-0.1f);
  CHECK(std::string(sm::describe(sm::fit(net, sgd, sine).status).c_str()) ==
        "the learning rate must be positive and finite (value -0.1)");
  // A double that no float represents keeps all its digits.
  const auto precise = sm::make_status(sm::StatusCode::learning_rate_invalid, 0, -0.3);
  CHECK(std::string(sm::describe(precise).c_str()).find("value -0.3)") != std::string::npos);
  const auto widened = sm::make_status(sm::StatusCode::learning_rate_invalid, 0,
                                       static_cast<double>(-0.3f) + 1e-12);
  CHECK(std::string(sm::describe(widened).c_str()).find("value -0.3000000119") !=
        std::string::npos);
  CHECK(std::string(sm::describe(sm::make_status(sm::StatusCode::learning_rate_invalid, 0,
                                                 1e300)).c_str())
            .find("value 1e+300)") != std::string::npos);
}

TEST_CASE("invalid adam settings are rejected") {
  Net net;
  sm::Adam<Net> adam(0.01f);
  adam.beta1 = 1.0f;
  CHECK(sm::fit(net, adam, sine).status.code == sm::StatusCode::hyperparameter_invalid);
  adam.beta1 = 0.9f;
  adam.beta2 = -0.5f;
  const auto result = sm::fit(net, adam, sine);
  CHECK(result.status.code == sm::StatusCode::hyperparameter_invalid);
  CHECK(result.status.index == 1);
  adam.beta2 = 0.999f;
  adam.epsilon = 0.0f;
  CHECK(sm::fit(net, adam, sine).status.code == sm::StatusCode::hyperparameter_invalid);
}

TEST_CASE("non-finite loss restores the last finite parameters") {
  // A learning rate of 1e6 blows the weights up within a few full-batch steps.
  Net net = sm::initialized<Net>(1);
  sm::Sgd<Net> sgd(1e6f);
  sm::FitOptions<float> options;
  options.epochs = 100;
  options.divergence_factor = 0;  // only the non-finite check
  std::size_t seen = 0;
  const auto result = sm::fit(net, sgd, sine, options, [&](std::size_t epoch, float) {
    seen = epoch;
  });
  CHECK(result.status.code == sm::StatusCode::loss_not_finite);
  CHECK(result.status.index > 0);
  CHECK(all_finite(net));
  CHECK(std::isfinite(result.final_loss));
  CHECK(result.final_loss == sm::mean_squared_error(net, sine));
  // The failing epoch is the one after the last reported one.
  CHECK(seen + 1 == result.status.index);
}

TEST_CASE("divergence stops before non-finite values") {
  Net net = sm::initialized<Net>(1);
  sm::Sgd<Net> sgd(1e6f);
  sm::FitOptions<float> options;
  options.epochs = 100;
  const auto result = sm::fit(net, sgd, sine, options);
  CHECK(result.status.code == sm::StatusCode::loss_diverged);
  CHECK(result.status.value > 1e6 * static_cast<double>(result.initial_loss));
  CHECK(all_finite(net));
  CHECK(result.final_loss <= 1e6f * result.initial_loss);
}

TEST_CASE("near-exact start is not divergence") {
  // Three points that a 2-8-1 tanh network fits almost exactly. Adam's first steps move every
  // parameter by about its learning rate however small the gradient, so the loss rises from
  // near 0 to an ordinary size. Measured against the initial loss alone, that counted as
  // divergence; against the loss of predicting 0 (here 1/6) it does not.
  using Small = sm::Mlp<float, 2, sm::Dense<8, sm::Tanh>, sm::Dense<1, sm::Identity>>;
  const std::array<Small::SampleType, 3> points = {
      {{{0.0f, 1.0f}, {0.5f}}, {{1.0f, 0.0f}, {-0.5f}}, {{1.0f, 1.0f}, {0.0f}}}};
  Small net = sm::initialized<Small>(1);
  sm::Momentum<Small> momentum(0.05f, 0.9f);
  sm::FitOptions<float> options;
  options.epochs = 500;
  options.batch_size = 1;
  const auto first = sm::fit(net, momentum, points, options);
  REQUIRE(first.ok());
  REQUIRE(first.final_loss < 1e-12f);

  sm::Adam<Small> adam(0.01f);
  const auto resumed = sm::fit(net, adam, points, options);
  INFO(sm::describe(resumed.status).c_str());
  CHECK(resumed.ok());
  CHECK(resumed.epochs == 500);

  // A real divergence from the same start is still caught, before any value is non-finite.
  Small start = net;
  sm::Sgd<Small> huge(1e4f);
  const auto diverged = sm::fit(start, huge, points, options);
  CHECK(diverged.status.code == sm::StatusCode::loss_diverged);
  CHECK(diverged.status.value > 1e6 / 6.0);
}

TEST_CASE("huge targets keep a finite divergence limit") {
  // The mean squared target, about 4.7e34, times the default factor 1e6 overflows float. The
  // limit then falls back to 1e6 times the initial loss (4.7e26), so that a learning rate far
  // too large still ends in loss_diverged rather than running on to loss_not_finite.
  using Linear = sm::Mlp<float, 1, sm::Dense<1, sm::Identity>>;
  const std::array<Linear::SampleType, 3> huge = {
      {{{1.0f}, {1e17f}}, {{2.0f}, {2e17f}}, {{3.0f}, {3e17f}}}};
  Linear net({1.0001e17f, 0.0f});
  sm::Sgd<Linear> sgd(1.0f);
  sm::FitOptions<float> options;
  options.epochs = 20;
  options.target_loss = -std::numeric_limits<float>::infinity();
  const auto result = sm::fit(net, sgd, huge, options);
  CHECK(result.status.code == sm::StatusCode::loss_diverged);
  CHECK(result.status.value > 1e6 * static_cast<double>(result.initial_loss));
  CHECK(result.final_loss <= 1e6f * result.initial_loss);
}

TEST_CASE("per-sample failure restores the epoch start") {
  Net net = sm::initialized<Net>(1);
  sm::Sgd<Net> sgd(1e5f);
  sm::FitOptions<float> options;
  options.epochs = 50;
  options.batch_size = 1;
  options.divergence_factor = 0;
  const auto result = sm::fit(net, sgd, sine, options);
  CHECK(result.status.code == sm::StatusCode::loss_not_finite);
  CHECK(all_finite(net));
}

TEST_CASE("shuffling a view needs an index buffer") {
  Net net = sm::initialized<Net>(1);
  sm::Sgd<Net> sgd(0.01f);
  sm::FitOptions<float> options;
  options.epochs = 2;
  options.batch_size = 4;
  options.shuffle = true;
  const sm::SampleView<float, 1, 1> view(sine.data(), sine.size());
  CHECK(sm::fit(net, sgd, view, options).status.code == sm::StatusCode::shuffle_buffer_missing);
  std::array<std::uint32_t, 100> order{};
  CHECK(sm::fit(net, sgd, view, options, sm::NoProgress{}, order.data()).ok());
}

TEST_CASE("one shuffled sample needs no index buffer") {
  // Per-sample training of a single sample has one order, so fit() must not write one.
  Net shuffled = sm::initialized<Net>(1);
  Net in_order = shuffled;
  sm::Sgd<Net> sgd(0.1f);
  sm::Sgd<Net> sgd_in_order(0.1f);
  sm::FitOptions<float> options;
  options.epochs = 3;
  options.batch_size = 1;
  options.shuffle = true;
  const sm::SampleView<float, 1, 1> one(sine.data() + 7, 1);
  REQUIRE(sm::fit(shuffled, sgd, one, options).ok());
  options.shuffle = false;
  REQUIRE(sm::fit(in_order, sgd_in_order, one, options).ok());
  CHECK(std::memcmp(&shuffled, &in_order, sizeof(Net)) == 0);
}

TEST_CASE("non-finite starting parameter is named") {
  Net net = sm::initialized<Net>(1);
  net.parameters()[5] = not_a_number;
  const Net before = net;
  sm::Sgd<Net> sgd(0.01f);
  const auto result = sm::fit(net, sgd, sine);
  CHECK(result.status.code == sm::StatusCode::initial_parameters_not_finite);
  CHECK(result.status.index == 5);
  CHECK(result.epochs == 0);
  CHECK(std::memcmp(&net, &before, sizeof(Net)) == 0);
  const std::string text = sm::describe(result.status).c_str();
  CHECK(text.find("before training") != std::string::npos);
  CHECK(text.find("(parameter 5, value nan)") != std::string::npos);
}

TEST_CASE("overflowing starting loss is reported") {
  // Finite targets whose squared error overflows float.
  auto data = sine;
  for (auto& sample : data) {
    sample.target[0] = 3e38f;
  }
  Net net = sm::initialized<Net>(1);
  const Net before = net;
  sm::Sgd<Net> sgd(0.01f);
  const auto result = sm::fit(net, sgd, data);
  CHECK(result.status.code == sm::StatusCode::initial_loss_not_finite);
  CHECK(std::isinf(result.status.value));
  CHECK(std::memcmp(&net, &before, sizeof(Net)) == 0);
  const std::string text = sm::describe(result.status).c_str();
  CHECK(text.find("scale the data down") != std::string::npos);
  CHECK(text.find("(value inf)") != std::string::npos);
}

TEST_CASE("parameter overflow names its epoch") {
  // One sample with a finite loss of 16 whose first update makes the weights infinite.
  using Linear = sm::Mlp<float, 1, sm::Dense<4, sm::Identity>, sm::Dense<1, sm::Identity>>;
  Linear net{};
  for (std::size_t i = 0; i < 4; ++i) {
    net.parameters()[4 + i] = 1.0f;  // hidden biases
    net.parameters()[8 + i] = 1.0f;  // output weights
  }
  const Linear before = net;
  std::array<Linear::SampleType, 1> data{};
  data[0].input[0] = 1e10f;
  data[0].target[0] = 0.0f;
  sm::Sgd<Linear> sgd(1e37f);
  sm::FitOptions<float> options;
  options.epochs = 5;
  options.batch_size = 1;
  const auto result = sm::fit(net, sgd, data, options);
  CHECK(result.status.code == sm::StatusCode::parameters_not_finite);
  CHECK(result.status.index == 1);
  CHECK(std::isinf(result.status.value));
  CHECK(result.epochs == 0);
  CHECK(result.final_loss == 16.0f);
  CHECK(std::memcmp(&net, &before, sizeof(Linear)) == 0);
}

TEST_CASE("training in a constant expression") {
  // 20 full-batch Adam epochs on 10 points, evaluated by the compiler.
  constexpr auto trained = [] {
    constexpr auto data = sm::sine_dataset<float, 10>();
    Net net = sm::initialized<Net>(1);
    sm::Adam<Net> adam(0.01f);
    sm::FitOptions<float> options;
    options.epochs = 20;
    const auto result = sm::fit(net, adam, data, options);
    return std::pair<Net, sm::FitResult<float>>{net, result};
  }();
  static_assert(trained.second.ok());
  static_assert(trained.second.final_loss < trained.second.initial_loss);
  CHECK(trained.second.epochs == 20);
}

TEST_CASE("constant evaluation rejects bad data too") {
  constexpr auto code = [] {
    auto data = sm::sine_dataset<float, 10>();
    data[3].target[0] = std::numeric_limits<float>::infinity();
    Net net;
    sm::Sgd<Net> sgd(0.1f);
    return sm::fit(net, sgd, data).status.code;
  }();
  static_assert(code == sm::StatusCode::target_not_finite);
  CHECK(code == sm::StatusCode::target_not_finite);
}

namespace {
template <class Activation>
constexpr bool trains_at_compile_time() {
  using Model = sm::Mlp<double, 1, sm::Dense<3, Activation>, sm::Dense<1, sm::Identity>>;
  constexpr auto data = sm::sine_dataset<double, 5>();
  Model net = sm::initialized<Model>(2);
  sm::Adam<Model> adam(0.05);
  sm::FitOptions<double> options;
  options.epochs = 5;
  const auto result = sm::fit(net, adam, data, options);
  return result.ok() && result.final_loss < result.initial_loss;
}
}  // namespace

TEST_CASE("every activation trains in a constant expression") {
  static_assert(trains_at_compile_time<sm::Identity>());
  static_assert(trains_at_compile_time<sm::Relu>());
  static_assert(trains_at_compile_time<sm::LeakyRelu<1, 10>>());
  static_assert(trains_at_compile_time<sm::Sigmoid>());
  static_assert(trains_at_compile_time<sm::Tanh>());
  CHECK(trains_at_compile_time<sm::Tanh>());
}

namespace {
// Checks what a failed fit must leave: finite parameters whose loss is finite and below `limit`,
// with final_loss equal to that loss.
template <class Model, std::size_t N>
void check_restored(const Model& net, const sm::FitResult<typename Model::Scalar>& result,
                    const std::array<typename Model::SampleType, N>& data, double limit) {
  CHECK(!result.ok());
  for (auto p : net.parameters()) {
    REQUIRE(std::isfinite(p));
  }
  const auto loss = sm::mean_squared_error(net, data);
  CHECK(std::isfinite(loss));
  CHECK(result.final_loss == loss);
  CHECK(static_cast<double>(loss) <= limit);
}
}  // namespace

TEST_CASE("full-batch failure never keeps nan weights") {
  // Learning rate 1e15 overflows the weights within a few steps; before NaN propagated through
  // ReLU, this left NaN weights behind a finite loss.
  using Model = sm::Mlp<double, 1, sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;
  const auto data = sm::sine_dataset<double, 10>();
  Model net = sm::initialized<Model>(1);
  sm::Sgd<Model> sgd(1e15);
  sm::FitOptions<double> options;
  options.epochs = 30;
  options.divergence_factor = 0;
  const auto result = sm::fit(net, sgd, data, options);
  check_restored(net, result, data, std::numeric_limits<double>::infinity());
}

TEST_CASE("per-sample failure restores a finite loss") {
  using Model = test_support::Relu141;
  const auto data = sm::sine_dataset<float, 10>();
  Model net = sm::initialized<Model>(1);
  sm::Momentum<Model> momentum(3.0f, 0.9f);
  sm::FitOptions<float> options;
  options.epochs = 30;
  options.batch_size = 1;
  options.divergence_factor = 0;
  const auto result = sm::fit(net, momentum, data, options);
  CHECK(result.status.code == sm::StatusCode::loss_not_finite);
  check_restored(net, result, data, std::numeric_limits<double>::infinity());
}

TEST_CASE("mini-batch failure restores a loss below the limit") {
  using Model = sm::Mlp<float, 1, sm::Dense<8, sm::Tanh>, sm::Dense<8, sm::Relu>,
                        sm::Dense<1, sm::Identity>>;
  const auto data = sm::sine_dataset<float, 10>();
  Model net = sm::initialized<Model>(1);
  sm::Sgd<Model> sgd(1.0f);
  sm::FitOptions<float> options;
  options.epochs = 30;
  options.batch_size = 3;
  const auto result = sm::fit(net, sgd, data, options);
  check_restored(net, result, data,
                 1e6 * static_cast<double>(result.initial_loss) * (1 + 1e-6));
}

TEST_CASE("divergence factor must be zero or at least one") {
  Net net = sm::initialized<Net>(1);
  const Net before = net;
  sm::Sgd<Net> sgd(0.01f);
  sm::FitOptions<float> options;
  for (float factor : {-1.0f, 0.5f, not_a_number, infinity}) {
    INFO("divergence factor " << factor);
    options.divergence_factor = factor;
    const auto result = sm::fit(net, sgd, sine, options);
    CHECK(result.status.code == sm::StatusCode::fit_options_invalid);
    CHECK(net.parameters() == before.parameters());
  }
  options.divergence_factor = 1.0f;
  options.epochs = 3;
  CHECK(sm::fit(net, sgd, sine, options).ok());
}

TEST_CASE("NaN target loss is rejected") {
  Net net = sm::initialized<Net>(1);
  const Net before = net;
  sm::Sgd<Net> sgd(0.01f);
  sm::FitOptions<float> options;
  options.epochs = 5;
  options.target_loss = not_a_number;
  const auto rejected = sm::fit(net, sgd, sine, options);
  CHECK(rejected.status.code == sm::StatusCode::fit_options_invalid);
  CHECK(rejected.status.index == 1);
  CHECK(std::string(sm::describe(rejected.status).c_str()).find("target_loss") !=
        std::string::npos);
  CHECK(net.parameters() == before.parameters());
  // +inf is reached before any update, -inf never.
  options.target_loss = infinity;
  const auto first = sm::fit(net, sgd, sine, options);
  CHECK(first.ok());
  CHECK(first.epochs == 0);
  CHECK(first.reached_target);
  options.target_loss = -infinity;
  const auto all = sm::fit(net, sgd, sine, options);
  CHECK(all.ok());
  CHECK(all.epochs == 5);
}

namespace {
struct Divergence {
  std::size_t epochs = 0;         // result.epochs: 0 when fit() restored the start
  std::size_t failing_epoch = 0;  // status.index
};

// Fits until the loss diverges, then replays result.epochs epochs from the same start. The
// replay must give the bits fit() left in the network, so that epochs counts exactly the
// updates the restored network contains.
template <class Net>
Divergence epochs_after_divergence(std::size_t batch_size, float learning_rate) {
  const auto data = sm::sine_dataset<float, 50>();
  const Net start = sm::initialized<Net>(3);
  Net net = start;
  sm::Sgd<Net> sgd(learning_rate);
  sm::FitOptions<float> options;
  options.epochs = 500;
  options.batch_size = batch_size;
  const auto result = sm::fit(net, sgd, data, options);
  INFO(sm::describe(result.status).c_str());
  REQUIRE(result.status.code == sm::StatusCode::loss_diverged);
  // status.index is the failing epoch, whose updates are never kept.
  REQUIRE(result.epochs < result.status.index);

  Net replay = start;
  sm::Sgd<Net> replay_sgd(learning_rate);
  options.epochs = result.epochs;
  if (result.epochs > 0) {
    REQUIRE(sm::fit(replay, replay_sgd, data, options).ok());
  }
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    mismatches += test_support::same_bits(replay.parameters()[i], net.parameters()[i]) ? 0 : 1;
  }
  CHECK(mismatches == 0);
  return {result.epochs, result.status.index};
}
}  // namespace

TEST_CASE("fit epochs after divergence") {
  using Wide = sm::Mlp<float, 1, sm::Dense<24, sm::Tanh>, sm::Dense<1, sm::Identity>>;
  // Full batch measures epoch e's loss on the network of e - 1 updates, before updating. When
  // that loss diverges, the last good network is the one of e - 2 updates, and a count of e - 1
  // would be one update more than the network contains. At 0.8 that happens after more than 10
  // good epochs. Mini-batches of 7 at 0.65 diverge in epoch 2, where even the epoch's
  // start fails, so fit() restores the start.
  const Divergence full = epochs_after_divergence<Wide>(sm::full_batch, 0.8f);
  CHECK(full.epochs > 10);
  CHECK(full.epochs + 2 == full.failing_epoch);
  const Divergence mini = epochs_after_divergence<Wide>(7, 0.65f);
  CHECK(mini.epochs == 0);
  CHECK(mini.failing_epoch == 2);
}

TEST_CASE("momentum keeps a velocity") {
  // Two steps with every gradient 1: the velocity is 1, then 0.9 * 1 + 1 = 1.9, so a parameter
  // that starts at 0 moves by 0.1 and then by 0.19.
  using Line = sm::Mlp<double, 1, sm::Dense<1, sm::Identity>>;
  sm::Momentum<Line> momentum(0.1, 0.9);
  Line::Parameters parameters{};
  Line::Parameters gradient{};
  gradient.fill(1.0);
  momentum.step(parameters, gradient);
  CHECK(parameters[0] == Approx(-0.1).epsilon(1e-15));
  momentum.step(parameters, gradient);
  CHECK(parameters[0] == Approx(-0.29).epsilon(1e-15));
}

TEST_CASE("invalid momentum settings are rejected") {
  using Line = sm::Mlp<double, 1, sm::Dense<1, sm::Identity>>;
  for (const double momentum : {1.0, -0.1, std::numeric_limits<double>::quiet_NaN()}) {
    INFO("momentum " << momentum);
    const sm::Status status = sm::Momentum<Line>(0.1, momentum).check();
    CHECK(status.code == sm::StatusCode::hyperparameter_invalid);
    CHECK(status.index == 3);
  }
  CHECK(sm::Momentum<Line>(0.1, 0.0).check().ok());
}

TEST_CASE("divergence restores the optimizer too") {
  // Adam at 0.7 diverges in the second epoch on 10 sine points: fit() keeps one good epoch and
  // must give back the optimizer of that epoch, one step taken, not of the failed one.
  constexpr auto short_sine = sm::sine_dataset<float, 10>();
  Net net = sm::initialized<Net>(1);
  sm::Adam<Net> adam(0.7f);
  sm::FitOptions<float> options;
  options.epochs = 50;
  options.divergence_factor = 1.0f;
  const auto result = sm::fit(net, adam, short_sine, options);
  REQUIRE(result.status.code == sm::StatusCode::loss_diverged);
  CHECK(result.epochs == 1);
  CHECK(adam.steps() == result.epochs);
}

TEST_CASE("a loss equal to the target stops at once") {
  // A zero network on targets 0 has loss exactly 0, the default target: fit() stops before
  // the first full-batch epoch, and after the first epoch with per-sample steps.
  using Line = sm::Mlp<float, 1, sm::Dense<1, sm::Identity>>;
  const std::array<Line::SampleType, 2> zeros = {{{{1.0f}, {0.0f}}, {{2.0f}, {0.0f}}}};
  sm::FitOptions<float> options;
  options.epochs = 5;
  Line full_batch;
  sm::Adam<Line> adam(0.01f);
  const auto batch_result = sm::fit(full_batch, adam, zeros, options);
  CHECK(batch_result.reached_target);
  CHECK(batch_result.epochs == 0);
  options.batch_size = 1;
  Line per_sample;
  sm::Adam<Line> per_sample_adam(0.01f);
  const auto sample_result = sm::fit(per_sample, per_sample_adam, zeros, options);
  CHECK(sample_result.reached_target);
  CHECK(sample_result.epochs == 1);
}

TEST_CASE("overflow in the final loss is caught") {
  // One per-sample step at learning rate 1e20 leaves finite parameters (2e20) but an output
  // whose square overflows: the loss after the last epoch must be checked too.
  using Line = sm::Mlp<float, 1, sm::Dense<1, sm::Identity>>;
  const std::array<Line::SampleType, 1> single_sample = {{{{1.0f}, {1.0f}}}};
  Line net;
  sm::Sgd<Line> sgd(1e20f);
  sm::FitOptions<float> options;
  options.epochs = 1;
  options.batch_size = 1;
  const auto result = sm::fit(net, sgd, single_sample, options);
  CHECK(!result.ok());
  CHECK(result.final_loss == 1.0f);
  CHECK(net.parameters()[0] == 0.0f);
  CHECK(net.parameters()[1] == 0.0f);
}

TEST_CASE("divergence description names the loss") {
  const auto text = sm::describe(sm::make_status(sm::StatusCode::loss_diverged, 5, 2.5));
  CHECK(std::string(text.c_str()).find("(epoch 5, value 2.5)") != std::string::npos);
}

TEST_CASE("adam steps match the bias-corrected formula") {
  // With a constant gradient g, the bias-corrected moments are exactly g and g^2 at every step,
  // so each step moves a parameter by learning_rate * g / (|g| + epsilon). At g = 1e-8 the
  // default epsilon of 1e-8 halves the step, which shows both epsilon's value and its place
  // outside the square root. The constructor's defaults and the members' defaults must agree.
  using Line = sm::Mlp<double, 1, sm::Dense<1, sm::Identity>>;
  sm::Adam<Line> defaulted;
  defaulted.learning_rate = 0.1;
  for (sm::Adam<Line> adam : {sm::Adam<Line>(0.1), defaulted}) {
    Line::Parameters parameters{};
    const Line::Parameters gradient = {1.0, 1e-8};
    const double large_step = 0.1 * 1.0 / (1.0 + 1e-8);
    const double small_step = 0.1 * 1e-8 / (1e-8 + 1e-8);
    for (int step = 1; step <= 3; ++step) {
      INFO("step " << step);
      adam.step(parameters, gradient);
      CHECK(parameters[0] == Approx(-step * large_step).epsilon(1e-12));
      CHECK(parameters[1] == Approx(-step * small_step).epsilon(1e-9));
    }
    CHECK(adam.steps() == 3);
  }
}

TEST_CASE("adam reset starts the step count and moments again") {
  using Line = sm::Mlp<double, 1, sm::Dense<1, sm::Identity>>;
  sm::Adam<Line> adam(0.1);
  Line::Parameters parameters{};
  const Line::Parameters gradient = {1.0, -2.0};
  adam.step(parameters, gradient);
  adam.step(parameters, gradient);
  adam.reset();
  CHECK(adam.steps() == 0);
  // After reset() the next step is that of a new optimizer.
  sm::Adam<Line> fresh(0.1);
  Line::Parameters after_reset{};
  Line::Parameters from_fresh{};
  adam.step(after_reset, {3.0, 0.5});
  fresh.step(from_fresh, {3.0, 0.5});
  CHECK(after_reset == from_fresh);
  CHECK(adam.steps() == 1);
}

TEST_CASE("batch size equal to the sample count is full batch") {
  // FitOptions documents batch sizes of N and above as full batch. Full batch checks the target
  // before updating, so a network that already meets it runs no epoch.
  using Linear = sm::Mlp<float, 1, sm::Dense<1, sm::Identity>>;
  const std::array<Linear::SampleType, 2> zeros = {{{{1.0f}, {0.0f}}, {{2.0f}, {0.0f}}}};
  sm::FitOptions<float> options;
  options.epochs = 5;
  options.batch_size = zeros.size();
  Linear net;
  sm::Sgd<Linear> sgd(0.01f);
  const auto result = sm::fit(net, sgd, zeros, options);
  REQUIRE(result.ok());
  CHECK(result.reached_target);
  CHECK(result.epochs == 0);
}

namespace {
using Params = Net::Parameters;

bool same_bits(const Params& a, const Params& b) {
  return std::memcmp(a.data(), b.data(), sizeof(Params)) == 0;
}

// A sample for the checked per-sample step, away from the data set's points.
constexpr Net::SampleType probe_sample{{0.3f}, {0.8f}};
}  // namespace

TEST_CASE("checked sample step equals train_sample") {
  Net checked = sm::initialized<Net>(5);
  Net unchecked = checked;
  sm::Adam<Net> checked_adam(0.01f);
  sm::Adam<Net> unchecked_adam(0.01f);
  sm::Workspace<Net> workspace{};
  for (std::size_t s = 0; s < 30; ++s) {
    const auto result = sm::train_sample_checked(checked, checked_adam, sine[s], workspace);
    REQUIRE(result.ok());
    const float loss = sm::train_sample(unchecked, unchecked_adam, sine[s], workspace);
    CHECK(result.loss == loss);
  }
  CHECK(same_bits(checked.parameters(), unchecked.parameters()));
  CHECK(checked_adam.steps() == 30);

  // Sgd takes the per-sample kernel of 1-H-1 networks.
  Net sgd_checked = sm::initialized<Net>(6);
  Net sgd_unchecked = sgd_checked;
  sm::Sgd<Net> sgd(0.05f);
  const auto result = sm::train_sample_checked(sgd_checked, sgd, probe_sample, workspace);
  REQUIRE(result.ok());
  CHECK(result.loss == sm::train_sample(sgd_unchecked, sgd, probe_sample, workspace));
  CHECK(same_bits(sgd_checked.parameters(), sgd_unchecked.parameters()));
  CHECK(!same_bits(sgd_checked.parameters(), sm::initialized<Net>(6).parameters()));
}

TEST_CASE("checked sample step rejects bad data") {
  const Net start = sm::initialized<Net>(5);
  Net net = start;
  sm::Momentum<Net> momentum(0.01f, 0.9f);
  sm::Workspace<Net> workspace{};

  const auto nan_input =
      sm::train_sample_checked(net, momentum, Net::SampleType{{not_a_number}, {0.5f}}, workspace);
  CHECK(nan_input.status.code == sm::StatusCode::input_not_finite);
  CHECK(std::isnan(nan_input.status.value));
  CHECK(nan_input.loss == 0.0f);

  const auto infinite_target =
      sm::train_sample_checked(net, momentum, Net::SampleType{{0.1f}, {-infinity}}, workspace);
  CHECK(infinite_target.status.code == sm::StatusCode::target_not_finite);
  CHECK(infinite_target.status.value == -static_cast<double>(infinity));
  CHECK(same_bits(net.parameters(), start.parameters()));

  // The velocity is untouched too: the next good step matches a fresh optimizer's.
  Net fresh = start;
  sm::Momentum<Net> fresh_momentum(0.01f, 0.9f);
  REQUIRE(sm::train_sample_checked(net, momentum, probe_sample, workspace).ok());
  REQUIRE(sm::train_sample_checked(fresh, fresh_momentum, probe_sample, workspace).ok());
  CHECK(same_bits(net.parameters(), fresh.parameters()));
}

TEST_CASE("checked sample step rejects bad settings") {
  const Net start = sm::initialized<Net>(5);
  Net net = start;
  sm::Workspace<Net> workspace{};
  for (float rate : {-1.0f, 0.0f, not_a_number, infinity}) {
    INFO("learning rate " << rate);
    sm::Sgd<Net> sgd(rate);
    const auto result = sm::train_sample_checked(net, sgd, probe_sample, workspace);
    CHECK(result.status.code == sm::StatusCode::learning_rate_invalid);
    CHECK((result.status.value == static_cast<double>(rate) || std::isnan(rate)));
  }
  sm::Adam<Net> adam(0.01f, 1.0f);
  const auto bad_beta = sm::train_sample_checked(net, adam, probe_sample, workspace);
  CHECK(bad_beta.status.code == sm::StatusCode::hyperparameter_invalid);
  CHECK(bad_beta.status.index == 0);
  CHECK(adam.steps() == 0);
  CHECK(same_bits(net.parameters(), start.parameters()));
}

TEST_CASE("checked sample step names a bad parameter") {
  Net net = sm::initialized<Net>(5);
  net.parameters()[7] = not_a_number;
  const Net start = net;
  sm::Sgd<Net> sgd(0.01f);
  sm::Workspace<Net> workspace{};
  const auto result = sm::train_sample_checked(net, sgd, probe_sample, workspace);
  CHECK(result.status.code == sm::StatusCode::initial_parameters_not_finite);
  CHECK(result.status.index == 7);
  CHECK(same_bits(net.parameters(), start.parameters()));
}

TEST_CASE("checked sample step undoes an overflow") {
  sm::Workspace<Net> workspace{};

  // Finite weights and data whose forward pass overflows: the loss is infinite before any
  // update, and Adam's moments and step count stay as they were.
  Net huge = sm::initialized<Net>(5);
  huge.weight<0>(0, 0) = 1e30f;
  huge.weight<0>(1, 0) = 1e30f;
  huge.weight<1>(0, 0) = 1e30f;
  huge.weight<1>(0, 1) = 1e30f;
  const Net huge_start = huge;
  sm::Adam<Net> adam(0.01f);
  const auto overflow =
      sm::train_sample_checked(huge, adam, Net::SampleType{{1.0f}, {0.0f}}, workspace);
  CHECK(overflow.status.code == sm::StatusCode::initial_loss_not_finite);
  CHECK(std::isinf(overflow.loss));
  CHECK(same_bits(huge.parameters(), huge_start.parameters()));
  CHECK(adam.steps() == 0);
  Net after_failure = sm::initialized<Net>(5);
  Net fresh = after_failure;
  sm::Adam<Net> fresh_adam(0.01f);
  REQUIRE(sm::train_sample_checked(after_failure, adam, probe_sample, workspace).ok());
  REQUIRE(sm::train_sample_checked(fresh, fresh_adam, probe_sample, workspace).ok());
  CHECK(same_bits(after_failure.parameters(), fresh.parameters()));

  // A finite loss whose update overflows: a learning rate near float's maximum.
  const Net start = sm::initialized<Net>(5);
  Net net = start;
  sm::Sgd<Net> sgd(3e38f);
  const auto update = sm::train_sample_checked(net, sgd, probe_sample, workspace);
  CHECK(update.status.code == sm::StatusCode::update_not_finite);
  CHECK(std::isfinite(update.loss));
  CHECK(update.status.index < Net::parameter_count);
  CHECK(!std::isfinite(update.status.value));
  CHECK(same_bits(net.parameters(), start.parameters()));
  CHECK_THAT(sm::describe(update.status).c_str(), Catch::Contains("(parameter "));
}

namespace {
using Line = sm::Mlp<float, 1, sm::Dense<1, sm::Identity>>;
// A gradient of about 2e21, whose square overflows float: Adam's second moment turns infinite
// while every parameter and the loss stay finite.
constexpr Line::SampleType spike{{1e21f}, {1.0f}};
constexpr Line::SampleType ordinary{{0.5f}, {-3.0f}};
}  // namespace

TEST_CASE("checked sample step catches adam overflow") {
  Line net{};
  sm::Adam<Line> adam(0.01f);
  sm::Workspace<Line> workspace{};
  const auto result = sm::train_sample_checked(net, adam, spike, workspace);
  CHECK(result.status.code == sm::StatusCode::optimizer_state_not_finite);
  CHECK(result.status.index == 0);
  CHECK(std::isinf(result.status.value));
  CHECK(adam.steps() == 0);
  CHECK(net.parameters()[0] == 0.0f);
  CHECK_THAT(sm::describe(result.status).c_str(), Catch::EndsWith("(parameter 0, value inf)"));

  // Training goes on as if the spike had never come.
  Line fresh{};
  sm::Adam<Line> fresh_adam(0.01f);
  for (int step = 0; step < 20; ++step) {
    REQUIRE(sm::train_sample_checked(net, adam, ordinary, workspace).ok());
    REQUIRE(sm::train_sample_checked(fresh, fresh_adam, ordinary, workspace).ok());
  }
  CHECK(net.parameters()[0] == fresh.parameters()[0]);
  CHECK(net.parameters()[0] != 0.0f);
}

TEST_CASE("fit catches adam overflow") {
  const std::array<Line::SampleType, 2> data = {spike, ordinary};
  for (std::size_t batch : {sm::full_batch, std::size_t{1}}) {
    INFO("batch size " << batch);
    Line net{};
    sm::Adam<Line> adam(0.01f);
    sm::FitOptions<float> options;
    options.epochs = 10;
    options.batch_size = batch;
    const auto result = sm::fit(net, adam, data, options);
    CHECK(result.status.code == sm::StatusCode::optimizer_state_not_finite);
    CHECK(std::isinf(result.status.value));
    // Nothing before the overflow was good: fit() restores its starting state.
    CHECK(result.epochs == 0);
    CHECK(adam.steps() == 0);
    CHECK(net.parameters()[0] == 0.0f);
  }
}

TEST_CASE("fit rejects an overflowed optimizer") {
  Line net{};
  sm::Adam<Line> adam(0.01f);
  sm::Workspace<Line> workspace{};
  static_cast<void>(sm::train_sample(net, adam, spike, workspace));
  REQUIRE(adam.non_finite_state().index == 0);
  const std::array<Line::SampleType, 1> data = {ordinary};
  const auto result = sm::fit(net, adam, data);
  CHECK(result.status.code == sm::StatusCode::optimizer_state_not_finite);
  CHECK(adam.steps() == 1);
  const auto checked = sm::train_sample_checked(net, adam, ordinary, workspace);
  CHECK(checked.status.code == sm::StatusCode::optimizer_state_not_finite);
  CHECK(adam.steps() == 1);
}
