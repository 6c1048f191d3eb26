// Trains 1-4-1 networks with a Tanh and then a Sigmoid hidden layer on the sine data (the
// recipe's seed, optimizer and learning rate, 200 epochs) and writes each one's final MSE and
// parameters. The firmware (smooth.cpp) and the host (tests/mcu/host_train --smooth) both
// run it, so a check can show that the engine's own exp and tanh give the same bits on the
// device as on the host. Returns false if a fit failed.
#pragma once

#include <cstddef>

#include <staticmlp/staticmlp.hpp>

#include "../sine_recipe.hpp"
#include "report.hpp"

namespace smooth_activations {

inline constexpr std::size_t epochs = 200;

template <class Activation, class Sink>
bool train_and_report(Sink& sink) {
  namespace sm = staticmlp;
  using Net = sm::Mlp<float, 1, sm::Dense<4, Activation>, sm::Dense<1, sm::Identity>>;
  Net net;
  sm::initialize(net, sine_recipe::seed);
  sm::Adam<Net> optimizer(sine_recipe::learning_rate);
  sm::FitOptions<float> options;
  options.epochs = epochs;
  const auto result = sm::fit(net, optimizer, sine_recipe::data, options);

  static_cast<void>(sm::write_text(sink, "activation "));
  static_cast<void>(sm::write_text(sink, Activation::name));
  static_cast<void>(sink.write("\n", 1));
  report::write_result(sink, net, result.final_loss);
  return result.ok();
}

template <class Sink>
bool train_and_report_all(Sink& sink) {
  const bool tanh_ok = train_and_report<staticmlp::Tanh>(sink);
  const bool sigmoid_ok = train_and_report<staticmlp::Sigmoid>(sink);
  return tanh_ok && sigmoid_ok;
}

}  // namespace smooth_activations
