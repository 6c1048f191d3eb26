// Dense layer specs and the Mlp: shapes, parameter counts and layout, all known at compile time.
// Parameters live in one flat std::array: layer by layer, each layer's weights row-major
// (W[out][in]) followed by its biases, so a 1-4-1 network is W1[0..3], b1[0..3], W2[0..3], b2[0].
// Everything here is constexpr; sizeof(Mlp) is exactly parameter_count * sizeof(T).
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "activation.hpp"
#include "dataset.hpp"
#include "dot.hpp"
#include "math.hpp"
#include "one_hidden_layer.hpp"
#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {

// One fully connected layer: Width outputs, each Activation(W x + b).
template <std::size_t Width, class Activation>
struct Dense {
  static_assert(Width > 0, "staticmlp: Dense<Width, Activation> needs Width > 0");
  static_assert(is_activation_v<Activation>,
                "staticmlp: the Activation of Dense<Width, Activation> must be an activation "
                "type: Identity, Relu, LeakyRelu<N, D>, Sigmoid or Tanh");
  static constexpr std::size_t width = Width;
  using activation = Activation;
};

namespace detail {
// Parameter type of the deleted predict() overload, the only one that an empty braced list `{}`
// reaches, so that the call fails to compile and names this type. No other argument makes one.
struct PredictNeedsInputValues {};

// Called when Mlp::weight<L>() or bias<L>() gets an index past the layer's width. Inside a
// constant expression, the call of a function that is not constexpr is a compile error that
// names it. At run time the program stops here rather than read or write another parameter.
[[noreturn]] inline void parameter_index_out_of_range() { __builtin_trap(); }

template <class Layer>
struct IsDense : std::false_type {};
template <std::size_t Width, class Activation>
struct IsDense<Dense<Width, Activation>> : std::true_type {};

// Reading Dense<W, A>::width instantiates the Dense, which runs its own static_asserts on W and A.
template <class Layer>
struct DenseChecked : std::true_type {};
template <std::size_t Width, class Activation>
struct DenseChecked<Dense<Width, Activation>>
    : std::bool_constant<(Dense<Width, Activation>::width > 0)> {};

template <class Layer>
struct DenseWidth : std::integral_constant<std::size_t, 1> {};
template <std::size_t Width, class Activation>
struct DenseWidth<Dense<Width, Activation>> : std::integral_constant<std::size_t, Width> {};

#if __has_builtin(__builtin_shufflevector)
// Returns the lanes of a, then those of b.
template <class V, std::size_t... Lane>
[[gnu::always_inline]] inline Vector<LaneScalar<V>, sizeof...(Lane)> concatenate(
    const V& a, const V& b, std::index_sequence<Lane...>) {
  if constexpr (sizeof...(Lane) == 2) {
    return Vector<LaneScalar<V>, 2>{a, b};
  } else {
    return __builtin_shufflevector(a, b, static_cast<int>(Lane)...);
  }
}

// Returns v followed by lanes of `pad`, Lanes in all.
template <std::size_t Lanes, class V>
[[gnu::always_inline]] inline Vector<LaneScalar<V>, Lanes> widen_to(const V& v, LaneScalar<V> pad) {
  constexpr std::size_t width = LaneTraits<V>::count;
  if constexpr (width == Lanes) {
    return v;
  } else {
    return widen_to<Lanes>(concatenate(v, broadcast<V>(pad), std::make_index_sequence<2 * width>{}),
                           pad);
  }
}

// Returns the source lane of lane `lane` in the lower (or upper) halves that fold_rows() adds at
// one step. Both inputs contain rows of 2 `half` partial sums. __builtin_shufflevector numbers
// the second input's lanes after the first's, so the result has the first input's rows, then
// the second's, each with `half` sums.
constexpr int fold_rows_index(std::size_t lane, std::size_t half, bool upper) {
  return static_cast<int>(lane / half * 2 * half + lane % half + (upper ? half : 0));
}

// Folds the partial sums of Count rows, `rows[r]` holding row r's Lanes sums, into one vector
// whose lane r is row r's total. Each step adds partial sum j + half into j, as
// fold_partial_sums does for one row, and packs two vectors' rows into one, so the rows'
// folds share the shuffle and add instructions and come out side by side.
template <std::size_t Count, class L, std::size_t... Lane>
[[gnu::always_inline]] inline L fold_rows(const L* rows, std::index_sequence<Lane...> lanes) {
  if constexpr (Count == 1) {
    return rows[0];
  } else {
    // Count vectors hold all the rows, so each row has Count sums left at this step.
    constexpr std::size_t half = Count / 2;
    L packed[Count / 2];
    for (std::size_t k = 0; k < Count / 2; ++k) {
      const L lower = __builtin_shufflevector(rows[2 * k], rows[2 * k + 1],
                                              fold_rows_index(Lane, half, false)...);
      const L upper = __builtin_shufflevector(rows[2 * k], rows[2 * k + 1],
                                              fold_rows_index(Lane, half, true)...);
      packed[k] = lower + upper;
    }
    return fold_rows<Count / 2>(packed, lanes);
  }
}

// Loads the first Count values from `source`, then fills up to Lanes lanes with `pad`. When
// Count is a power of two, a narrower load is widened in registers. Otherwise the vector is
// assembled in memory, which is slower because of a store-forwarding stall.
template <std::size_t Count, std::size_t Lanes, class T>
[[gnu::always_inline]] inline Vector<T, Lanes> load_padded(const T* source, T pad) {
  if constexpr (Count == 0) {
    return broadcast<Vector<T, Lanes>>(pad);
  } else if constexpr ((Count & (Count - 1)) == 0) {
    return widen_to<Lanes>(load_lanes<Vector<T, Count>>(source), pad);
  } else {
    T values[Lanes];
    for (std::size_t j = 0; j < Lanes; ++j) {
      values[j] = j < Count ? source[j] : pad;
    }
    return load_lanes<Vector<T, Lanes>>(values);
  }
}

// Computes z[o] = b[o] + dot<In>(w + o In, x) for the rows o below Out - Out % Lanes, Lanes rows
// at a time. Each row's partial sums of dot<In> stay in vectors, each vector operation does what
// dot's loops do to Lanes partial sums, and fold_rows() folds Lanes rows at once: the same
// operations on the same values in the same order as dot<In>, so the same bits, without dot's
// scalar tail and fold for each row. Only a NaN result may differ, in its sign and payload, which
// the compiler's choice of operand order decides.
template <std::size_t In, std::size_t Out, std::size_t Lanes, class T>
[[gnu::always_inline]] inline void dense_sums(const T* __restrict w, const T* __restrict b,
                                              const T* __restrict x, T* __restrict z) {
  using L = Vector<T, Lanes>;
  constexpr std::size_t sums = dot_lanes(In);
  constexpr std::size_t chunks = sums / Lanes;
  constexpr std::size_t tail = In > sums ? In / sums * sums : In;
  constexpr std::size_t rest = In - tail;
  // In a row shorter than dot's sums, its first round leaves +0 in the sums past In, so the
  // padding here is +0 times +0. The last round adds nothing to the sums past In - tail, and
  // adding -0 (-0 times +0) does the same, because s + -0 is s for every s. Only a vector that
  // crosses the end of a row is padded.
  constexpr std::size_t padded_first = In < sums ? In / Lanes : chunks;
  constexpr std::size_t first_in_last = In < sums ? In % Lanes : 0;
  constexpr std::size_t whole_rest = rest / Lanes;
  constexpr std::size_t rest_in_last = rest % Lanes;
  const L x_first_padded = load_padded<first_in_last, Lanes>(x + padded_first * Lanes, T(0));
  const L x_rest = load_padded<rest_in_last, Lanes>(x + tail + whole_rest * Lanes, T(0));
  for (std::size_t o = 0; o + Lanes <= Out; o += Lanes) {
    L rows[Lanes];
    for (std::size_t r = 0; r < Lanes; ++r) {
      const T* row = w + (o + r) * In;
      // Set vector by vector, because with `= {}` GCC 12 -O2 cleared the array with a rep stos
      // per row, which took longer than the arithmetic of a 400-weight row.
      L partial[chunks];
#pragma GCC unroll 8
      for (std::size_t c = 0; c < chunks; ++c) {
        if (c < padded_first) {
          partial[c] = load_lanes<L>(row + c * Lanes) * load_lanes<L>(x + c * Lanes);
        } else if (c == padded_first) {
          partial[c] = load_padded<first_in_last, Lanes>(row + c * Lanes, T(0)) * x_first_padded;
        } else {
          partial[c] = broadcast<L>(T(0));
        }
      }
      for (std::size_t i = sums; i < tail; i += sums) {
#pragma GCC unroll 8
        for (std::size_t c = 0; c < chunks; ++c) {
          partial[c] += load_lanes<L>(row + i + c * Lanes) * load_lanes<L>(x + i + c * Lanes);
        }
      }
#pragma GCC unroll 8
      for (std::size_t c = 0; c < whole_rest; ++c) {
        partial[c] += load_lanes<L>(row + tail + c * Lanes) * load_lanes<L>(x + tail + c * Lanes);
      }
      if constexpr (rest_in_last > 0) {
        partial[whole_rest] +=
            load_padded<rest_in_last, Lanes>(row + tail + whole_rest * Lanes, -T(0)) * x_rest;
      }
      for (std::size_t width = chunks / 2; width > 0; width /= 2) {
#pragma GCC unroll 8
        for (std::size_t c = 0; c < width; ++c) {
          partial[c] += partial[c + width];
        }
      }
      rows[r] = partial[0];
    }
    store_lanes(z + o,
                load_lanes<L>(b + o) + fold_rows<Lanes>(rows, std::make_index_sequence<Lanes>{}));
  }
}
#endif

// Applies Activation in place to y[Start] to y[Count - 1], Lanes at a time, then the rest with
// the widest vector that fits it, down to one lane. Only the widths that have values to process
// are compiled in. Each lane gets the bits of the scalar function (lanes.hpp), and a vector whose
// lanes all take one of tanh's formulas computes that formula only, where scalar tanh inside a
// vectorized loop computes both (math.hpp).
template <std::size_t Count, class Activation, std::size_t Lanes, std::size_t Start, class T>
[[gnu::always_inline]] inline void activate_from(T* y) {
  using L = Vector<T, Lanes>;
  constexpr std::size_t end = Start + (Count - Start) / Lanes * Lanes;
  for (std::size_t o = Start; o < end; o += Lanes) {
    store_lanes(y + o, Activation::value(load_lanes<L>(y + o)));
  }
  if constexpr (end < Count) {
    activate_from<Count, Activation, power_of_two_at_most(Lanes, Count - end), end>(y);
  }
}

// y[o] = f(b[o] + sum_i W[o][i] x[i]) for W[Out][In], the sum taken by dot. The pointers must
// not overlap; restrict-qualified parameters let the compiler vectorize without checking.
template <std::size_t In, std::size_t Out, class Activation, class T>
constexpr void dense_forward(const T* __restrict w, const T* __restrict b,
                             const T* __restrict x, T* __restrict y) {
  constexpr std::size_t lanes = power_of_two_at_most(native_lanes<T>, Out);
  if constexpr (lanes > 1 && supports_vector_lanes_v<Activation>) {
    if (!is_constant_evaluated()) {
      // Rows before `done` take dense_sums(), and the rest take dot<In> one at a time.
      std::size_t done = 0;
#if __has_builtin(__builtin_shufflevector)
      constexpr std::size_t row_lanes = power_of_two_at_most(native_lanes<T>, dot_lanes(In));
      if constexpr (row_lanes > 1) {
        dense_sums<In, Out, row_lanes>(w, b, x, y);
        done = Out / row_lanes * row_lanes;
      }
#endif
      for (std::size_t o = done; o < Out; ++o) {
        y[o] = b[o] + dot<In>(w + o * In, x);
      }
      activate_from<Out, Activation, lanes, 0>(y);
      return;
    }
  }
  for (std::size_t o = 0; o < Out; ++o) {
    y[o] = Activation::value(b[o] + dot<In>(w + o * In, x));
  }
}

// Layers with at least this many weights run their loops in calls of their own. GCC drops the
// restrict qualifiers of a function that it inlines, and at -O2 it adds no run-time overlap
// checks. So a wide layer's loops vectorize only when not inlined, while narrow ones gain more
// from inlining.
inline constexpr std::size_t outlined_layer_weights = 16;

template <std::size_t In, std::size_t Out, class Activation, class T>
[[gnu::noinline]] constexpr void dense_forward_outlined(const T* __restrict w,
                                                        const T* __restrict b,
                                                        const T* __restrict x, T* __restrict y) {
  dense_forward<In, Out, Activation>(w, b, x, y);
}
}  // namespace detail

template <class T, std::size_t Inputs, class... Layers>
class Mlp {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "staticmlp: Mlp<T, Inputs, Layers...> needs T = float or double");
  static_assert(Inputs > 0, "staticmlp: Mlp<T, Inputs, Layers...> needs Inputs > 0");
  static_assert(sizeof...(Layers) > 0,
                "staticmlp: Mlp<T, Inputs, Layers...> needs at least one Dense layer");
  static_assert((detail::IsDense<Layers>::value && ...),
                "staticmlp: every layer of Mlp<T, Inputs, Layers...> must be a "
                "Dense<Width, Activation>");
  static_assert((detail::DenseChecked<Layers>::value && ...),
                "staticmlp: a Dense layer of this Mlp is malformed (see the error above)");

 public:
  using Scalar = T;
  static constexpr std::size_t layer_count = sizeof...(Layers);
  static constexpr std::size_t input_size = Inputs;

  // widths[0] is the input size, widths[l + 1] the output size of layer l.
  static constexpr std::array<std::size_t, layer_count + 1> widths = {
      Inputs, detail::DenseWidth<Layers>::value...};
  static constexpr std::size_t output_size = widths[layer_count];

  static constexpr std::array<std::size_t, layer_count> layer_parameter_counts = [] {
    std::array<std::size_t, layer_count> counts{};
    for (std::size_t l = 0; l < layer_count; ++l) {
      counts[l] = widths[l + 1] * widths[l] + widths[l + 1];
    }
    return counts;
  }();

  // Index of layer l's first weight in parameters(); its biases follow the weights.
  static constexpr std::array<std::size_t, layer_count> layer_offsets = [] {
    std::array<std::size_t, layer_count> offsets{};
    std::size_t offset = 0;
    for (std::size_t l = 0; l < layer_count; ++l) {
      offsets[l] = offset;
      offset += layer_parameter_counts[l];
    }
    return offsets;
  }();

  static constexpr std::size_t parameter_count =
      layer_offsets[layer_count - 1] + layer_parameter_counts[layer_count - 1];

  // Number of layer outputs over all layers, and where layer l's outputs start among them.
  static constexpr std::size_t activation_count = [] {
    std::size_t count = 0;
    for (std::size_t l = 1; l <= layer_count; ++l) {
      count += widths[l];
    }
    return count;
  }();
  static constexpr std::array<std::size_t, layer_count> activation_offsets = [] {
    std::array<std::size_t, layer_count> offsets{};
    std::size_t offset = 0;
    for (std::size_t l = 0; l < layer_count; ++l) {
      offsets[l] = offset;
      offset += widths[l + 1];
    }
    return offsets;
  }();
  static constexpr std::size_t max_width = [] {
    std::size_t widest = 0;
    for (std::size_t width : widths) {
      widest = width > widest ? width : widest;
    }
    return widest;
  }();

  template <std::size_t L>
  using Layer = std::tuple_element_t<L, std::tuple<Layers...>>;
  template <std::size_t L>
  using LayerActivation = typename Layer<L>::activation;

  using Input = std::array<T, input_size>;
  using Output = std::array<T, output_size>;
  using Parameters = std::array<T, parameter_count>;
  using Activations = std::array<T, activation_count>;
  using SampleType = Sample<T, input_size, output_size>;

  constexpr Mlp() : parameters_{} {}
  constexpr explicit Mlp(const Parameters& parameters) : parameters_(parameters) {}

  constexpr Parameters& parameters() { return parameters_; }
  constexpr const Parameters& parameters() const { return parameters_; }

  // Weight W[out][in] and bias b[out] of layer L, for reading code that thinks in layers.
  // An index past the layer's width would reach another parameter, so it is a compile error in
  // a constant expression and stops the program (__builtin_trap) at run time.
  template <std::size_t L>
  constexpr T& weight(std::size_t out, std::size_t in) {
    return parameters_[weight_index<L>(out, in)];
  }
  template <std::size_t L>
  constexpr T weight(std::size_t out, std::size_t in) const {
    return parameters_[weight_index<L>(out, in)];
  }
  template <std::size_t L>
  constexpr T& bias(std::size_t out) {
    return parameters_[bias_index<L>(out)];
  }
  template <std::size_t L>
  constexpr T bias(std::size_t out) const {
    return parameters_[bias_index<L>(out)];
  }

  // Runs the network on `input`, storing every layer's output in `activations`.
  constexpr void forward(const T* input, Activations& activations) const {
    if constexpr (detail::is_one_hidden_layer_v<Mlp>) {
      // The same arithmetic in one sweep over the hidden units (one_hidden_layer.hpp).
      constexpr std::size_t hidden = widths[1];
      activations[hidden] = detail::OneHiddenLayer<Mlp>::forward(parameters_.data(), input[0],
                                                                 activations.data());
    } else {
      forward_layers(input, activations, std::make_index_sequence<layer_count>{});
    }
  }

  // A braced list picks this overload, so that predict({1.0f}) on a network of two inputs is
  // a compile error rather than an input padded with zeros.
  template <std::size_t N>
  constexpr Output predict(const T (&input)[N]) const {
    static_assert(N == input_size, "staticmlp: predict() needs exactly input_size values");
    Input copy{};
    for (std::size_t i = 0; i < N; ++i) {
      copy[i] = input[i];
    }
    return predict(copy);
  }

  // An empty braced list is rejected, see PredictNeedsInputValues.
  Output predict(detail::PredictNeedsInputValues) const = delete;

  // A template, so that no braced list reaches it: `{{1.0f, 2.0f}}` would initialize an Input of
  // three values and pad it with a zero.
  template <class InputArray, class = std::enable_if_t<std::is_same_v<InputArray, Input>>>
  constexpr Output predict(const InputArray& input) const {
    Activations activations{};
    forward(input.data(), activations);
    Output output{};
    for (std::size_t o = 0; o < output_size; ++o) {
      output[o] = activations[activation_offsets[layer_count - 1] + o];
    }
    return output;
  }

 private:
  template <std::size_t L>
  static constexpr std::size_t weight_index(std::size_t out, std::size_t in) {
    static_assert(L < layer_count, "staticmlp: weight<L> needs L below layer_count");
    if (out >= widths[L + 1] || in >= widths[L]) {
      detail::parameter_index_out_of_range();
    }
    return layer_offsets[L] + out * widths[L] + in;
  }
  template <std::size_t L>
  static constexpr std::size_t bias_index(std::size_t out) {
    static_assert(L < layer_count, "staticmlp: bias<L> needs L below layer_count");
    if (out >= widths[L + 1]) {
      detail::parameter_index_out_of_range();
    }
    return layer_offsets[L] + widths[L + 1] * widths[L] + out;
  }

  template <std::size_t... Ls>
  constexpr void forward_layers(const T* input, Activations& activations,
                                std::index_sequence<Ls...>) const {
    (forward_layer<Ls>(input, activations), ...);
  }

  template <std::size_t L>
  constexpr void forward_layer(const T* input, Activations& activations) const {
    constexpr std::size_t in_size = widths[L];
    constexpr std::size_t out_size = widths[L + 1];
    const T* x = L == 0 ? input : activations.data() + activation_offsets[L == 0 ? 0 : L - 1];
    const T* w = parameters_.data() + layer_offsets[L];
    const T* b = w + out_size * in_size;
    T* y = activations.data() + activation_offsets[L];
    if constexpr (in_size * out_size >= detail::outlined_layer_weights) {
      detail::dense_forward_outlined<in_size, out_size, LayerActivation<L>>(w, b, x, y);
    } else {
      detail::dense_forward<in_size, out_size, LayerActivation<L>>(w, b, x, y);
    }
  }

  Parameters parameters_;
};

// True for any Mlp<...> type.
template <class Net>
struct IsMlp : std::false_type {};
template <class T, std::size_t Inputs, class... Layers>
struct IsMlp<Mlp<T, Inputs, Layers...>> : std::true_type {};
template <class Net>
inline constexpr bool is_mlp_v = IsMlp<Net>::value;

}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
