// The loss and its gradient by handwritten backpropagation.
// Loss: mean squared error, MSE = (1/N) * sum over samples of sum over outputs of (y_hat - y)^2.
// gradient() returns the exact gradient of that number with respect to every parameter, in the
// parameter layout of mlp.hpp. The Workspace contains every buffer backpropagation needs; its size
// is a compile-time constant. All functions are constexpr and allocate nothing.
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>

#include "dataset.hpp"
#include "mlp.hpp"
#include "one_hidden_layer.hpp"
#include "optimizer.hpp"
#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {

// Buffers for one forward and backward pass: every layer's outputs, and the loss's derivative
// with respect to the outputs of the layer being processed and of the layer below it.
template <class Net>
struct Workspace {
  using T = typename Net::Scalar;
  // A 1-H-1 network backpropagates through its hidden layer in the sweep that updates it, so it
  // needs the output's delta alone.
  static constexpr std::size_t delta_width =
      detail::is_one_hidden_layer_v<Net> ? Net::output_size : Net::max_width;
  typename Net::Activations activations{};
  std::array<T, delta_width> delta{};
  std::array<T, delta_width> delta_below{};
};

namespace detail {

template <class Net>
constexpr const typename Net::Scalar* layer_outputs(const Workspace<Net>& workspace,
                                                    std::size_t layer) {
  return workspace.activations.data() + Net::activation_offsets[layer];
}

// The loops of the backward pass, on pointers that must not overlap: restrict-qualified
// parameters let the compiler vectorize them without run-time overlap checks. Each kernel makes
// one pass over a layer's weights. A layer above the first also hands the layer below its delta:
// below[i] = f'(x[i]) * sum_o W[o][i] delta[o], the sum taken over o in order from 0, and f' the
// activation derivative of the layer below (whose outputs are this layer's inputs x).

// delta[o] = dLoss/dz[o] = dLoss/dy[o] * f'(z[o]), with f' taken from the stored y = f(z).
template <std::size_t Out, class Activation, class T>
constexpr void scale_by_derivative(T* __restrict delta, const T* __restrict y) {
  for (std::size_t o = 0; o < Out; ++o) {
    delta[o] *= Activation::derivative_from_output(y[o]);
  }
}

// First layer, gradient path: dLoss/dW[o][i] += delta[o] * x[i] into gw, dLoss/db[o] += delta[o]
// into gb.
template <std::size_t In, std::size_t Out, class T>
constexpr void accumulate_first_layer(T* __restrict gw, T* __restrict gb,
                                      const T* __restrict delta, const T* __restrict x) {
  for (std::size_t o = 0; o < Out; ++o) {
    const T dz = delta[o];
    for (std::size_t i = 0; i < In; ++i) {
      gw[o * In + i] += dz * x[i];
    }
    gb[o] += dz;
  }
}

// A layer above the first, gradient path: the outer product into gw and gb as above, and the
// delta of the layer below into `below`, in the same pass over W.
template <std::size_t In, std::size_t Out, class BelowActivation, class T>
constexpr void accumulate_upper_layer(const T* __restrict w, T* __restrict gw, T* __restrict gb,
                                      const T* __restrict delta, const T* __restrict x,
                                      T* __restrict below) {
  if constexpr (Out == 1) {
    const T dz = delta[0];
    for (std::size_t i = 0; i < In; ++i) {
      below[i] = (w[i] * dz) * BelowActivation::derivative_from_output(x[i]);
      gw[i] += dz * x[i];
    }
  } else {
    for (std::size_t o = 0; o < Out; ++o) {
      const T dz = delta[o];
      if (o == 0) {
        for (std::size_t i = 0; i < In; ++i) {
          below[i] = T(0) + w[i] * dz;
          gw[i] += dz * x[i];
        }
      } else {
        for (std::size_t i = 0; i < In; ++i) {
          below[i] += w[o * In + i] * dz;
          gw[o * In + i] += dz * x[i];
        }
      }
    }
    for (std::size_t i = 0; i < In; ++i) {
      below[i] *= BelowActivation::derivative_from_output(x[i]);
    }
  }
  for (std::size_t o = 0; o < Out; ++o) {
    gb[o] += delta[o];
  }
}

// First layer, update path: W[o][i] and b[o] updated by the optimizer with gradients
// delta[o] * x[i] and delta[o]; `offset` is W[0][0]'s index among the network's parameters.
template <std::size_t In, std::size_t Out, class T, class Optimizer>
constexpr void update_first_layer(T* __restrict w, T* __restrict b, const T* __restrict delta,
                                  const T* __restrict x, Optimizer& optimizer,
                                  std::size_t offset) {
  if constexpr (In == 1) {
    // One weight per unit: its weight and bias in the same pass.
    for (std::size_t o = 0; o < Out; ++o) {
      w[o] = optimizer.updated(offset + o, w[o], delta[o] * x[0]);
      b[o] = optimizer.updated(offset + Out + o, b[o], delta[o]);
    }
  } else {
    for (std::size_t o = 0; o < Out; ++o) {
      const T dz = delta[o];
      for (std::size_t i = 0; i < In; ++i) {
        w[o * In + i] = optimizer.updated(offset + o * In + i, w[o * In + i], dz * x[i]);
      }
    }
    for (std::size_t o = 0; o < Out; ++o) {
      b[o] = optimizer.updated(offset + Out * In + o, b[o], delta[o]);
    }
  }
}

// A layer above the first, update path: the delta of the layer below into `below`, taken with
// each weight before its update, and the update of W and b, in the same pass over W.
template <std::size_t In, std::size_t Out, class BelowActivation, class T, class Optimizer>
constexpr void update_upper_layer(T* __restrict w, T* __restrict b, const T* __restrict delta,
                                  const T* __restrict x, T* __restrict below,
                                  Optimizer& optimizer, std::size_t offset) {
  if constexpr (Out == 1) {
    const T dz = delta[0];
    for (std::size_t i = 0; i < In; ++i) {
      const T weight = w[i];
      below[i] = (weight * dz) * BelowActivation::derivative_from_output(x[i]);
      w[i] = optimizer.updated(offset + i, weight, dz * x[i]);
    }
  } else {
    for (std::size_t o = 0; o < Out; ++o) {
      const T dz = delta[o];
      if (o == 0) {
        for (std::size_t i = 0; i < In; ++i) {
          const T weight = w[i];
          below[i] = T(0) + weight * dz;
          w[i] = optimizer.updated(offset + i, weight, dz * x[i]);
        }
      } else {
        for (std::size_t i = 0; i < In; ++i) {
          const T weight = w[o * In + i];
          below[i] += weight * dz;
          w[o * In + i] = optimizer.updated(offset + o * In + i, weight, dz * x[i]);
        }
      }
    }
    for (std::size_t i = 0; i < In; ++i) {
      below[i] *= BelowActivation::derivative_from_output(x[i]);
    }
  }
  for (std::size_t o = 0; o < Out; ++o) {
    b[o] = optimizer.updated(offset + Out * In + o, b[o], delta[o]);
  }
}

// The first two layers of a network with one input under a layer with one output, as in 1-H-1:
// unit i of the first layer gets its whole delta from weight i of the second, so one pass over
// the H units updates both layers. The arithmetic is that of update_upper_layer followed by
// update_first_layer; w and b are the second layer's, w0 and b0 the first's.
template <std::size_t Hidden, class HiddenActivation, class T, class Optimizer>
constexpr void update_first_two_layers(T* __restrict w, T* __restrict b, T* __restrict w0,
                                       T* __restrict b0, const T* __restrict delta,
                                       const T* __restrict hidden, const T* __restrict input,
                                       Optimizer& optimizer, std::size_t offset,
                                       std::size_t offset0) {
  const T dz = delta[0];
  const T x0 = input[0];
  for (std::size_t i = 0; i < Hidden; ++i) {
    const T weight = w[i];
    const T below = (weight * dz) * HiddenActivation::derivative_from_output(hidden[i]);
    w[i] = optimizer.updated(offset + i, weight, dz * hidden[i]);
    w0[i] = optimizer.updated(offset0 + i, w0[i], below * x0);
    b0[i] = optimizer.updated(offset0 + Hidden + i, b0[i], below);
  }
  b[0] = optimizer.updated(offset + Hidden, b[0], dz);
}

// The gradient path of the same two layers, with the arithmetic of accumulate_upper_layer
// followed by accumulate_first_layer.
template <std::size_t Hidden, class HiddenActivation, class T>
constexpr void accumulate_first_two_layers(const T* __restrict w, T* __restrict gw,
                                           T* __restrict gb, T* __restrict gw0,
                                           T* __restrict gb0, const T* __restrict delta,
                                           const T* __restrict hidden,
                                           const T* __restrict input) {
  const T dz = delta[0];
  const T x0 = input[0];
  for (std::size_t i = 0; i < Hidden; ++i) {
    const T below = (w[i] * dz) * HiddenActivation::derivative_from_output(hidden[i]);
    gw[i] += dz * hidden[i];
    gw0[i] += below * x0;
    gb0[i] += below;
  }
  gb[0] += dz;
}

// The same kernels in calls of their own, for wide layers (see outlined_layer_weights).
template <std::size_t Out, class Activation, class T>
[[gnu::noinline]] constexpr void scale_by_derivative_outlined(T* __restrict delta,
                                                              const T* __restrict y) {
  scale_by_derivative<Out, Activation>(delta, y);
}

template <std::size_t In, std::size_t Out, class T>
[[gnu::noinline]] constexpr void accumulate_first_layer_outlined(T* __restrict gw,
                                                                 T* __restrict gb,
                                                                 const T* __restrict delta,
                                                                 const T* __restrict x) {
  accumulate_first_layer<In, Out>(gw, gb, delta, x);
}

template <std::size_t In, std::size_t Out, class BelowActivation, class T>
[[gnu::noinline]] constexpr void accumulate_upper_layer_outlined(
    const T* __restrict w, T* __restrict gw, T* __restrict gb, const T* __restrict delta,
    const T* __restrict x, T* __restrict below) {
  accumulate_upper_layer<In, Out, BelowActivation>(w, gw, gb, delta, x, below);
}

template <std::size_t In, std::size_t Out, class T, class Optimizer>
[[gnu::noinline]] constexpr void update_first_layer_outlined(T* __restrict w, T* __restrict b,
                                                             const T* __restrict delta,
                                                             const T* __restrict x,
                                                             Optimizer& optimizer,
                                                             std::size_t offset) {
  update_first_layer<In, Out>(w, b, delta, x, optimizer, offset);
}

template <std::size_t In, std::size_t Out, class BelowActivation, class T, class Optimizer>
[[gnu::noinline]] constexpr void update_upper_layer_outlined(
    T* __restrict w, T* __restrict b, const T* __restrict delta, const T* __restrict x,
    T* __restrict below, Optimizer& optimizer, std::size_t offset) {
  update_upper_layer<In, Out, BelowActivation>(w, b, delta, x, below, optimizer, offset);
}

template <std::size_t Hidden, class HiddenActivation, class T, class Optimizer>
[[gnu::noinline]] constexpr void update_first_two_layers_outlined(
    T* __restrict w, T* __restrict b, T* __restrict w0, T* __restrict b0,
    const T* __restrict delta, const T* __restrict hidden, const T* __restrict input,
    Optimizer& optimizer, std::size_t offset, std::size_t offset0) {
  update_first_two_layers<Hidden, HiddenActivation>(w, b, w0, b0, delta, hidden, input,
                                                    optimizer, offset, offset0);
}

template <std::size_t Hidden, class HiddenActivation, class T>
[[gnu::noinline]] constexpr void accumulate_first_two_layers_outlined(
    const T* __restrict w, T* __restrict gw, T* __restrict gb, T* __restrict gw0,
    T* __restrict gb0, const T* __restrict delta, const T* __restrict hidden,
    const T* __restrict input) {
  accumulate_first_two_layers<Hidden, HiddenActivation>(w, gw, gb, gw0, gb0, delta, hidden,
                                                        input);
}

template <std::size_t In, std::size_t Out>
inline constexpr bool outlined_layer = In * Out >= outlined_layer_weights;

template <std::size_t L, class Net>
constexpr const typename Net::Scalar* layer_inputs(const typename Net::Scalar* input,
                                                   const Workspace<Net>& workspace) {
  return L == 0 ? input : layer_outputs(workspace, L == 0 ? 0 : L - 1);
}

// True when layers 1 and 0 run as one pass (see update_first_two_layers).
template <class Net>
constexpr bool fuses_first_two_layers() {
  if constexpr (Net::layer_count >= 2) {
    return Net::widths[0] == 1 && Net::widths[2] == 1;
  } else {
    return false;
  }
}

// Layer L's delta lives in workspace.delta for the output layer and alternates between the two
// buffers going down, so that no layer copies the delta it hands on.
template <std::size_t L, class Net>
constexpr typename Net::Scalar* delta_of_layer(Workspace<Net>& workspace) {
  return (Net::layer_count - 1 - L) % 2 == 0 ? workspace.delta.data()
                                             : workspace.delta_below.data();
}

// Scales the output layer's dLoss/dy by its activation's derivative, giving its delta.
template <class Net>
constexpr void output_layer_delta(Workspace<Net>& workspace) {
  constexpr std::size_t top = Net::layer_count - 1;
  constexpr std::size_t in_size = Net::widths[top];
  constexpr std::size_t out_size = Net::widths[top + 1];
  using Activation = typename Net::template LayerActivation<top>;
  if constexpr (outlined_layer<in_size, out_size>) {
    scale_by_derivative_outlined<out_size, Activation>(workspace.delta.data(),
                                                       layer_outputs(workspace, top));
  } else {
    scale_by_derivative<out_size, Activation>(workspace.delta.data(),
                                              layer_outputs(workspace, top));
  }
}

// Backpropagates through layer L, whose delta dLoss/dz is in delta_of_layer<L>: adds the layer's
// gradient into `gradient` and, for L > 0, leaves the delta of layer L - 1 in delta_of_layer<L - 1>,
// computed with the weights as they were in the forward pass.
template <std::size_t L, class Net>
constexpr void backward_layer(const Net& net, const typename Net::Scalar* input,
                              typename Net::Parameters& gradient, Workspace<Net>& workspace) {
  constexpr std::size_t in_size = Net::widths[L];
  constexpr std::size_t out_size = Net::widths[L + 1];
  constexpr std::size_t weight_offset = Net::layer_offsets[L];
  constexpr std::size_t bias_offset = weight_offset + out_size * in_size;
  auto* gw = gradient.data() + weight_offset;
  auto* gb = gradient.data() + bias_offset;
  const auto* delta = delta_of_layer<L>(workspace);
  const auto* x = layer_inputs<L>(input, workspace);

  if constexpr (fuses_first_two_layers<Net>() && L <= 1) {
    if constexpr (L == 1) {
      using Hidden = typename Net::template LayerActivation<0>;
      const auto* w = net.parameters().data() + weight_offset;
      auto* gw0 = gradient.data();
      auto* gb0 = gw0 + in_size;
      if constexpr (outlined_layer<in_size, out_size>) {
        accumulate_first_two_layers_outlined<in_size, Hidden>(w, gw, gb, gw0, gb0, delta, x,
                                                              input);
      } else {
        accumulate_first_two_layers<in_size, Hidden>(w, gw, gb, gw0, gb0, delta, x, input);
      }
    }
  } else if constexpr (L == 0) {
    if constexpr (outlined_layer<in_size, out_size>) {
      accumulate_first_layer_outlined<in_size, out_size>(gw, gb, delta, x);
    } else {
      accumulate_first_layer<in_size, out_size>(gw, gb, delta, x);
    }
  } else {
    using Below = typename Net::template LayerActivation<L == 0 ? 0 : L - 1>;
    const auto* w = net.parameters().data() + weight_offset;
    auto* below = delta_of_layer<L == 0 ? 0 : L - 1>(workspace);
    if constexpr (outlined_layer<in_size, out_size>) {
      accumulate_upper_layer_outlined<in_size, out_size, Below>(w, gw, gb, delta, x, below);
    } else {
      accumulate_upper_layer<in_size, out_size, Below>(w, gw, gb, delta, x, below);
    }
  }
}

// backward_layer with the update folded in: each parameter of layer L becomes
// optimizer.updated(index, parameter, its gradient) right after the delta of the layer below
// has read it. Used for batches of one sample, whose gradient is the whole update's gradient.
template <std::size_t L, class Net, class Optimizer>
constexpr void backward_update_layer(Net& net, const typename Net::Scalar* input,
                                     Optimizer& optimizer, Workspace<Net>& workspace) {
  constexpr std::size_t in_size = Net::widths[L];
  constexpr std::size_t out_size = Net::widths[L + 1];
  constexpr std::size_t weight_offset = Net::layer_offsets[L];
  constexpr std::size_t bias_offset = weight_offset + out_size * in_size;
  auto* w = net.parameters().data() + weight_offset;
  auto* b = net.parameters().data() + bias_offset;
  const auto* delta = delta_of_layer<L>(workspace);
  const auto* x = layer_inputs<L>(input, workspace);

  if constexpr (fuses_first_two_layers<Net>() && L <= 1) {
    if constexpr (L == 1) {
      using Hidden = typename Net::template LayerActivation<0>;
      auto* w0 = net.parameters().data();
      auto* b0 = w0 + in_size;
      if constexpr (outlined_layer<in_size, out_size>) {
        update_first_two_layers_outlined<in_size, Hidden>(w, b, w0, b0, delta, x, input,
                                                          optimizer, weight_offset, 0);
      } else {
        update_first_two_layers<in_size, Hidden>(w, b, w0, b0, delta, x, input, optimizer,
                                                 weight_offset, 0);
      }
    }
  } else if constexpr (L == 0) {
    if constexpr (outlined_layer<in_size, out_size>) {
      update_first_layer_outlined<in_size, out_size>(w, b, delta, x, optimizer, weight_offset);
    } else {
      update_first_layer<in_size, out_size>(w, b, delta, x, optimizer, weight_offset);
    }
  } else {
    using Below = typename Net::template LayerActivation<L == 0 ? 0 : L - 1>;
    auto* below = delta_of_layer<L == 0 ? 0 : L - 1>(workspace);
    if constexpr (outlined_layer<in_size, out_size>) {
      update_upper_layer_outlined<in_size, out_size, Below>(w, b, delta, x, below, optimizer,
                                                           weight_offset);
    } else {
      update_upper_layer<in_size, out_size, Below>(w, b, delta, x, below, optimizer,
                                                   weight_offset);
    }
  }
}

// Backpropagates the output's dLoss/dy in workspace.delta through every layer, updating each
// layer right after its delta is known. The output's delta is multiplied by `delta_scale`
// first (1 for the optimizers that scale each gradient themselves).
template <class Net, class Optimizer, std::size_t... Ls>
constexpr void backward_update_layers(Net& net, const typename Net::Scalar* input,
                                      Optimizer& optimizer, Workspace<Net>& workspace,
                                      typename Net::Scalar delta_scale,
                                      std::index_sequence<Ls...>) {
  output_layer_delta(workspace);
  for (std::size_t o = 0; o < Net::output_size; ++o) {
    workspace.delta[o] = delta_scale * workspace.delta[o];
  }
  (backward_update_layer<Net::layer_count - 1 - Ls>(net, input, optimizer, workspace), ...);
}

// True for an optimizer whose per-sample update is the learning rate times the gradient, which
// train_sample() folds into the output's delta (see Sgd).
template <class Optimizer, class = void>
struct ScalesOutputDelta : std::false_type {};
template <class Optimizer>
struct ScalesOutputDelta<Optimizer, std::enable_if_t<Optimizer::scales_output_delta>>
    : std::true_type {};

// The update of an optimizer that scales the output's delta: the gradient arrives scaled.
struct SubtractScaledGradient {
  template <class T>
  constexpr T updated(std::size_t, T parameter, T scaled_gradient) const {
    return parameter - scaled_gradient;
  }
};

// True for an optimizer with the per-parameter form of step(): begin_step() and updated().
template <class Optimizer, class T, class = void>
struct HasPerParameterUpdate : std::false_type {};
template <class Optimizer, class T>
struct HasPerParameterUpdate<
    Optimizer, T,
    std::void_t<decltype(std::declval<Optimizer&>().begin_step()),
                decltype(std::declval<Optimizer&>().updated(std::size_t{}, T{}, T{}))>>
    : std::true_type {};

template <class Net, std::size_t... Ls>
constexpr void backward_layers(const Net& net, const typename Net::Scalar* input,
                               typename Net::Parameters& gradient, Workspace<Net>& workspace,
                               std::index_sequence<Ls...>) {
  output_layer_delta(workspace);
  (backward_layer<Net::layer_count - 1 - Ls>(net, input, gradient, workspace), ...);
}

}  // namespace detail

// Squared error of one sample, sum over outputs of (y_hat - y)^2, leaving the forward pass
// in workspace.activations.
template <class Net>
constexpr typename Net::Scalar sample_squared_error(const Net& net,
                                                    const typename Net::SampleType& sample,
                                                    Workspace<Net>& workspace) {
  using T = typename Net::Scalar;
  net.forward(sample.input.data(), workspace.activations);
  const T* y_hat = detail::layer_outputs(workspace, Net::layer_count - 1);
  T loss = 0;
  for (std::size_t o = 0; o < Net::output_size; ++o) {
    const T error = y_hat[o] - sample.target[o];
    loss += error * error;
  }
  return loss;
}

// Adds scale * d/dparameters of sum_o (y_hat_o - y_o)^2 for one sample into `gradient`, and
// returns that squared error. With scale = 1/N over N samples this builds the MSE gradient.
template <class Net>
constexpr typename Net::Scalar accumulate_gradient(const Net& net,
                                                   const typename Net::SampleType& sample,
                                                   typename Net::Scalar scale,
                                                   typename Net::Parameters& gradient,
                                                   Workspace<Net>& workspace) {
  using T = typename Net::Scalar;
  const T loss = sample_squared_error(net, sample, workspace);

  // d/dy_hat of scale * (y_hat - y)^2 = 2 * scale * (y_hat - y).
  const T* y_hat = detail::layer_outputs(workspace, Net::layer_count - 1);
  for (std::size_t o = 0; o < Net::output_size; ++o) {
    workspace.delta[o] = T(2) * scale * (y_hat[o] - sample.target[o]);
  }
  if constexpr (detail::is_one_hidden_layer_v<Net>) {
    // The same arithmetic as backward_layers, in one sweep over the hidden units.
    using Kernel = detail::OneHiddenLayer<Net>;
    using Output = typename Net::template LayerActivation<1>;
    const T dz = workspace.delta[0] * Output::derivative_from_output(y_hat[0]);
    Kernel::accumulate(net.parameters().data(), workspace.activations.data(),
                       sample.input[0], dz, gradient.data());
  } else {
    detail::backward_layers(net, sample.input.data(), gradient, workspace,
                            std::make_index_sequence<Net::layer_count>{});
  }
  return loss;
}

// One update on one sample: the new parameters of accumulate_gradient() with scale 1 into a
// zeroed gradient followed by optimizer.step(), but each layer is updated while backpropagating,
// with no gradient buffer. The optimizer needs begin_step() and updated(). For Momentum and Adam
// the bits are the same; Sgd multiplies the output's delta by the learning rate once instead of
// every gradient, which gives the same update up to rounding. Returns the sample's squared error
// before the update.
template <class Net, class Optimizer>
constexpr typename Net::Scalar train_sample(Net& net, Optimizer& optimizer,
                                            const typename Net::SampleType& sample,
                                            Workspace<Net>& workspace) {
  static_assert(detail::OptimizerFits<Optimizer, Net>::value,
                "staticmlp: train_sample() needs an optimizer made for this network, such as "
                "Adam<Net>");
  using T = typename Net::Scalar;
  const T loss = sample_squared_error(net, sample, workspace);

  // d/dy_hat of (y_hat - y)^2 = 2 * (y_hat - y).
  const T* y_hat = detail::layer_outputs(workspace, Net::layer_count - 1);
  for (std::size_t o = 0; o < Net::output_size; ++o) {
    workspace.delta[o] = T(2) * (y_hat[o] - sample.target[o]);
  }
  optimizer.begin_step();
  constexpr auto layers = std::make_index_sequence<Net::layer_count>{};
  if constexpr (detail::ScalesOutputDelta<Optimizer>::value &&
                detail::is_one_hidden_layer_v<Net>) {
    using Kernel = detail::OneHiddenLayer<Net>;
    const T g = Kernel::scaled_output_delta(y_hat[0], sample.target[0], optimizer.learning_rate);
    Kernel::sgd_update(net.parameters().data(), workspace.activations.data(), sample.input[0], g);
  } else if constexpr (detail::ScalesOutputDelta<Optimizer>::value) {
    detail::SubtractScaledGradient subtract{};
    detail::backward_update_layers(net, sample.input.data(), subtract, workspace,
                                   optimizer.learning_rate, layers);
  } else {
    detail::backward_update_layers(net, sample.input.data(), optimizer, workspace, T(1), layers);
  }
  return loss;
}

// Mean squared error over `samples`; NaN for an empty view.
template <class Net>
constexpr typename Net::Scalar mean_squared_error(
    const Net& net,
    SampleView<typename Net::Scalar, Net::input_size, Net::output_size> samples) {
  using T = typename Net::Scalar;
  if (samples.size == 0) {
    return std::numeric_limits<T>::quiet_NaN();
  }
  Workspace<Net> workspace{};
  T total = 0;
  for (std::size_t s = 0; s < samples.size; ++s) {
    total += sample_squared_error(net, samples[s], workspace);
  }
  return total / static_cast<T>(samples.size);
}

template <class Net, std::size_t N>
constexpr typename Net::Scalar mean_squared_error(
    const Net& net, const std::array<typename Net::SampleType, N>& samples) {
  return mean_squared_error(
      net, SampleView<typename Net::Scalar, Net::input_size, Net::output_size>(samples));
}

// Sets `gradient` to the gradient of the MSE over `samples` and returns the MSE.
// An empty view gives a zero gradient and a NaN loss. The samples are not checked: an infinite
// input into tanh or sigmoid saturates to a finite loss, while its weight's gradient is NaN
// (0 times infinity). check_samples<Net>() in fit.hpp, which fit() calls, names such a value.
template <class Net>
constexpr typename Net::Scalar loss_and_gradient(
    const Net& net, SampleView<typename Net::Scalar, Net::input_size, Net::output_size> samples,
    typename Net::Parameters& gradient, Workspace<Net>& workspace) {
  using T = typename Net::Scalar;
  for (T& g : gradient) {
    g = T(0);
  }
  if (samples.size == 0) {
    return std::numeric_limits<T>::quiet_NaN();
  }
  const T scale = T(1) / static_cast<T>(samples.size);
  T total = 0;
  if constexpr (detail::accumulates_in_kernel<Net>()) {
    // The loop below in one sweep over the hidden units per sample, or with the network and the
    // gradient in registers (one_hidden_layer.hpp).
    total = detail::OneHiddenLayer<Net>::accumulate_samples(net.parameters().data(), samples,
                                                            nullptr, samples.size, scale,
                                                            gradient.data(),
                                                            workspace.activations.data());
  } else {
    for (std::size_t s = 0; s < samples.size; ++s) {
      total += accumulate_gradient(net, samples[s], scale, gradient, workspace);
    }
  }
  return total * scale;
}

// The gradient of mean_squared_error(net, samples) with respect to net.parameters().
template <class Net>
constexpr typename Net::Parameters gradient(
    const Net& net,
    SampleView<typename Net::Scalar, Net::input_size, Net::output_size> samples) {
  typename Net::Parameters result{};
  Workspace<Net> workspace{};
  static_cast<void>(loss_and_gradient(net, samples, result, workspace));
  return result;
}

template <class Net, std::size_t N>
constexpr typename Net::Parameters gradient(
    const Net& net, const std::array<typename Net::SampleType, N>& samples) {
  return gradient(net,
                  SampleView<typename Net::Scalar, Net::input_size, Net::output_size>(samples));
}

}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
