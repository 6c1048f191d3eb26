// Activation functions: each is a small struct with its value and derivative side by side.
// `value(x)` and `derivative(x)` take the pre-activation x; `derivative_from_output(y)` takes
// y = value(x) and gives the same number, which lets backpropagation keep only the outputs.
// At exactly x = 0, Relu's derivative is 0 and LeakyRelu's is its negative slope (the left side),
// as in PyTorch. All are constexpr and stable for every finite input. The built-in ones accept
// vector lanes (lanes.hpp) as well as float and double, and say so with supports_vector_lanes;
// like the lane functions, they are always inlined.
#pragma once

#include <type_traits>

#include "lanes.hpp"
#include "math.hpp"
#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {

// f(x) = x.
struct Identity {
  static constexpr bool is_activation = true;
  static constexpr bool supports_vector_lanes = true;
  static constexpr const char* name = "identity";
  template <class T>
  [[gnu::always_inline]] static constexpr T value(const T& x) {
    return x;
  }
  template <class T>
  [[gnu::always_inline]] static constexpr T derivative(const T&) {
    return detail::broadcast<T>(1);
  }
  template <class T>
  [[gnu::always_inline]] static constexpr T derivative_from_output(const T&) {
    return detail::broadcast<T>(1);
  }
};

// f(x) = max(0, x); f'(x) = 1 for x > 0, else 0.
struct Relu {
  static constexpr bool is_activation = true;
  static constexpr bool is_relu_family = true;
  static constexpr bool supports_vector_lanes = true;
  static constexpr const char* name = "relu";
  // The selects go through integer masks so that loops over them vectorize (see lanes.hpp).
  // A NaN input passes through, because NaN <= 0 is false, so that bad data or weights cannot
  // hide behind a zero.
  template <class T>
  [[gnu::always_inline]] static constexpr T value(const T& x) {
    return detail::select(detail::mask_not_positive(x), detail::broadcast<T>(0), x);
  }
  template <class T>
  [[gnu::always_inline]] static constexpr T derivative(const T& x) {
    return positive_indicator(x);
  }
  template <class T>
  [[gnu::always_inline]] static constexpr T derivative_from_output(const T& y) {
    return positive_indicator(y);
  }

 private:
  template <class T>
  [[gnu::always_inline]] static constexpr T positive_indicator(const T& x) {
    return detail::select(detail::mask_positive(x), detail::broadcast<T>(1),
                          detail::broadcast<T>(0));
  }
};

// f(x) = x for x > 0, else slope * x, with slope = SlopeNumerator / SlopeDenominator in [0, 1).
template <int SlopeNumerator = 1, int SlopeDenominator = 100>
struct LeakyRelu {
  static_assert(SlopeDenominator > 0, "staticmlp: LeakyRelu's slope denominator must be positive");
  static_assert(SlopeNumerator >= 0 && SlopeNumerator < SlopeDenominator,
                "staticmlp: LeakyRelu's slope must lie in [0, 1), so that the output's sign "
                "tells which side of the kink the input was on");
  static constexpr bool is_activation = true;
  static constexpr bool is_relu_family = true;
  static constexpr bool supports_vector_lanes = true;
  static constexpr const char* name = "leaky_relu";
  // The slope in the scalar type of T, which may be a lane type.
  template <class T>
  [[gnu::always_inline]] static constexpr detail::LaneScalar<T> slope() {
    using Scalar = detail::LaneScalar<T>;
    return static_cast<Scalar>(SlopeNumerator) / static_cast<Scalar>(SlopeDenominator);
  }
  template <class T>
  [[gnu::always_inline]] static constexpr T value(const T& x) {
    return detail::select(detail::mask_positive(x), x, slope<T>() * x);
  }
  template <class T>
  [[gnu::always_inline]] static constexpr T derivative(const T& x) {
    return derivative_from_output(x);
  }
  template <class T>
  [[gnu::always_inline]] static constexpr T derivative_from_output(const T& y) {
    return detail::select(detail::mask_positive(y), detail::broadcast<T>(1),
                          detail::broadcast<T>(slope<T>()));
  }
};

// f(x) = 1 / (1 + e^-x); f'(x) = f(x) (1 - f(x)).
struct Sigmoid {
  static constexpr bool is_activation = true;
  static constexpr bool supports_vector_lanes = true;
  static constexpr const char* name = "sigmoid";
  template <class T>
  [[gnu::always_inline]] static constexpr T value(const T& x) {
    return detail::sigmoid_lanes(x);
  }
  template <class T>
  [[gnu::always_inline]] static constexpr T derivative(const T& x) {
    return derivative_from_output(value(x));
  }
  template <class T>
  [[gnu::always_inline]] static constexpr T derivative_from_output(const T& y) {
    return y * (detail::LaneScalar<T>(1) - y);
  }
};

// f(x) = tanh(x); f'(x) = 1 - f(x)^2.
struct Tanh {
  static constexpr bool is_activation = true;
  static constexpr bool supports_vector_lanes = true;
  static constexpr const char* name = "tanh";
  template <class T>
  [[gnu::always_inline]] static constexpr T value(const T& x) {
    return detail::tanh_lanes(x);
  }
  template <class T>
  [[gnu::always_inline]] static constexpr T derivative(const T& x) {
    return derivative_from_output(value(x));
  }
  template <class T>
  [[gnu::always_inline]] static constexpr T derivative_from_output(const T& y) {
    return detail::LaneScalar<T>(1) - y * y;
  }
};

namespace detail {
template <class A, class = void>
struct IsActivation : std::false_type {};
template <class A>
struct IsActivation<A, std::enable_if_t<A::is_activation>> : std::true_type {};

template <class A, class = void>
struct IsReluFamily : std::false_type {};
template <class A>
struct IsReluFamily<A, std::enable_if_t<A::is_relu_family>> : std::true_type {};
template <class A, class = void>
struct SupportsVectorLanes : std::false_type {};
template <class A>
struct SupportsVectorLanes<A, std::enable_if_t<A::supports_vector_lanes>> : std::true_type {};

// True for an activation whose value and derivatives accept vector lanes (lanes.hpp); the
// engine runs other activations one scalar at a time.
template <class A>
inline constexpr bool supports_vector_lanes_v = SupportsVectorLanes<A>::value;
}  // namespace detail

// True for a type that provides value, derivative and derivative_from_output and marks itself
// with `static constexpr bool is_activation = true`.
template <class A>
inline constexpr bool is_activation_v = detail::IsActivation<A>::value;

// True for Relu and LeakyRelu: piecewise linear activations initialised He-uniform.
template <class A>
inline constexpr bool is_relu_family_v = detail::IsReluFamily<A>::value;

}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
