// The training loop: fit(net, optimizer, samples, options, progress) runs epochs of full-batch,
// mini-batch or per-sample updates, optionally reshuffling the samples each epoch with the
// engine's generator, and returns a FitResult with the status, the epochs run and the losses.
// Bad data and bad settings are rejected before any update. If the loss turns non-finite or
// diverges, the network and optimizer are restored to the last state with a finite loss (see
// FitResult) and never hold NaN. constexpr: a model can be trained inside a constant expression.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "backprop.hpp"
#include "dataset.hpp"
#include "math.hpp"
#include "optimizer.hpp"
#include "random.hpp"
#include "status.hpp"
#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {

// FitOptions::batch_size value that makes every update use the whole data set.
inline constexpr std::size_t full_batch = 0;

template <class T>
struct FitOptions {
  std::size_t epochs = 1000;
  // 0 (full_batch): one update per epoch on the whole data set; 1: one update per sample;
  // k: mini-batches of k samples (the last one may be smaller). Values of N and above mean full
  // batch, except 1, which is per sample even for a single sample.
  std::size_t batch_size = full_batch;
  // Visit the samples in a new random order every epoch (ignored for full batch).
  bool shuffle = false;
  std::uint64_t shuffle_seed = 0;
  // Stop once an epoch's loss is at or below this. The default 0 stops only on an exact fit.
  // NaN is rejected with fit_options_invalid (setting 1).
  T target_loss = T(0);
  // Fail with loss_diverged once an epoch's loss exceeds this factor times the larger of the
  // initial loss and the mean squared target (the loss of predicting 0); 0 turns the check
  // off. Other values must be finite and at least 1, or fit() returns fit_options_invalid.
  // Non-finite losses always fail.
  T divergence_factor = T(1e6);
};

template <class T>
struct [[nodiscard]] FitResult {
  Status status{};
  // Number of epochs whose updates the returned network contains. After a failure this counts
  // the epochs of the restored state, which is 0 when fit() restored its starting state.
  std::size_t epochs = 0;
  // MSE before the first update.
  T initial_loss = T(0);
  // MSE of the parameters that fit() leaves in the network.
  T final_loss = T(0);
  // True when training stopped because the loss reached options.target_loss.
  bool reached_target = false;

  constexpr bool ok() const { return status.ok(); }
};

// The default progress callback: does nothing.
struct NoProgress {
  template <class T>
  constexpr void operator()(std::size_t, T) const {}
};

template <class Net>
constexpr Status check_samples(
    SampleView<typename Net::Scalar, Net::input_size, Net::output_size> samples) {
  if (samples.size == 0) {
    return make_status(StatusCode::empty_dataset);
  }
  for (std::size_t s = 0; s < samples.size; ++s) {
    for (auto value : samples[s].input) {
      if (!is_finite(value)) {
        return make_status(StatusCode::input_not_finite, s, static_cast<double>(value));
      }
    }
    for (auto value : samples[s].target) {
      if (!is_finite(value)) {
        return make_status(StatusCode::target_not_finite, s, static_cast<double>(value));
      }
    }
  }
  return ok_status();
}

namespace detail {

template <class Parameters>
constexpr bool all_finite(const Parameters& parameters) {
  for (auto value : parameters) {
    if (!is_finite(value)) {
      return false;
    }
  }
  return true;
}

// Returns the mean over the samples of the summed squared targets: the loss of a network that
// predicts 0 everywhere. The samples are not empty.
template <class T, std::size_t In, std::size_t Out>
constexpr T mean_squared_target(SampleView<T, In, Out> samples) {
  T total = 0;
  for (std::size_t s = 0; s < samples.size; ++s) {
    for (std::size_t o = 0; o < Out; ++o) {
      total += samples[s].target[o] * samples[s].target[o];
    }
  }
  return total / static_cast<T>(samples.size);
}

// Returns the index of the first non-finite parameter, or parameters.size() if there is none.
template <class Parameters>
constexpr std::size_t first_non_finite(const Parameters& parameters) {
  std::size_t i = 0;
  while (i < parameters.size() && is_finite(parameters[i])) {
    ++i;
  }
  return i;
}

// Returns true when every update uses all n samples. batch_size 1 stays per-sample for a single
// sample too, because per-sample Sgd rounds its update differently from the other modes.
template <class T>
constexpr bool uses_whole_batch(const FitOptions<T>& options, std::size_t n) {
  return options.batch_size == full_batch || (options.batch_size >= n && options.batch_size != 1);
}

// Returns true when fit() reorders the samples each epoch and so needs an index buffer of n
// entries. One sample has only one order, so it is never shuffled.
template <class T>
constexpr bool shuffles_samples(const FitOptions<T>& options, std::size_t n) {
  return options.shuffle && n > 1 && !uses_whole_batch(options, n);
}

// Calls progress(epoch, loss); returns false when a callback that returns bool requests a stop.
template <class Callback, class T>
constexpr bool report_progress(Callback& progress, std::size_t epoch, T loss) {
  if constexpr (std::is_same_v<std::invoke_result_t<Callback&, std::size_t, T>, bool>) {
    return progress(epoch, loss);
  } else {
    progress(epoch, loss);
    return true;
  }
}

// The loop itself. `order` has room for samples.size indices when shuffling, else it may be null.
template <class Net, class Optimizer, class Callback>
constexpr FitResult<typename Net::Scalar> fit_samples(
    Net& net, Optimizer& optimizer,
    SampleView<typename Net::Scalar, Net::input_size, Net::output_size> samples,
    std::uint32_t* order, const FitOptions<typename Net::Scalar>& options, Callback& progress) {
  static_assert(detail::OptimizerFits<Optimizer, Net>::value,
                "staticmlp: fit() needs an optimizer made for this network, such as Adam<Net>");
  using T = typename Net::Scalar;
  FitResult<T> result{};
  result.status = check_samples<Net>(samples);
  if (!result.status.ok()) {
    return result;
  }
  result.status = optimizer.check();
  if (!result.status.ok()) {
    return result;
  }
  const T factor = options.divergence_factor;
  if (!is_finite(factor) || (factor != T(0) && !(factor >= T(1)))) {
    result.status = make_status(StatusCode::fit_options_invalid, 0, static_cast<double>(factor));
    return result;
  }
  // A NaN target is never reached, so it would hide a mistake. -inf and +inf are meaningful:
  // "never stop early" and "already reached".
  if (options.target_loss != options.target_loss) {
    result.status = make_status(StatusCode::fit_options_invalid, 1,
                                static_cast<double>(options.target_loss));
    return result;
  }

  const std::size_t n = samples.size;
  const bool whole_batch = uses_whole_batch(options, n);
  const std::size_t batch_size = whole_batch ? n : options.batch_size;
  const bool shuffling = shuffles_samples(options, n);
  if (shuffling) {
    for (std::size_t s = 0; s < n; ++s) {
      order[s] = static_cast<std::uint32_t>(s);
    }
  }
  SplitMix64 generator(options.shuffle_seed);

  const std::size_t parameter_count = net.parameters().size();
  const std::size_t bad_start = first_non_finite(net.parameters());
  if (bad_start < parameter_count) {
    result.status = make_status(StatusCode::initial_parameters_not_finite, bad_start,
                                static_cast<double>(net.parameters()[bad_start]));
    return result;
  }
  // These checks, and those after each epoch, are written out where they run: shared helpers
  // grew the M4F training image by 92 bytes and the checked sample step by 18 instructions.
  const auto start_state = non_finite_state<T>(optimizer, parameter_count);
  if (start_state.index < parameter_count) {
    result.status = make_status(StatusCode::optimizer_state_not_finite, start_state.index,
                                static_cast<double>(start_state.value));
    return result;
  }
  result.initial_loss = mean_squared_error(net, samples);
  result.final_loss = result.initial_loss;
  if (!is_finite(result.initial_loss)) {
    result.status = make_status(StatusCode::initial_loss_not_finite, 0,
                                static_cast<double>(result.initial_loss));
    return result;
  }
  // The limit scales with the larger of the initial loss and the loss of predicting 0 for
  // every target. A fit resumed from a near-exact start (an initial loss of 1e-16, say) would
  // otherwise count its first ordinary step as divergence.
  // Targets so large that this limit overflows fall back to the initial loss alone, which
  // keeps a finite limit wherever one existed before.
  const T zero_prediction_loss = mean_squared_target(samples);
  const T divergence_scale =
      result.initial_loss > zero_prediction_loss ? result.initial_loss : zero_prediction_loss;
  const T scaled_limit = options.divergence_factor * divergence_scale;
  const T divergence_limit =
      is_finite(scaled_limit) ? scaled_limit : options.divergence_factor * result.initial_loss;
  const bool check_divergence = options.divergence_factor > T(0);

  // The state to restore if training fails. Full batch measures its loss every epoch; the
  // other modes keep the epoch's start, whose loss fail() measures before trusting it.
  Net good_net = net;
  Optimizer good_optimizer = optimizer;
  // Number of epochs whose updates good_net contains.
  std::size_t good_epochs = 0;
  // The state fit() started from: its loss is finite and below the divergence limit.
  const Net initial_net = net;
  const Optimizer initial_optimizer = optimizer;
  typename Net::Parameters gradient{};
  Workspace<Net> workspace{};

  const auto is_bad = [&](T loss) {
    return !is_finite(loss) || (check_divergence && loss > divergence_limit);
  };
  // Restores the last good state, or the starting one if that is not good, and reports `code`
  // with `index` (an epoch or a parameter) and `value`.
  const auto fail = [&](StatusCode code, std::size_t index, T value) {
    net = good_net;
    optimizer = good_optimizer;
    result.epochs = good_epochs;
    T restored_loss = mean_squared_error(net, samples);
    if (is_bad(restored_loss) || !all_finite(net.parameters()) ||
        non_finite_state<T>(optimizer, parameter_count).index < parameter_count) {
      net = initial_net;
      optimizer = initial_optimizer;
      result.epochs = 0;
      restored_loss = result.initial_loss;
    }
    result.status = make_status(code, index, static_cast<double>(value));
    result.final_loss = restored_loss;
    return result;
  };
  const auto bad_code = [](T loss) {
    return is_finite(loss) ? StatusCode::loss_diverged : StatusCode::loss_not_finite;
  };

  for (std::size_t epoch = 1; epoch <= options.epochs; ++epoch) {
    T epoch_loss = 0;
    if (whole_batch) {
      // The loss is that of the parameters before this epoch's update.
      epoch_loss = loss_and_gradient(net, samples, gradient, workspace);
      if (is_bad(epoch_loss)) {
        return fail(bad_code(epoch_loss), epoch, epoch_loss);
      }
      // A finite loss does not rule out a non-finite parameter, such as an infinite weight of
      // a ReLU unit that never activates.
      const std::size_t bad = first_non_finite(net.parameters());
      if (bad < parameter_count) {
        return fail(StatusCode::parameters_not_finite, epoch, net.parameters()[bad]);
      }
      const auto state = non_finite_state<T>(optimizer, parameter_count);
      if (state.index < parameter_count) {
        return fail(StatusCode::optimizer_state_not_finite, state.index, state.value);
      }
      good_net = net;
      good_optimizer = optimizer;
      good_epochs = epoch - 1;
      if (epoch_loss <= options.target_loss) {
        result.reached_target = true;
        break;
      }
      optimizer.step(net.parameters(), gradient);
    } else {
      good_net = net;
      good_optimizer = optimizer;
      good_epochs = epoch - 1;
      if (shuffling) {
        shuffle(order, n, generator);
      }
      // The epoch loss is the mean of each sample's loss just before its batch's update.
      T loss_sum = 0;
      // Batches of one update each layer while backpropagating, when the optimizer can.
      constexpr bool can_fuse = detail::HasPerParameterUpdate<Optimizer, T>::value;
      const bool fused = can_fuse && batch_size == 1;
      // Sgd on a 1-H-1 network runs the loop below as one kernel (one_hidden_layer.hpp).
      constexpr bool in_registers = can_fuse && detail::ScalesOutputDelta<Optimizer>::value &&
                                    detail::is_one_hidden_layer_v<Net>;
      if constexpr (in_registers) {
        if (fused) {
          const auto losses = detail::OneHiddenLayer<Net>::sgd_epoch(
              net.parameters().data(), samples, shuffling ? order : nullptr,
              optimizer.learning_rate, workspace.activations.data());
          if (!losses.finite) {
            return fail(StatusCode::loss_not_finite, epoch, losses.bad_loss);
          }
          loss_sum = losses.sum;
        }
      }
      if constexpr (can_fuse && !in_registers) {
        for (std::size_t s = 0; fused && s < n; ++s) {
          const std::size_t index = shuffling ? order[s] : s;
          const T sample_loss = train_sample(net, optimizer, samples[index], workspace);
          if (!is_finite(sample_loss)) {
            // The update is already applied, but fail() restores the epoch's start.
            return fail(StatusCode::loss_not_finite, epoch, sample_loss);
          }
          loss_sum += sample_loss;
        }
      }
      for (std::size_t start = 0; !fused && start < n; start += batch_size) {
        const std::size_t count = start + batch_size <= n ? batch_size : n - start;
        for (T& g : gradient) {
          g = T(0);
        }
        const T scale = T(1) / static_cast<T>(count);
        T batch_loss = 0;
        if constexpr (detail::accumulates_in_kernel<Net>()) {
          // The loop below as one kernel (one_hidden_layer.hpp).
          const auto batch = shuffling ? samples : SampleView<T, 1, 1>(&samples[start], count);
          batch_loss = detail::OneHiddenLayer<Net>::accumulate_samples(
              net.parameters().data(), batch, shuffling ? order + start : nullptr, count, scale,
              gradient.data(), workspace.activations.data());
        } else {
          for (std::size_t s = start; s < start + count; ++s) {
            const std::size_t index = shuffling ? order[s] : s;
            batch_loss += accumulate_gradient(net, samples[index], scale, gradient, workspace);
          }
        }
        if (!is_finite(batch_loss)) {
          return fail(StatusCode::loss_not_finite, epoch, batch_loss);
        }
        loss_sum += batch_loss;
        optimizer.step(net.parameters(), gradient);
      }
      epoch_loss = loss_sum / static_cast<T>(n);
      if (is_bad(epoch_loss)) {
        return fail(bad_code(epoch_loss), epoch, epoch_loss);
      }
      const std::size_t bad = first_non_finite(net.parameters());
      if (bad < parameter_count) {
        return fail(StatusCode::parameters_not_finite, epoch, net.parameters()[bad]);
      }
      const auto state = non_finite_state<T>(optimizer, parameter_count);
      if (state.index < parameter_count) {
        return fail(StatusCode::optimizer_state_not_finite, state.index, state.value);
      }
    }

    result.epochs = epoch;
    if (!report_progress(progress, epoch, epoch_loss)) {
      break;
    }
    if (!whole_batch && epoch_loss <= options.target_loss) {
      result.reached_target = true;
      break;
    }
  }

  result.final_loss = mean_squared_error(net, samples);
  if (is_bad(result.final_loss)) {
    return fail(bad_code(result.final_loss), result.epochs, result.final_loss);
  }
  const std::size_t bad = first_non_finite(net.parameters());
  if (bad < parameter_count) {
    return fail(StatusCode::parameters_not_finite, result.epochs, net.parameters()[bad]);
  }
  const auto state = non_finite_state<T>(optimizer, parameter_count);
  if (state.index < parameter_count) {
    return fail(StatusCode::optimizer_state_not_finite, state.index, state.value);
  }
  return result;
}

}  // namespace detail

// The result of train_sample_checked().
template <class T>
struct [[nodiscard]] SampleResult {
  Status status{};
  // The sample's squared error before the update; 0 when a check failed before the forward pass.
  T loss = T(0);

  constexpr bool ok() const { return status.ok(); }
};

// Runs train_sample() with the checks of fit(), for training on one sample at a time as the
// data arrives. It rejects a non-finite input or target, invalid optimizer settings, and a
// non-finite parameter or optimizer state, before it computes anything. If the sample's loss
// before the update is not finite (initial_loss_not_finite), or the update leaves a non-finite
// parameter (update_not_finite) or optimizer state (optimizer_state_not_finite), it restores the
// network and the optimizer. On every failure both are left as they were.
// NOTE: the copies for that restore take sizeof(Net) + sizeof(Optimizer) of stack, and the checks
// read every parameter and state value twice. train_sample() checks nothing and costs neither.
template <class Net, class Optimizer>
constexpr SampleResult<typename Net::Scalar> train_sample_checked(
    Net& net, Optimizer& optimizer, const typename Net::SampleType& sample,
    Workspace<Net>& workspace) {
  static_assert(detail::OptimizerFits<Optimizer, Net>::value,
                "staticmlp: train_sample_checked() needs an optimizer made for this network, "
                "such as Adam<Net>");
  using T = typename Net::Scalar;
  SampleResult<T> result{};
  result.status = check_samples<Net>(SampleView<T, Net::input_size, Net::output_size>(&sample, 1));
  if (!result.status.ok()) {
    return result;
  }
  result.status = optimizer.check();
  if (!result.status.ok()) {
    return result;
  }
  const std::size_t parameter_count = net.parameters().size();
  const std::size_t bad_start = detail::first_non_finite(net.parameters());
  if (bad_start < parameter_count) {
    result.status = make_status(StatusCode::initial_parameters_not_finite, bad_start,
                                static_cast<double>(net.parameters()[bad_start]));
    return result;
  }
  const auto start_state = detail::non_finite_state<T>(optimizer, parameter_count);
  if (start_state.index < parameter_count) {
    result.status = make_status(StatusCode::optimizer_state_not_finite, start_state.index,
                                static_cast<double>(start_state.value));
    return result;
  }

  const Net saved_net = net;
  const Optimizer saved_optimizer = optimizer;
  result.loss = train_sample(net, optimizer, sample, workspace);
  const std::size_t bad = detail::first_non_finite(net.parameters());
  if (!is_finite(result.loss)) {
    // The loss comes from the forward pass before the update, so the update is undone.
    result.status =
        make_status(StatusCode::initial_loss_not_finite, 0, static_cast<double>(result.loss));
  } else if (bad < parameter_count) {
    result.status =
        make_status(StatusCode::update_not_finite, bad, static_cast<double>(net.parameters()[bad]));
  } else if (const auto state = detail::non_finite_state<T>(optimizer, parameter_count);
             state.index < parameter_count) {
    result.status = make_status(StatusCode::optimizer_state_not_finite, state.index,
                                static_cast<double>(state.value));
  }
  if (!result.status.ok()) {
    net = saved_net;
    optimizer = saved_optimizer;
  }
  return result;
}

// Trains `net` on the N samples of `samples`. See FitOptions for the modes and FitResult for
// what is returned. On failure the network and the optimizer are restored to a state with finite
// parameters and a finite loss below the divergence limit. For full-batch training that is the
// last such epoch. For mini-batch and per-sample training it is the start of the failing epoch
// if that qualifies, else the state fit() started from.
template <class Net, class Optimizer, std::size_t N, class Callback = NoProgress>
constexpr FitResult<typename Net::Scalar> fit(
    Net& net, Optimizer& optimizer, const std::array<typename Net::SampleType, N>& samples,
    const FitOptions<typename Net::Scalar>& options = {}, Callback progress = {}) {
  std::array<std::uint32_t, N == 0 ? 1 : N> order{};
  return detail::fit_samples(
      net, optimizer, SampleView<typename Net::Scalar, Net::input_size, Net::output_size>(samples),
      order.data(), options, progress);
}

// The same for a pointer-and-count view. Shuffling needs `order`, a buffer of samples.size
// indices; without it a shuffling fit fails with shuffle_buffer_missing.
template <class Net, class Optimizer, class Callback = NoProgress>
constexpr FitResult<typename Net::Scalar> fit(
    Net& net, Optimizer& optimizer,
    SampleView<typename Net::Scalar, Net::input_size, Net::output_size> samples,
    const FitOptions<typename Net::Scalar>& options = {}, Callback progress = {},
    std::uint32_t* order = nullptr) {
  if (order == nullptr && detail::shuffles_samples(options, samples.size)) {
    FitResult<typename Net::Scalar> result{};
    result.status = make_status(StatusCode::shuffle_buffer_missing);
    return result;
  }
  return detail::fit_samples(net, optimizer, samples, order, options, progress);
}

}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
