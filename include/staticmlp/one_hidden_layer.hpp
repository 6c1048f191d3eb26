// Kernels for networks with one input, one hidden layer and one output (1-H-1, the shape of the
// lecture's fits). They compute the forward pass with the output's dot product in the same
// sweep, one sample's gradient, the per-sample Sgd update, and whole per-sample Sgd epochs,
// which keep a narrow network in registers. They run on vector lanes at run time (lanes.hpp) and
// on scalars in constant expressions, with the same bits. The parameters are W1[0..H-1],
// b1[0..H-1], W2[0..H-1] and b2, as in mlp.hpp; the kernels call them w, b, v and c.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "activation.hpp"
#include "dataset.hpp"
#include "dot.hpp"
#include "lanes.hpp"
#include "math.hpp"
#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {
namespace detail {

template <class Net, class = void>
struct IsOneHiddenLayer : std::false_type {};
template <class Net>
struct IsOneHiddenLayer<Net, std::enable_if_t<Net::layer_count == 2>>
    : std::bool_constant<Net::input_size == 1 && Net::output_size == 1> {};

// True for Mlp<T, 1, Dense<H, A>, Dense<1, B>>.
template <class Net>
inline constexpr bool is_one_hidden_layer_v = IsOneHiddenLayer<Net>::value;

// The largest power of two that is at most `limit` and at most `count`, at least 1.
constexpr std::size_t power_of_two_at_most(std::size_t limit, std::size_t count) {
  std::size_t lanes = 1;
  while (lanes * 2 <= limit && lanes * 2 <= count) {
    lanes *= 2;
  }
  return lanes;
}

// Losses of an sgd_epoch(): the sum of the samples' squared errors, each taken before its
// update. If one is not finite, the epoch stops after its update and reports it instead.
template <class T>
struct SgdEpochLosses {
  T sum = T(0);
  bool finite = true;
  T bad_loss = T(0);
};

// The kernels with vectors of VectorBytes bytes at run time. The default is the build's width,
// whose sgd_epoch() and accumulate_samples() dispatch to wider ones (lanes.hpp).
template <class Net, std::size_t VectorBytes = vector_bytes>
struct OneHiddenLayer {
  using T = typename Net::Scalar;
  using Hidden = typename Net::template LayerActivation<0>;
  using Output = typename Net::template LayerActivation<1>;
  static constexpr std::size_t hidden = Net::widths[1];
  // Partial sums of the output's dot product, as in dot<hidden>.
  static constexpr std::size_t sum_lanes = dot_lanes(hidden);
  // Activations of your own run one scalar at a time.
  static constexpr bool vectorized =
      supports_vector_lanes_v<Hidden> && supports_vector_lanes_v<Output>;
  // Lanes of the sweeps at run time: a power of two that divides sum_lanes, so that each vector
  // feeds one group of partial sums, and that is at most the hidden width.
  static constexpr std::size_t run_time_lanes =
      vectorized ? power_of_two_at_most(lanes_in_bytes<T, VectorBytes>,
                                        hidden < sum_lanes ? hidden : sum_lanes)
                 : 1;

  // Vectors per parameter array in registers, the last one padded when the lanes do not divide
  // the width.
  static constexpr std::size_t vectors = (hidden + run_time_lanes - 1) / run_time_lanes;
  // True when sgd_epoch() and accumulate_samples() keep w, b, v (and the gradient) in vector
  // variables across the samples: up to 5 vectors per array with 32- or 64-byte vectors, else 1.
  // Wider layers sweep memory instead. AVX2 has 16 registers, so at 5 vectors the compiler keeps
  // some of them on the stack (full batch uses 30). Even so, on an AMD EPYC (Zen 3) without
  // AVX-512, 1-40-1 tanh trained faster this way than by sweeping memory: Sgd by 31 % and full
  // batch by 34 % (-O3 -march=native, docs/performance.md). SSE2 keeps the earlier limit of one
  // vector, since 5 were not measured there.
  static constexpr bool fits_in_registers =
      run_time_lanes >= 4 && vectors <= (VectorBytes >= 32 ? 5 : 1);
  // Lanes of sgd_epoch()'s in-register kernel. With 64-byte vectors, a layer that fits the same
  // budget of 5 vectors in 32-byte ones uses those: 5 vectors of 8 floats for 1-40-1 instead of
  // 3 of 16, the last half padding. Per-sample Sgd is one long dependency chain, and on an Intel
  // Xeon with AVX-512 (docs/performance.md), 32-byte vectors ran it 13 to 44 % faster at every
  // width they fit (1-16-1 to 1-40-1 tanh), with the same bits. On an AMD EPYC (Zen 4) 1-40-1
  // gained 6 % with tanh and 10 % with ReLU. Full batch did not gain.
  static constexpr std::size_t narrow_lanes = lanes_in_bytes<T, 32>;
  static constexpr std::size_t sgd_register_lanes = VectorBytes == 64 &&
                                                            run_time_lanes > narrow_lanes &&
                                                            (hidden + narrow_lanes -
                                                             1) / narrow_lanes
                                                                <= 5
                                                        ? narrow_lanes
                                                        : run_time_lanes;
  // True when accumulate_samples() puts samples across the lanes instead of hidden units: a
  // float layer of 4 units, the lecture's, in vectors of 8 or 16 lanes (AVX2, AVX-512). Per
  // sample, tanh then takes half or a quarter of a vector call instead of a whole 4-lane one.
  // On an AMD EPYC (Zen 3), which has AVX2 but not AVX-512, 8 samples across the lanes ran
  // 1-4-1 full batch at 100 M samples/s against 80 M for one sample per vector (-O3
  // -march=native; 90 M against 57 M with the default flags). On a Zen 4, 8 lanes had run at
  // 125 M against 135 M (-DSTATICMLP_VECTOR_BYTES=32), but its native and dispatched builds
  // use 16. SSE2's 4 lanes would call tanh as often as one sample per vector does.
  static constexpr bool samples_across_lanes = fits_in_registers && hidden == 4 &&
                                               sum_lanes == hidden && std::is_same_v<T, float> &&
                                               lanes_in_bytes<T, VectorBytes> >= 8;

  static constexpr std::size_t w = 0;
  static constexpr std::size_t b = hidden;
  static constexpr std::size_t v = 2 * hidden;
  static constexpr std::size_t c = 3 * hidden;

  // h[i] = Hidden(b[i] + w[i] x) for every hidden unit; returns y = Output(c + sum_i v[i] h[i])
  // with the sum in dot()'s order, the same bits as Mlp::forward.
  STATICMLP_DETAIL_DISPATCH_INLINE static constexpr T forward(const T* parameters, T x, T* h) {
    if constexpr (run_time_lanes > 1) {
      if (!is_constant_evaluated()) {
        return Output::value(parameters[c] + sweep_and_sum<ForwardStep>(parameters, x, h));
      }
    }
    // Constant evaluation and targets without vectors take one unit at a time.
    T partial[sum_lanes] = {};
    sweep_range<1, ForwardStep>(partial, 0, parameters, x, h);
    fold_partial_sums<sum_lanes / 2>(partial);
    return Output::value(parameters[c] + partial[0]);
  }

  // The output's delta for a squared error times the learning rate, the step size of an Sgd
  // update: g = ((2 learning_rate) (y - target)) Output'(y), as d/dz of (y - target)^2 is
  // 2 (y - target) Output'(y). Doubling is exact, so for an identity output g has the bits of
  // learning_rate (2 (y - target)).
  STATICMLP_DETAIL_DISPATCH_INLINE static constexpr T scaled_output_delta(T y, T target,
                                                                          T learning_rate) {
    return ((T(2) * learning_rate) * (y - target)) * Output::derivative_from_output(y);
  }

  // One Sgd step with step size g (scaled_output_delta()) after forward() on input x left the
  // hidden outputs in h: for each unit, with v[i] from before the step and
  // q = v[i] Hidden'(h[i]), v[i] -= g h[i], w[i] -= g (q x) and b[i] -= g q; then c -= g.
  STATICMLP_DETAIL_DISPATCH_INLINE static constexpr void sgd_update(T* parameters, const T* h, T x,
                                                                    T g) {
    if (is_constant_evaluated()) {
      sgd_update_range<1>(parameters, h, x, g, 0);
    } else {
      sgd_update_range<run_time_lanes>(parameters, h, x, g, 0);
    }
    parameters[c] -= g;
  }

  // Adds one sample's gradient to `gradient`, after forward() on input x left the hidden outputs
  // in h, with dz the output's delta (already scaled, as accumulate_gradient scales it):
  // below = (v[i] dz) Hidden'(h[i]), then gradient[v + i] += dz h[i], gradient[w + i] += below x,
  // gradient[b + i] += below, and gradient[c] += dz. This is the arithmetic of backward_layers.
  STATICMLP_DETAIL_DISPATCH_INLINE static constexpr void accumulate(const T* parameters, const T* h,
                                                                    T x, T dz, T* gradient) {
    if (is_constant_evaluated()) {
      accumulate_range<1>(parameters, h, x, dz, gradient, 0);
    } else {
      accumulate_range<run_time_lanes>(parameters, h, x, dz, gradient, 0);
    }
    gradient[c] += dz;
  }

  using EpochLosses = SgdEpochLosses<T>;
  // True for the build's own width when dispatch is compiled in (lanes.hpp), so that
  // sgd_epoch() and accumulate_samples() may run a wider copy of themselves.
  static constexpr bool dispatches =
      STATICMLP_DISPATCH && vectorized && VectorBytes == vector_bytes;

  // Runs a per-sample Sgd epoch over `samples`, visited as `order` lists them (in order when it
  // is null): for each sample forward(), scaled_output_delta() and sgd_update(), with the same
  // bits as those calls. Narrow networks stay in registers; wide ones use `hidden_outputs`
  // (hidden values) as the workspace of the sweeps.
  static constexpr EpochLosses sgd_epoch(T* parameters, SampleView<T, 1, 1> samples,
                                         const std::uint32_t* order, T learning_rate,
                                         T* hidden_outputs) {
#if STATICMLP_DISPATCH
    if constexpr (dispatches) {
      if (!is_constant_evaluated()) {
        switch (run_time_vector_bytes()) {
          case 64:
            return sgd_epoch_avx512(parameters, samples, order, learning_rate, hidden_outputs);
          case 32:
            return sgd_epoch_avx2(parameters, samples, order, learning_rate, hidden_outputs);
          default:
            break;
        }
      }
    }
#endif
    return sgd_epoch_at_width(parameters, samples, order, learning_rate, hidden_outputs);
  }

  // Runs sgd_epoch() with vectors of VectorBytes, without dispatch.
  STATICMLP_DETAIL_DISPATCH_INLINE static constexpr EpochLosses sgd_epoch_at_width(
      T* parameters, SampleView<T, 1, 1> samples, const std::uint32_t* order, T learning_rate,
      T* hidden_outputs) {
    if (is_constant_evaluated()) {
      return sgd_epoch_in_registers<1>(parameters, samples, order, learning_rate);
    }
    if constexpr (fits_in_registers) {
      return sgd_epoch_in_registers<sgd_register_lanes>(parameters, samples, order, learning_rate);
    } else {
      return sgd_epoch_streaming(parameters, samples, order, learning_rate, hidden_outputs);
    }
  }

  // Adds the gradient of `count` samples to `gradient` (samples[order[s]] for s < count, or
  // samples[s] when order is null): for each sample, forward() and accumulate() with
  // dz = (2 scale (y - target)) Output'(y), with the bits of accumulate_gradient. Returns the
  // sum of the samples' squared errors. Narrow networks stay in registers with their gradient.
  // Wide ones use `hidden_outputs` (hidden values) as the workspace of the sweeps. Targets
  // without vectors call forward() and accumulate() themselves (see accumulates_in_kernel()).
  static constexpr T accumulate_samples(const T* parameters, SampleView<T, 1, 1> samples,
                                        const std::uint32_t* order, std::size_t count, T scale,
                                        T* gradient, T* hidden_outputs) {
#if STATICMLP_DISPATCH
    if constexpr (dispatches) {
      if (!is_constant_evaluated()) {
        switch (run_time_vector_bytes()) {
          case 64:
            return accumulate_samples_avx512(parameters, samples, order, count, scale, gradient,
                                             hidden_outputs);
          case 32:
            return accumulate_samples_avx2(parameters, samples, order, count, scale, gradient,
                                           hidden_outputs);
          default:
            break;
        }
      }
    }
#endif
    return accumulate_samples_at_width(parameters, samples, order, count, scale, gradient,
                                       hidden_outputs);
  }

  // Runs accumulate_samples() with vectors of VectorBytes, without dispatch.
  STATICMLP_DETAIL_DISPATCH_INLINE static constexpr T accumulate_samples_at_width(
      const T* parameters, SampleView<T, 1, 1> samples, const std::uint32_t* order,
      std::size_t count, T scale, T* gradient, T* hidden_outputs) {
    if (is_constant_evaluated()) {
      return accumulate_in_registers<1>(parameters, samples, order, count, scale, gradient);
    }
    if constexpr (!fits_in_registers) {
      return accumulate_streaming(parameters, samples, order, count, scale, gradient,
                                  hidden_outputs);
    } else if constexpr (samples_across_lanes) {
      return accumulate_across_samples(parameters, samples, order, count, scale, gradient);
    } else {
      return accumulate_in_registers<run_time_lanes>(parameters, samples, order, count, scale,
                                                     gradient);
    }
  }

#if STATICMLP_DISPATCH
  // Run the kernels above compiled for AVX2 or for AVX-512, with everything they call inlined
  // so that none of it runs as baseline code. With -ffp-contract=off the bits are those of the
  // baseline (lanes.hpp).
  [[gnu::target("avx2"), gnu::flatten]] static EpochLosses sgd_epoch_avx2(
      T* parameters, SampleView<T, 1, 1> samples, const std::uint32_t* order, T learning_rate,
      T* hidden_outputs) {
    return OneHiddenLayer<Net, 32>::sgd_epoch_at_width(parameters, samples, order, learning_rate,
                                                       hidden_outputs);
  }

  [[gnu::target("avx512f,avx512vl,avx512bw,avx512dq"), gnu::flatten]] static EpochLosses
  sgd_epoch_avx512(T* parameters, SampleView<T, 1, 1> samples, const std::uint32_t* order,
                   T learning_rate, T* hidden_outputs) {
    return OneHiddenLayer<Net, 64>::sgd_epoch_at_width(parameters, samples, order, learning_rate,
                                                       hidden_outputs);
  }

  [[gnu::target("avx2"), gnu::flatten]] static T accumulate_samples_avx2(
      const T* parameters, SampleView<T, 1, 1> samples, const std::uint32_t* order,
      std::size_t count, T scale, T* gradient, T* hidden_outputs) {
    return OneHiddenLayer<Net, 32>::accumulate_samples_at_width(parameters, samples, order, count,
                                                                scale, gradient, hidden_outputs);
  }

  [[gnu::target("avx512f,avx512vl,avx512bw,avx512dq"), gnu::flatten]] static T
  accumulate_samples_avx512(const T* parameters, SampleView<T, 1, 1> samples,
                            const std::uint32_t* order, std::size_t count, T scale, T* gradient,
                            T* hidden_outputs) {
    return OneHiddenLayer<Net, 64>::accumulate_samples_at_width(parameters, samples, order, count,
                                                                scale, gradient, hidden_outputs);
  }
#endif

 private:
  // sgd_epoch() for layers too wide for registers: each sweep over the hidden units applies one
  // sample's update and, on the updated parameters, runs the next sample's forward pass.
  STATICMLP_DETAIL_DISPATCH_INLINE static EpochLosses sgd_epoch_streaming(
      T* parameters, SampleView<T, 1, 1> samples, const std::uint32_t* order, T learning_rate,
      T* h) {
    EpochLosses losses{};
    if (samples.size == 0) {
      return losses;
    }
    const auto sample_at = [&](std::size_t s) -> const Sample<T, 1, 1>& {
      return samples[order != nullptr ? order[s] : s];
    };
    T y = forward(parameters, sample_at(0).input[0], h);
    for (std::size_t s = 0; s < samples.size; ++s) {
      const Sample<T, 1, 1>& sample = sample_at(s);
      const T error = y - sample.target[0];
      const T loss = error * error;
      const T g = scaled_output_delta(y, sample.target[0], learning_rate);
      if (s + 1 < samples.size) {
        const T x = sample.input[0];
        const T x_next = sample_at(s + 1).input[0];
        const T sum = sweep_and_sum<UpdateForwardStep>(parameters, h, x, g, x_next);
        parameters[c] -= g;
        y = Output::value(parameters[c] + sum);
      } else {
        sgd_update(parameters, h, sample.input[0], g);
      }

      if (!is_finite(loss)) {
        losses.finite = false;
        losses.bad_loss = loss;
        break;
      }
      losses.sum += loss;
    }
    return losses;
  }

  // Widths up to which accumulate_streaming() runs each forward pass two samples ahead. The
  // hidden values of the next sample then wait in a stack buffer of `hidden` scalars (at most
  // 4 KB for float, 8 KB for double). Wider layers run one sample ahead, so that for the
  // largest networks fit()'s stack use stays as the README's Limitations state.
  static constexpr std::size_t lookahead_units = 1024;
  static constexpr std::size_t lookahead = hidden <= lookahead_units ? 2 : 1;

  // accumulate_samples() for layers too wide for registers: each sweep over the hidden units
  // adds one sample's terms to the gradient and runs the forward pass of the sample `lookahead`
  // places later. Two places ahead, a sweep need not wait for the output sum of the sweep before
  // it: native 1-400-1 tanh full batch ran 4 % faster (AVX-512, three runs of three each way).
  // The bits do not change: the parameters are fixed, and each gradient entry adds the samples'
  // terms in order.
  STATICMLP_DETAIL_DISPATCH_INLINE static T accumulate_streaming(const T* parameters,
                                                                 SampleView<T, 1, 1> samples,
                                                                 const std::uint32_t* order,
                                                                 std::size_t count, T scale,
                                                                 T* gradient, T* h) {
    T total = T(0);
    if (count == 0) {
      return total;
    }
    const auto sample_at = [&](std::size_t s) -> const Sample<T, 1, 1>& {
      return samples[order != nullptr ? order[s] : s];
    };
    // outputs[k] and hidden_values[k] belong to sample s + k, and both pairs swap after each
    // sample. With a lookahead of 1, only the first entry of each is used.
    T ahead[lookahead == 2 ? hidden : 1];
    T* hidden_values[2] = {h, ahead};
    T outputs[2] = {forward(parameters, sample_at(0).input[0], h), T(0)};
    if constexpr (lookahead == 2) {
      if (count > 1) {
        outputs[1] = forward(parameters, sample_at(1).input[0], ahead);
      }
    }
    for (std::size_t s = 0; s < count; ++s) {
      const Sample<T, 1, 1>& sample = sample_at(s);
      const T y = outputs[0];
      const T error = y - sample.target[0];
      total += error * error;
      const T dz = (T(2) * scale * error) * Output::derivative_from_output(y);
      const T x = sample.input[0];
      // The output of sample s + lookahead, when there is one.
      T output_ahead = T(0);
      if (s + lookahead < count) {
        const T x_ahead = sample_at(s + lookahead).input[0];
        const T sum = sweep_and_sum<AccumulateForwardStep>(parameters, hidden_values[0], x, dz,
                                                           x_ahead, gradient);
        output_ahead = Output::value(parameters[c] + sum);
      } else {
        accumulate_range<run_time_lanes>(parameters, hidden_values[0], x, dz, gradient, 0);
      }
      if constexpr (lookahead == 2) {
        outputs[0] = outputs[1];
        outputs[1] = output_ahead;
        T* const swept = hidden_values[0];
        hidden_values[0] = hidden_values[1];
        hidden_values[1] = swept;
      } else {
        outputs[0] = output_ahead;
      }
      gradient[c] += dz;
    }
    return total;
  }

  // Runs Step::at<L>(i, args...) over the hidden units and returns the output's dot product, the
  // sum of its results, in fold_partial_sums order. Step::at works on units i to i + Lanes - 1
  // (L is Vector<T, Lanes>) and returns their terms. The partial sums of the whole native
  // vectors stay in registers, one vector per group of lanes. In memory, each vector's sum would
  // wait for the previous store to reach the next load: 1-400-1 ReLU Sgd with AVX-512 measured
  // 9.5 M samples/s that way and 11.1 M in registers. A width with a tail hands the sums on to
  // sweep_range() in memory.
  template <class Step, class... Args>
  [[gnu::always_inline]] static T sweep_and_sum(Args... args) {
    constexpr std::size_t lanes = run_time_lanes;
    using L = Vector<T, lanes>;
    constexpr std::size_t groups = sum_lanes / lanes;
    constexpr std::size_t whole_vectors = hidden / lanes;
    // Every unit sets or adds to its partial sum, so only the sums past the last unit need a
    // zero. Zeroing all 32 each sample took a tenth of the SSE2 1-40-1 step.
    T partial[sum_lanes];
    for (std::size_t lane = hidden; lane < sum_lanes; ++lane) {
      partial[lane] = T(0);
    }

    // Up to 4 vectors of sums (AVX-512 and AVX2 for float) stay in registers. SSE2 would need 8
    // of its 16 registers and push tanh's temporaries to the stack, so it keeps the sums in
    // memory. Each is touched every 8th vector there, so no chain of loads and stores forms. At
    // H = 400 that measured 1.15 M samples/s, against 0.82 M with the sums in registers.
    if constexpr (groups > 4) {
      sweep_range<lanes, Step>(partial, 0, args...);
    } else {
      L sums[groups] = {};
      // Vectors before `first_round` set the sums, those up to `last_round` add to them in whole
      // rounds of `groups`, and the rest in one shorter round. The bounds are constants so that
      // GCC sees sums[group] in range. Computed bounds drew a false
      // -Waggressive-loop-optimizations warning at some widths (1-160-1 with AVX2).
      constexpr std::size_t first_round = groups < whole_vectors ? groups : whole_vectors;
      constexpr std::size_t last_round = whole_vectors < groups
                                             ? whole_vectors
                                             : whole_vectors - (whole_vectors - groups) % groups;

      // The first vector of each group sets its partial sums, as dot() does.
      for (std::size_t k = 0; k < first_round; ++k) {
        sums[k] = Step::template at<L>(k * lanes, args...);
      }
      for (std::size_t k = first_round; k < last_round; k += groups) {
        for (std::size_t group = 0; group < groups; ++group) {
          sums[group] = sums[group] + Step::template at<L>((k + group) * lanes, args...);
        }
      }
      for (std::size_t group = 0; group < whole_vectors - last_round; ++group) {
        sums[group] = sums[group] + Step::template at<L>((last_round + group) * lanes, args...);
      }

      if constexpr (whole_vectors * lanes == hidden && whole_vectors >= groups) {
        return sum_groups(sums);
      }
      for (std::size_t group = 0; group < groups && group < whole_vectors; ++group) {
        store(partial + group * lanes, sums[group]);
      }
      if constexpr (lanes > 1) {
        sweep_range<lanes / 2, Step>(partial, whole_vectors * lanes, args...);
      }
    }
    fold_partial_sums<sum_lanes / 2>(partial);
    return partial[0];
  }

  // Runs Step::at on units [start, hidden), Lanes at a time while whole vectors fit, then with
  // half as many lanes. Unit i adds its term to partial sum i mod sum_lanes, and the first unit
  // of each sum sets it, as dot() does. The arguments are passed as values because a lambda
  // capturing them was built on the stack with scalar stores and read back as one vector, which
  // stalled every call and cost the SSE2 1-40-1 step a tenth.
  template <std::size_t Lanes, class Step, class... Args>
  STATICMLP_DETAIL_DISPATCH_INLINE static constexpr void sweep_range(T* partial, std::size_t start,
                                                                     Args... args) {
    using L = Vector<T, Lanes>;
    std::size_t i = start;
    for (; i + Lanes <= hidden; i += Lanes) {
      const L product = Step::template at<L>(i, args...);
      const std::size_t lane = i % sum_lanes;
      if (i < sum_lanes) {
        store(partial + lane, product);
      } else {
        store(partial + lane, load<L>(partial + lane) + product);
      }
    }
    if constexpr (Lanes > 1) {
      sweep_range<Lanes / 2, Step>(partial, i, args...);
    }
  }

  // The forward pass on the units from i: h = Hidden(b + w x). Returns v h.
  struct ForwardStep {
    template <class L>
    [[gnu::always_inline]] static constexpr L at(std::size_t i, const T* parameters, T x, T* h) {
      const L activation =
          Hidden::value(load<L>(parameters + b + i) + load<L>(parameters + w + i) * x);
      store(h + i, activation);
      return load<L>(parameters + v + i) * activation;
    }
  };

  // The Sgd update of sgd_update_range() on the units from i, then ForwardStep at x_next on the
  // updated parameters.
  struct UpdateForwardStep {
    template <class L>
    [[gnu::always_inline]] static L at(std::size_t i, T* parameters, T* h, T x, T g, T x_next) {
      const L activation = load<L>(h + i);
      const L weight = load<L>(parameters + v + i);
      const L q = weight * Hidden::derivative_from_output(activation);
      const L updated_outer = weight - g * activation;
      const L updated_weight = load<L>(parameters + w + i) - g * (q * x);
      const L updated_bias = load<L>(parameters + b + i) - g * q;
      store(parameters + v + i, updated_outer);
      store(parameters + w + i, updated_weight);
      store(parameters + b + i, updated_bias);
      const L next = Hidden::value(updated_bias + updated_weight * x_next);
      store(h + i, next);
      return updated_outer * next;
    }
  };

  // The gradient terms of accumulate_range() on the units from i, then ForwardStep at x_next.
  struct AccumulateForwardStep {
    template <class L>
    [[gnu::always_inline]] static L at(std::size_t i, const T* parameters, T* h, T x, T dz,
                                       T x_next, T* gradient) {
      const L activation = load<L>(h + i);
      const L outer = load<L>(parameters + v + i);
      const L below = (outer * dz) * Hidden::derivative_from_output(activation);
      store(gradient + v + i, load<L>(gradient + v + i) + dz * activation);
      store(gradient + w + i, load<L>(gradient + w + i) + below * x);
      store(gradient + b + i, load<L>(gradient + b + i) + below);
      const L next =
          Hidden::value(load<L>(parameters + b + i) + load<L>(parameters + w + i) * x_next);
      store(h + i, next);
      return outer * next;
    }
  };

  // `total` is the sum of squared errors so far, which the samples' errors are added to.
  template <std::size_t Lanes>
  STATICMLP_DETAIL_DISPATCH_INLINE static constexpr T accumulate_in_registers(
      const T* parameters, SampleView<T, 1, 1> samples, const std::uint32_t* order,
      std::size_t count, T scale, T* gradient, T total = T(0)) {
    using L = Vector<T, Lanes>;
    constexpr std::size_t vectors_used = (hidden + Lanes - 1) / Lanes;
    constexpr std::size_t last_units = hidden - (vectors_used - 1) * Lanes;
    constexpr std::size_t groups = sum_lanes / Lanes;
    const auto is_padded = [](std::size_t k) {
      return last_units < Lanes && k + 1 == vectors_used;
    };
    L weights[vectors_used] = {};
    L biases[vectors_used] = {};
    L outer[vectors_used] = {};
    L weight_gradient[vectors_used] = {};
    L bias_gradient[vectors_used] = {};
    L outer_gradient[vectors_used] = {};
    for (std::size_t k = 0; k < vectors_used; ++k) {
      const std::size_t units = k + 1 < vectors_used ? Lanes : last_units;
      weights[k] = load_units<L>(parameters + w + k * Lanes, units);
      biases[k] = load_units<L>(parameters + b + k * Lanes, units);
      outer[k] = load_units<L>(parameters + v + k * Lanes, units);
      weight_gradient[k] = load_units<L>(gradient + w + k * Lanes, units);
      bias_gradient[k] = load_units<L>(gradient + b + k * Lanes, units);
      outer_gradient[k] = load_units<L>(gradient + v + k * Lanes, units);
    }
    T output_bias_gradient = gradient[c];

    for (std::size_t s = 0; s < count; ++s) {
      const Sample<T, 1, 1>& sample = samples[order != nullptr ? order[s] : s];
      const T x = sample.input[0];

      L activations[vectors_used] = {};
      L partial[groups] = {};
#pragma GCC unroll 8
      for (std::size_t k = 0; k < vectors_used; ++k) {
        activations[k] = Hidden::value(biases[k] + weights[k] * x);
        const L product = outer[k] * activations[k];
        const std::size_t group = k % groups;
        const L sum = k < groups ? product : partial[group] + product;
        partial[group] =
            is_padded(k) ? select(padding_mask<L>(last_units), partial[group], sum) : sum;
      }
      const T y = Output::value(parameters[c] + sum_groups(partial));

      const T error = y - sample.target[0];
      total += error * error;
      const T dz = (T(2) * scale * error) * Output::derivative_from_output(y);
#pragma GCC unroll 8
      for (std::size_t k = 0; k < vectors_used; ++k) {
        const L below = (outer[k] * dz) * Hidden::derivative_from_output(activations[k]);
        outer_gradient[k] = outer_gradient[k] + dz * activations[k];
        weight_gradient[k] = weight_gradient[k] + below * x;
        bias_gradient[k] = bias_gradient[k] + below;
      }
      output_bias_gradient += dz;
    }

    for (std::size_t k = 0; k < vectors_used; ++k) {
      const std::size_t units = k + 1 < vectors_used ? Lanes : last_units;
      store_units(gradient + w + k * Lanes, weight_gradient[k], units);
      store_units(gradient + b + k * Lanes, bias_gradient[k], units);
      store_units(gradient + v + k * Lanes, outer_gradient[k], units);
    }
    gradient[c] = output_bias_gradient;
    return total;
  }

  // accumulate_in_registers() with lane j of each vector holding sample s + j of a block of
  // native_lanes samples, and one vector per hidden unit. Each lane computes what the per-sample
  // kernel computes for its sample, with the dot product's partial sums in fold_partial_sums
  // order. The gradient then takes the block's terms one sample after the other, so the bits
  // are the same. The running sums of the 13 entries and the loss are the lanes of one vector
  // (two with 8 lanes), and the block's terms, transposed, reach them one sample at a time. On
  // an Intel Xeon that ran native 1-4-1 tanh full batch 37 % faster than a loop over the
  // entries (docs/performance.md). Samples after the last whole block run one at a time.
  STATICMLP_DETAIL_DISPATCH_INLINE static T accumulate_across_samples(const T* parameters,
                                                                      SampleView<T, 1, 1> samples,
                                                                      const std::uint32_t* order,
                                                                      std::size_t count, T scale,
                                                                      T* gradient) {
    constexpr std::size_t block = lanes_in_bytes<T, VectorBytes>;
    using V = Vector<T, block>;
    using Pair = Sample<T, 1, 1>;
    static_assert(sizeof(Pair) == 2 * sizeof(T) && offsetof(Pair, target) == sizeof(T),
                  "a sample is its input, then its target, with no padding");
    // The running sums of the gradient entries and of the squared errors, a lane each: lane r
    // of sums[g] is row g * block + r of the terms below.
    constexpr std::size_t term_rows = (c + 2 + block - 1) / block * block;
    constexpr std::size_t row_groups = term_rows / block;
    V sums[row_groups];
    for (std::size_t group = 0; group < row_groups; ++group) {
      for (std::size_t lane = 0; lane < block; ++lane) {
        const std::size_t row = group * block + lane;
        sums[group][lane] = row <= c ? gradient[row] : T(0);
      }
    }
    T total = T(0);
    std::size_t s = 0;
    for (; s + block <= count; s += block) {
      V x;
      V target;
      if (order == nullptr) {
        // The block's samples lie in memory as input, target pairs: two vector loads, then the
        // even and the odd lanes. Copying them lane by lane, as below, made each vector load
        // wait for scalar stores, so native 1-4-1 tanh full batch ran 44 % faster this way.
        V first;
        V second;
        __builtin_memcpy(&first, samples.data + s, sizeof first);
        __builtin_memcpy(&second, samples.data + s + block / 2, sizeof second);
        x = deinterleave_lanes<0>(first, second);
        target = deinterleave_lanes<1>(first, second);
      } else {
        alignas(sizeof(V)) T inputs[block];
        alignas(sizeof(V)) T targets[block];
        // Clang 14 vectorized this copy into gathers, which took a quarter of the block's time.
#if defined(__clang__)
#pragma clang loop vectorize(disable)
#endif
        for (std::size_t j = 0; j < block; ++j) {
          const Sample<T, 1, 1>& sample = samples[order[s + j]];
          inputs[j] = sample.input[0];
          targets[j] = sample.target[0];
        }
        x = load<V>(inputs);
        target = load<V>(targets);
      }

      V activations[hidden];
      V partial[hidden];
      // Clang -O2 kept this loop and the one below rolled, with the activations on the stack.
#pragma GCC unroll 4
      for (std::size_t i = 0; i < hidden; ++i) {
        activations[i] =
            Hidden::value(broadcast<V>(parameters[b + i]) + broadcast<V>(parameters[w + i]) * x);
        partial[i] = broadcast<V>(parameters[v + i]) * activations[i];
      }
      fold_partial_sums<hidden / 2>(partial);
      const V y = Output::value(broadcast<V>(parameters[c]) + partial[0]);
      const V error = y - target;
      const V dz = (T(2) * scale * (y - target)) * Output::derivative_from_output(y);

      // The block's terms, one row per gradient entry in the gradient's order (w, b, v, then
      // c), then the squared errors, then zero rows. Transposed, each vector contains one
      // sample's terms, and adding the vectors in turn adds each entry's terms in sample order.
      V rows[term_rows];
#pragma GCC unroll 4
      for (std::size_t i = 0; i < hidden; ++i) {
        const V below =
            (broadcast<V>(parameters[v + i]) * dz) * Hidden::derivative_from_output(activations[i]);
        rows[w + i] = below * x;
        rows[b + i] = below;
        rows[v + i] = dz * activations[i];
      }
      rows[c] = dz;
      rows[c + 1] = error * error;
#pragma GCC unroll 16
      for (std::size_t row = c + 2; row < term_rows; ++row) {
        rows[row] = V{};
      }
#pragma GCC unroll 2
      for (std::size_t group = 0; group < row_groups; ++group) {
        transpose_square(rows + group * block);
#pragma GCC unroll 16
        for (std::size_t j = 0; j < block; ++j) {
          sums[group] = sums[group] + rows[group * block + j];
        }
      }
    }
    for (std::size_t group = 0; group < row_groups; ++group) {
      for (std::size_t lane = 0; lane < block; ++lane) {
        const std::size_t row = group * block + lane;
        if (row <= c) {
          gradient[row] = sums[group][lane];
        } else if (row == c + 1) {
          total = sums[group][lane];
        }
      }
    }

    if (s == count) {
      return total;
    }
    // The samples after the last whole block, one at a time.
    const SampleView<T, 1, 1> rest =
        order != nullptr ? samples : SampleView<T, 1, 1>(samples.data + s, count - s);
    return accumulate_in_registers<run_time_lanes>(parameters, rest,
                                                   order != nullptr ? order + s : nullptr,
                                                   count - s, scale, gradient, total);
  }

  // Applies the hidden activation in sgd_epoch_in_registers(), where each sample waits for the
  // one before. There tanh's vectors test |x| for the small range, so the branch need not wait
  // for x^2, and the lanes and bits stay the same. On a Zen 4 EPYC that made 1-40-1 tanh Sgd
  // 3 % faster natively and 2 to 3 % with the default flags (docs/performance.md).
  template <class L>
  [[gnu::always_inline]] static constexpr L hidden_value_on_chain(const L& z) {
    if constexpr (std::is_same_v<Hidden, Tanh>) {
      return tanh_lanes<L, SmallRangeTest::magnitude>(z);
    } else {
      return Hidden::value(z);
    }
  }

  template <std::size_t Lanes>
  STATICMLP_DETAIL_DISPATCH_INLINE static constexpr EpochLosses sgd_epoch_in_registers(
      T* parameters, SampleView<T, 1, 1> samples, const std::uint32_t* order, T learning_rate) {
    using L = Vector<T, Lanes>;
    constexpr std::size_t count = (hidden + Lanes - 1) / Lanes;
    // Units in the last vector; its other lanes are padding, which never reaches the output.
    constexpr std::size_t last_units = hidden - (count - 1) * Lanes;
    const auto is_padded = [](std::size_t k) { return last_units < Lanes && k + 1 == count; };
    // Partial sums of the output's dot product, Lanes at a time: vector k feeds group
    // (k * Lanes mod sum_lanes) / Lanes, as unit i feeds partial sum i mod sum_lanes in dot().
    constexpr std::size_t groups = sum_lanes / Lanes;
    L weights[count] = {};
    L biases[count] = {};
    L outer[count] = {};
    for (std::size_t k = 0; k < count; ++k) {
      weights[k] = load_units<L>(parameters + w + k * Lanes, k + 1 < count ? Lanes : last_units);
      biases[k] = load_units<L>(parameters + b + k * Lanes, k + 1 < count ? Lanes : last_units);
      outer[k] = load_units<L>(parameters + v + k * Lanes, k + 1 < count ? Lanes : last_units);
    }
    T output_bias = parameters[c];

    EpochLosses losses{};
    for (std::size_t s = 0; s < samples.size; ++s) {
      const Sample<T, 1, 1>& sample = samples[order != nullptr ? order[s] : s];
      const T x = sample.input[0];

      L activations[count] = {};
      L partial[groups] = {};
// Without the pragmas GCC -O2 kept these loops over up to 5 vectors rolled, with the
// vectors on the stack: 1-40-1 tanh Sgd (AVX-512) ran at 18 M samples/s, unrolled 21 M.
#pragma GCC unroll 8
      for (std::size_t k = 0; k < count; ++k) {
        activations[k] = hidden_value_on_chain(biases[k] + weights[k] * x);
        const L product = outer[k] * activations[k];
        const std::size_t group = k % groups;
        const L sum = k < groups ? product : partial[group] + product;
        // Padding lanes keep the partial sum they would have in dot(): zero, or what it was.
        partial[group] =
            is_padded(k) ? select(padding_mask<L>(last_units), partial[group], sum) : sum;
      }
      const T y = Output::value(output_bias + sum_groups(partial));

      const T error = y - sample.target[0];
      const T loss = error * error;
      const T g = scaled_output_delta(y, sample.target[0], learning_rate);
#pragma GCC unroll 8
      for (std::size_t k = 0; k < count; ++k) {
        const L q = outer[k] * Hidden::derivative_from_output(activations[k]);
        const L updated_outer = outer[k] - g * activations[k];
        // Zero outer weights in the padding keep its q, weights and biases at zero too.
        outer[k] =
            is_padded(k) ? select(padding_mask<L>(last_units), L{}, updated_outer) : updated_outer;
        weights[k] = weights[k] - g * (q * x);
        biases[k] = biases[k] - g * q;
      }
      output_bias -= g;

      if (!is_finite(loss)) {
        losses.finite = false;
        losses.bad_loss = loss;
        break;
      }
      losses.sum += loss;
    }

    for (std::size_t k = 0; k < count; ++k) {
      store_units(parameters + w + k * Lanes, weights[k], k + 1 < count ? Lanes : last_units);
      store_units(parameters + b + k * Lanes, biases[k], k + 1 < count ? Lanes : last_units);
      store_units(parameters + v + k * Lanes, outer[k], k + 1 < count ? Lanes : last_units);
    }
    parameters[c] = output_bias;
    return losses;
  }

  // All bits set in lanes `units` and up, which pad the last vector.
  template <class L>
  [[gnu::always_inline]] static constexpr LaneBits<L> padding_mask(std::size_t units) {
    using ScalarBits = typename UnsignedOfSize<T>::type;
    LaneBits<L> mask{};
    if constexpr (is_vector_lane<L>) {
      for (std::size_t j = units; j < LaneTraits<L>::count; ++j) {
        mask[j] = ~ScalarBits{0};
      }
    }
    return mask;
  }

  // The first `units` lanes from `source`, the others zero; a whole vector is one load.
  template <class L>
  [[gnu::always_inline]] static constexpr L load_units(const T* source, std::size_t units) {
    if constexpr (is_vector_lane<L>) {
      if (units < LaneTraits<L>::count) {
        L value{};
        for (std::size_t j = 0; j < units; ++j) {
          value[j] = source[j];
        }
        return value;
      }
    }
    return load<L>(source);
  }

  template <class L>
  [[gnu::always_inline]] static constexpr void store_units(T* target, const L& value,
                                                           std::size_t units) {
    if constexpr (is_vector_lane<L>) {
      if (units < LaneTraits<L>::count) {
        for (std::size_t j = 0; j < units; ++j) {
          target[j] = value[j];
        }
        return;
      }
    }
    store(target, value);
  }

  // The sum of sum_lanes partial sums held Lanes at a time, folded as fold_partial_sums does:
  // first whole vectors pairwise, then the lanes of the last vector.
  template <class L, std::size_t Groups>
  [[gnu::always_inline]] static constexpr T sum_groups(L (&partial)[Groups]) {
    for (std::size_t width = Groups / 2; width > 0; width /= 2) {
      for (std::size_t g = 0; g < width; ++g) {
        partial[g] = partial[g] + partial[g + width];
      }
    }
    if constexpr (is_vector_lane<L>) {
      return fold_lanes(partial[0]);
    } else {
      return partial[0];
    }
  }

  template <std::size_t Lanes>
  STATICMLP_DETAIL_DISPATCH_INLINE static constexpr void sgd_update_range(T* parameters, const T* h,
                                                                          T x, T g,
                                                                          std::size_t start) {
    using L = Vector<T, Lanes>;
    std::size_t i = start;
    for (; i + Lanes <= hidden; i += Lanes) {
      const L activation = load<L>(h + i);
      const L weight = load<L>(parameters + v + i);
      const L q = weight * Hidden::derivative_from_output(activation);
      store(parameters + v + i, weight - g * activation);
      store(parameters + w + i, load<L>(parameters + w + i) - g * (q * x));
      store(parameters + b + i, load<L>(parameters + b + i) - g * q);
    }
    if constexpr (Lanes > 1) {
      sgd_update_range<Lanes / 2>(parameters, h, x, g, i);
    }
  }

  template <std::size_t Lanes>
  STATICMLP_DETAIL_DISPATCH_INLINE static constexpr void accumulate_range(const T* parameters,
                                                                          const T* h, T x, T dz,
                                                                          T* gradient,
                                                                          std::size_t start) {
    using L = Vector<T, Lanes>;
    std::size_t i = start;
    for (; i + Lanes <= hidden; i += Lanes) {
      const L activation = load<L>(h + i);
      const L below =
          (load<L>(parameters + v + i) * dz) * Hidden::derivative_from_output(activation);
      store(gradient + v + i, load<L>(gradient + v + i) + dz * activation);
      store(gradient + w + i, load<L>(gradient + w + i) + below * x);
      store(gradient + b + i, load<L>(gradient + b + i) + below);
    }
    if constexpr (Lanes > 1) {
      accumulate_range<Lanes / 2>(parameters, h, x, dz, gradient, i);
    }
  }

  // Scalar loads and stores for Lanes = 1, which constant evaluation allows; vector lanes copy
  // bytes (lanes.hpp).
  template <class L>
  [[gnu::always_inline]] static constexpr L load(const T* source) {
    if constexpr (is_vector_lane<L>) {
      return load_lanes<L>(source);
    } else {
      return *source;
    }
  }

  template <class L>
  [[gnu::always_inline]] static constexpr void store(T* target, const L& value) {
    if constexpr (is_vector_lane<L>) {
      store_lanes(target, value);
    } else {
      *target = value;
    }
  }
};

// True when Net is 1-H-1 and the target has vectors, so that the gradient of a batch goes to
// OneHiddenLayer<Net>::accumulate_samples(). Without vectors, one call of forward() and one of
// accumulate() per sample take less code, which matters more on a microcontroller than the
// second pass over the parameters.
template <class Net>
constexpr bool accumulates_in_kernel() {
  if constexpr (is_one_hidden_layer_v<Net>) {
    return OneHiddenLayer<Net>::run_time_lanes > 1;
  } else {
    return false;
  }
}

}  // namespace detail
}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
