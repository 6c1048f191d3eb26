// Optimizers: plain gradient descent (Sgd), heavy-ball Momentum and Adam (Kingma and Ba, 2015,
// with PyTorch's placement of epsilon). Each is sized by the network at compile time: Sgd has no
// state, Momentum keeps one velocity per parameter, Adam two moments per parameter.
// check() validates the settings; step(parameters, gradient) applies one update. The same
// update one parameter at a time, for loops that update while they backpropagate: begin_step()
// once, then parameter = updated(i, parameter, gradient) for each index i, in any order.
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>

#include "math.hpp"
#include "status.hpp"
#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {

namespace detail {
template <class T>
constexpr Status check_learning_rate(T learning_rate) {
  if (!(learning_rate > T(0)) || !is_finite(learning_rate)) {
    return make_status(StatusCode::learning_rate_invalid, 0, static_cast<double>(learning_rate));
  }
  return ok_status();
}

template <class T>
constexpr bool is_unit_fraction(T value) {
  return value >= T(0) && value < T(1);
}
}  // namespace detail

// The first non-finite value of an optimizer's state: the parameter it belongs to and the
// value. `index` is the parameter count when every value is finite.
template <class T>
struct NonFiniteState {
  std::size_t index = 0;
  T value = T(0);
};

// p <- p - learning_rate * g.
template <class Net>
struct Sgd {
  using T = typename Net::Scalar;
  using Parameters = typename Net::Parameters;
  static constexpr std::size_t state_bytes = 0;
  // train_sample() multiplies the output's delta by the learning rate once and subtracts each
  // parameter's gradient as it comes: the same update as updated(), up to rounding.
  static constexpr bool scales_output_delta = true;

  T learning_rate = T(0.01);

  constexpr Sgd() = default;
  constexpr explicit Sgd(T rate) : learning_rate(rate) {}

  constexpr Status check() const { return detail::check_learning_rate(learning_rate); }
  constexpr NonFiniteState<T> non_finite_state() const { return {Net::parameter_count, T(0)}; }
  constexpr void reset() {}
  constexpr void begin_step() {}
  constexpr T updated(std::size_t, T parameter, T g) const {
    return parameter - learning_rate * g;
  }
  constexpr void step(Parameters& parameters, const Parameters& gradient) {
    begin_step();
    for (std::size_t i = 0; i < Net::parameter_count; ++i) {
      parameters[i] = updated(i, parameters[i], gradient[i]);
    }
  }
};

// v <- momentum * v + g; p <- p - learning_rate * v (PyTorch's SGD with momentum, no dampening).
template <class Net>
struct Momentum {
  using T = typename Net::Scalar;
  using Parameters = typename Net::Parameters;
  static constexpr std::size_t state_bytes = sizeof(Parameters);

  T learning_rate = T(0.01);
  T momentum = T(0.9);

  constexpr Momentum() = default;
  constexpr Momentum(T rate, T momentum_factor) : learning_rate(rate), momentum(momentum_factor) {}

  constexpr Status check() const {
    if (!detail::is_unit_fraction(momentum)) {
      return make_status(StatusCode::hyperparameter_invalid, 3, static_cast<double>(momentum));
    }
    return detail::check_learning_rate(learning_rate);
  }
  constexpr NonFiniteState<T> non_finite_state() const {
    for (std::size_t i = 0; i < Net::parameter_count; ++i) {
      if (!is_finite(velocity_[i])) {
        return {i, velocity_[i]};
      }
    }
    return {Net::parameter_count, T(0)};
  }
  constexpr void reset() { velocity_ = Parameters{}; }
  constexpr void begin_step() {}
  constexpr T updated(std::size_t i, T parameter, T g) {
    velocity_[i] = momentum * velocity_[i] + g;
    return parameter - learning_rate * velocity_[i];
  }
  constexpr void step(Parameters& parameters, const Parameters& gradient) {
    begin_step();
    for (std::size_t i = 0; i < Net::parameter_count; ++i) {
      parameters[i] = updated(i, parameters[i], gradient[i]);
    }
  }

 private:
  Parameters velocity_{};
};

// m <- b1 m + (1 - b1) g; v <- b2 v + (1 - b2) g^2;
// p <- p - learning_rate * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + epsilon).
template <class Net>
struct Adam {
  using T = typename Net::Scalar;
  using Parameters = typename Net::Parameters;
  static constexpr std::size_t state_bytes = 2 * sizeof(Parameters);

  T learning_rate = T(0.001);
  T beta1 = T(0.9);
  T beta2 = T(0.999);
  T epsilon = T(1e-8);

  constexpr Adam() = default;
  constexpr explicit Adam(T rate, T first_decay = T(0.9), T second_decay = T(0.999),
                          T denominator_offset = T(1e-8))
      : learning_rate(rate), beta1(first_decay), beta2(second_decay), epsilon(denominator_offset) {}

  constexpr Status check() const {
    if (!detail::is_unit_fraction(beta1)) {
      return make_status(StatusCode::hyperparameter_invalid, 0, static_cast<double>(beta1));
    }
    if (!detail::is_unit_fraction(beta2)) {
      return make_status(StatusCode::hyperparameter_invalid, 1, static_cast<double>(beta2));
    }
    if (!(epsilon > T(0)) || !is_finite(epsilon)) {
      return make_status(StatusCode::hyperparameter_invalid, 2, static_cast<double>(epsilon));
    }
    return detail::check_learning_rate(learning_rate);
  }

  // The second moment overflows first: with float and beta2 = 0.999, (1 - beta2) g g is infinite
  // for a gradient above about 5.8e20, and every later update of that parameter is then 0.
  constexpr NonFiniteState<T> non_finite_state() const {
    for (std::size_t i = 0; i < Net::parameter_count; ++i) {
      if (!is_finite(first_moment_[i])) {
        return {i, first_moment_[i]};
      }
      if (!is_finite(second_moment_[i])) {
        return {i, second_moment_[i]};
      }
    }
    return {Net::parameter_count, T(0)};
  }

  constexpr void reset() {
    first_moment_ = Parameters{};
    second_moment_ = Parameters{};
    beta1_power_ = T(1);
    beta2_power_ = T(1);
    steps_ = 0;
  }

  constexpr void begin_step() {
    ++steps_;
    beta1_power_ *= beta1;
    beta2_power_ *= beta2;
    const T first_correction = T(1) - beta1_power_;
    root_second_correction_ = staticmlp::sqrt(T(1) - beta2_power_);
    step_size_ = learning_rate / first_correction;
  }
  constexpr T updated(std::size_t i, T parameter, T g) {
    first_moment_[i] = beta1 * first_moment_[i] + (T(1) - beta1) * g;
    second_moment_[i] = beta2 * second_moment_[i] + (T(1) - beta2) * g * g;
    const T denominator = staticmlp::sqrt(second_moment_[i]) / root_second_correction_ + epsilon;
    return parameter - step_size_ * first_moment_[i] / denominator;
  }
  constexpr void step(Parameters& parameters, const Parameters& gradient) {
    begin_step();
    for (std::size_t i = 0; i < Net::parameter_count; ++i) {
      parameters[i] = updated(i, parameters[i], gradient[i]);
    }
  }

  constexpr std::size_t steps() const { return steps_; }

 private:
  Parameters first_moment_{};
  Parameters second_moment_{};
  T beta1_power_ = T(1);
  T beta2_power_ = T(1);
  // Set by begin_step() for the updates of the current step.
  T root_second_correction_ = T(1);
  T step_size_ = T(0);
  std::size_t steps_ = 0;
};

namespace detail {

// False when Optimizer is one of the engine's optimizers made for a network other than Net.
template <class Optimizer, class Net>
struct OptimizerFits : std::true_type {};
template <class Other, class Net>
struct OptimizerFits<Sgd<Other>, Net> : std::is_same<Other, Net> {};
template <class Other, class Net>
struct OptimizerFits<Momentum<Other>, Net> : std::is_same<Other, Net> {};
template <class Other, class Net>
struct OptimizerFits<Adam<Other>, Net> : std::is_same<Other, Net> {};

// optimizer.non_finite_state() for an optimizer that has it; an optimizer of your own without it
// counts as finite.
template <class Optimizer, class T, class = void>
struct HasStateCheck : std::false_type {};
template <class Optimizer, class T>
struct HasStateCheck<Optimizer, T,
                     std::void_t<decltype(std::declval<const Optimizer&>().non_finite_state())>>
    : std::true_type {};

template <class T, class Optimizer>
constexpr NonFiniteState<T> non_finite_state(const Optimizer& optimizer, std::size_t count) {
  if constexpr (HasStateCheck<Optimizer, T>::value) {
    return optimizer.non_finite_state();
  } else {
    return {count, T(0)};
  }
}

}  // namespace detail

}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
