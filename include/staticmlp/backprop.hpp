// The loss and its gradient by handwritten backpropagation.
// Loss: mean squared error, MSE = (1/N) * sum over samples of sum over outputs of (y_hat - y)^2.
// gradient() returns the exact gradient of that number with respect to every parameter, in the
// parameter layout of mlp.hpp. The Workspace holds every buffer backpropagation needs; its size
// is a compile-time constant. All functions are constexpr and allocate nothing.
#pragma once

#include <array>
#include <cstddef>
#include <limits>
#include <utility>

#include "dataset.hpp"
#include "mlp.hpp"

namespace staticmlp {

// Buffers for one forward and backward pass: every layer's outputs, and the loss's derivative
// with respect to the outputs of the layer being processed and of the layer below it.
template <class Net>
struct Workspace {
  using T = typename Net::Scalar;
  typename Net::Activations activations{};
  std::array<T, Net::max_width> delta{};
  std::array<T, Net::max_width> delta_below{};
};

namespace detail {

template <class Net>
constexpr const typename Net::Scalar* layer_outputs(const Workspace<Net>& workspace,
                                                    std::size_t layer) {
  return workspace.activations.data() + Net::activation_offsets[layer];
}

// Backpropagates through layer L. On entry workspace.delta holds dLoss/dy for the layer's
// outputs y; on exit the layer's gradient is added into `gradient` and, for L > 0,
// workspace.delta holds dLoss/dx for its inputs x (the outputs of layer L - 1).
template <std::size_t L, class Net>
constexpr void backward_layer(const Net& net, const typename Net::Scalar* input,
                              typename Net::Parameters& gradient, Workspace<Net>& workspace) {
  using T = typename Net::Scalar;
  using Activation = typename Net::template LayerActivation<L>;
  constexpr std::size_t in_size = Net::widths[L];
  constexpr std::size_t out_size = Net::widths[L + 1];
  constexpr std::size_t weight_offset = Net::layer_offsets[L];
  constexpr std::size_t bias_offset = weight_offset + out_size * in_size;

  const T* x = L == 0 ? input : layer_outputs(workspace, L == 0 ? 0 : L - 1);
  const T* y = layer_outputs(workspace, L);
  const T* w = net.parameters().data() + weight_offset;

  // dLoss/dz = dLoss/dy * f'(z), with f' taken from the stored output y = f(z).
  for (std::size_t o = 0; o < out_size; ++o) {
    workspace.delta[o] *= Activation::derivative_from_output(y[o]);
  }

  // dLoss/dW[o][i] = dLoss/dz[o] * x[i]; dLoss/db[o] = dLoss/dz[o].
  for (std::size_t o = 0; o < out_size; ++o) {
    const T dz = workspace.delta[o];
    for (std::size_t i = 0; i < in_size; ++i) {
      gradient[weight_offset + o * in_size + i] += dz * x[i];
    }
    gradient[bias_offset + o] += dz;
  }

  // dLoss/dx[i] = sum_o W[o][i] * dLoss/dz[o], with the weights as they were in the forward pass.
  if constexpr (L > 0) {
    for (std::size_t i = 0; i < in_size; ++i) {
      workspace.delta_below[i] = T(0);
    }
    for (std::size_t o = 0; o < out_size; ++o) {
      const T dz = workspace.delta[o];
      for (std::size_t i = 0; i < in_size; ++i) {
        workspace.delta_below[i] += w[o * in_size + i] * dz;
      }
    }
    for (std::size_t i = 0; i < in_size; ++i) {
      workspace.delta[i] = workspace.delta_below[i];
    }
  }
}

template <class Net, std::size_t... Ls>
constexpr void backward_layers(const Net& net, const typename Net::Scalar* input,
                               typename Net::Parameters& gradient, Workspace<Net>& workspace,
                               std::index_sequence<Ls...>) {
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
  detail::backward_layers(net, sample.input.data(), gradient, workspace,
                          std::make_index_sequence<Net::layer_count>{});
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
// An empty view gives a zero gradient and a NaN loss.
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
  for (std::size_t s = 0; s < samples.size; ++s) {
    total += accumulate_gradient(net, samples[s], scale, gradient, workspace);
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
