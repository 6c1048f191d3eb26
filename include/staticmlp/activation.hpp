// Activation functions: each is a small struct with its value and derivative side by side.
// `value(x)` and `derivative(x)` take the pre-activation x; `derivative_from_output(y)` takes
// y = value(x) and gives the same number, which lets backpropagation keep only the outputs.
// At exactly x = 0, Relu's derivative is 0 and LeakyRelu's is its negative slope (the left side),
// as in PyTorch. All are constexpr and stable for every finite input.
#pragma once

#include <type_traits>

#include "math.hpp"

namespace staticmlp {

// f(x) = x.
struct Identity {
  static constexpr bool is_activation = true;
  static constexpr const char* name = "identity";
  template <class T>
  static constexpr T value(T x) {
    return x;
  }
  template <class T>
  static constexpr T derivative(T) {
    return T(1);
  }
  template <class T>
  static constexpr T derivative_from_output(T) {
    return T(1);
  }
};

// f(x) = max(0, x); f'(x) = 1 for x > 0, else 0.
struct Relu {
  static constexpr bool is_activation = true;
  static constexpr bool is_relu_family = true;
  static constexpr const char* name = "relu";
  // The selects go through integer masks so that loops over them vectorize (see math.hpp).
  // A NaN input passes through, so that bad data or weights cannot hide behind a zero.
  template <class T>
  static constexpr T value(T x) {
    return detail::select_bits(
        static_cast<detail::Bits<T>>(detail::positive_mask(x) | detail::nan_mask(x)), x, T(0));
  }
  template <class T>
  static constexpr T derivative(T x) {
    return detail::select_bits(detail::positive_mask(x), T(1), T(0));
  }
  template <class T>
  static constexpr T derivative_from_output(T y) {
    return detail::select_bits(detail::positive_mask(y), T(1), T(0));
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
  static constexpr const char* name = "leaky_relu";
  template <class T>
  static constexpr T slope() {
    return static_cast<T>(SlopeNumerator) / static_cast<T>(SlopeDenominator);
  }
  template <class T>
  static constexpr T value(T x) {
    return detail::select_bits(detail::positive_mask(x), x, slope<T>() * x);
  }
  template <class T>
  static constexpr T derivative(T x) {
    return detail::select_bits(detail::positive_mask(x), T(1), slope<T>());
  }
  template <class T>
  static constexpr T derivative_from_output(T y) {
    return detail::select_bits(detail::positive_mask(y), T(1), slope<T>());
  }
};

// f(x) = 1 / (1 + e^-x); f'(x) = f(x) (1 - f(x)).
struct Sigmoid {
  static constexpr bool is_activation = true;
  static constexpr const char* name = "sigmoid";
  template <class T>
  static constexpr T value(T x) {
    return staticmlp::sigmoid(x);
  }
  template <class T>
  static constexpr T derivative(T x) {
    return derivative_from_output(value(x));
  }
  template <class T>
  static constexpr T derivative_from_output(T y) {
    return y * (T(1) - y);
  }
};

// f(x) = tanh(x); f'(x) = 1 - f(x)^2.
struct Tanh {
  static constexpr bool is_activation = true;
  static constexpr const char* name = "tanh";
  template <class T>
  static constexpr T value(T x) {
    return staticmlp::tanh(x);
  }
  template <class T>
  static constexpr T derivative(T x) {
    return derivative_from_output(value(x));
  }
  template <class T>
  static constexpr T derivative_from_output(T y) {
    return T(1) - y * y;
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
}  // namespace detail

// True for a type that provides value, derivative and derivative_from_output and marks itself
// with `static constexpr bool is_activation = true`.
template <class A>
inline constexpr bool is_activation_v = detail::IsActivation<A>::value;

// True for Relu and LeakyRelu: piecewise linear activations initialised He-uniform.
template <class A>
inline constexpr bool is_relu_family_v = detail::IsReluFamily<A>::value;

}  // namespace staticmlp
