// A hand-written Eigen 3.4 trainer for the same task, as the baseline that staticmlp is measured
// against: fixed-size vectors, Eigen's own vectorized tanh and logistic, the same update order.
// It starts from staticmlp's initial weights (seed 1), so both reach comparable final MSEs.
// Compiled with Eigen only when its headers are found (Debian: libeigen3-dev); otherwise
// train_eigen() reports that the baseline is not built.
#include "run.hpp"

#if __has_include(<Eigen/Dense>)
#define BENCH_HAS_EIGEN 1
#include <Eigen/Dense>
#include <cmath>
#include <type_traits>

#include <staticmlp/init.hpp>
#include <staticmlp/mlp.hpp>
#endif

#ifndef BENCH_EIGEN_FLAGS
#define BENCH_EIGEN_FLAGS "default"
#endif

namespace bench {

#ifdef BENCH_HAS_EIGEN
namespace {

template <class T, int H>
using Vector = Eigen::Matrix<T, H, 1>;

struct TanhRule {
  template <class V>
  static auto value(const V& z) {
    return z.array().tanh().matrix();
  }
  template <class V>
  static auto derivative_from_output(const V& h) {
    return (1 - h.array().square()).matrix();
  }
};

struct ReluRule {
  template <class V>
  static auto value(const V& z) {
    return z.cwiseMax(typename V::Scalar(0));
  }
  template <class V>
  static auto derivative_from_output(const V& h) {
    return (h.array() > typename V::Scalar(0)).template cast<typename V::Scalar>().matrix();
  }
};

struct SigmoidRule {
  template <class V>
  static auto value(const V& z) {
    return z.array().logistic().matrix();
  }
  template <class V>
  static auto derivative_from_output(const V& h) {
    return (h.array() * (1 - h.array())).matrix();
  }
};

template <class T, int H>
struct Network {
  Vector<T, H> w1, b1, w2;
  T b2 = 0;
};

template <class T, int H, class Rule>
T mean_squared_error(const Network<T, H>& net, const T* xs, const T* ys) {
  T total = 0;
  for (std::size_t s = 0; s < sample_count; ++s) {
    const Vector<T, H> h = Rule::value((net.w1 * xs[s] + net.b1).eval());
    const T error = net.w2.dot(h) + net.b2 - ys[s];
    total += error * error;
  }
  return total / T(sample_count);
}

template <class T, int H, class Rule>
Timing time_eigen(Mode mode, std::size_t epochs) {
  namespace sm = staticmlp;
  using Net = sm::Mlp<T, 1, sm::Dense<H, sm::Tanh>, sm::Dense<1, sm::Identity>>;
  using Relu = sm::Mlp<T, 1, sm::Dense<H, sm::Relu>, sm::Dense<1, sm::Identity>>;
  const auto parameters = std::is_same_v<Rule, ReluRule>
                              ? sm::initialized<Relu>(1).parameters()
                              : sm::initialized<Net>(1).parameters();
  Network<T, H> net;
  for (int i = 0; i < H; ++i) {
    net.w1[i] = parameters[static_cast<std::size_t>(i)];
    net.b1[i] = parameters[static_cast<std::size_t>(H + i)];
    net.w2[i] = parameters[static_cast<std::size_t>(2 * H + i)];
  }
  net.b2 = parameters[3 * H];

  T xs[sample_count];
  T ys[sample_count];
  for (std::size_t i = 0; i < sample_count; ++i) {
    const double x = -0.5 + static_cast<double>(i) / static_cast<double>(sample_count - 1);
    xs[i] = static_cast<T>(x);
    ys[i] = static_cast<T>(std::sin((x + 0.5) * 6.283185307179586));
  }
  const T rate = static_cast<T>(learning_rate);

  const double start = thread_seconds();
  if (mode == Mode::sgd) {
    for (std::size_t epoch = 0; epoch < epochs; ++epoch) {
      for (std::size_t s = 0; s < sample_count; ++s) {
        const Vector<T, H> h = Rule::value((net.w1 * xs[s] + net.b1).eval());
        // d/dy_hat of (y_hat - y)^2.
        const T dy = 2 * (net.w2.dot(h) + net.b2 - ys[s]);
        const Vector<T, H> dz = (net.w2 * dy).cwiseProduct(Rule::derivative_from_output(h));
        net.w2 -= (rate * dy) * h;
        net.b2 -= rate * dy;
        net.w1 -= (rate * xs[s]) * dz;
        net.b1 -= rate * dz;
      }
    }
  } else {
    const T scale = T(1) / T(sample_count);
    for (std::size_t epoch = 0; epoch < epochs; ++epoch) {
      Network<T, H> gradient;
      gradient.w1.setZero();
      gradient.b1.setZero();
      gradient.w2.setZero();
      for (std::size_t s = 0; s < sample_count; ++s) {
        const Vector<T, H> h = Rule::value((net.w1 * xs[s] + net.b1).eval());
        const T dy = 2 * scale * (net.w2.dot(h) + net.b2 - ys[s]);
        const Vector<T, H> dz = (net.w2 * dy).cwiseProduct(Rule::derivative_from_output(h));
        gradient.w2 += dy * h;
        gradient.b2 += dy;
        gradient.w1 += xs[s] * dz;
        gradient.b1 += dz;
      }
      net.w2 -= rate * gradient.w2;
      net.b2 -= rate * gradient.b2;
      net.w1 -= rate * gradient.w1;
      net.b1 -= rate * gradient.b1;
    }
  }
  const double elapsed = thread_seconds() - start;

  Timing timing;
  timing.ok = true;
  timing.seconds = elapsed;
  timing.final_mse = static_cast<double>(mean_squared_error<T, H, Rule>(net, xs, ys));
  return timing;
}

template <class T, int H>
Timing time_rule(const Config& config, std::size_t epochs) {
  switch (config.activation) {
    case Activation::tanh:
      return time_eigen<T, H, TanhRule>(config.mode, epochs);
    case Activation::relu:
      return time_eigen<T, H, ReluRule>(config.mode, epochs);
    case Activation::sigmoid:
      return time_eigen<T, H, SigmoidRule>(config.mode, epochs);
  }
  return {};
}

template <class T>
Timing time_hidden(const Config& config, std::size_t epochs) {
  switch (config.hidden) {
    case 4:
      return time_rule<T, 4>(config, epochs);
    case 40:
      return time_rule<T, 40>(config, epochs);
    case 400:
      return time_rule<T, 400>(config, epochs);
    default:
      return {};
  }
}

template <class Rule>
double time_activation(std::size_t calls, float spread) {
  using Values = Eigen::Array<float, static_cast<int>(activation_values), 1>;
  Values inputs;
  for (int i = 0; i < static_cast<int>(activation_values); ++i) {
    inputs[i] =
        spread * (-1.0f + 2.0f * static_cast<float>(i) / static_cast<float>(activation_values));
  }
  Values values;
  float checksum = 0;
  const double start = thread_seconds();
  for (std::size_t call = 0; call < calls; ++call) {
    values = Rule::value(inputs.matrix()).array();
    checksum += values[static_cast<int>(call % activation_values)];
  }
  const double elapsed = thread_seconds() - start;
  volatile float sink = checksum;
  static_cast<void>(sink);
  return elapsed / static_cast<double>(calls * activation_values);
}

}  // namespace

double eigen_activation_seconds(Activation activation, std::size_t calls, float spread) {
  switch (activation) {
    case Activation::tanh:
      return time_activation<TanhRule>(calls, spread);
    case Activation::relu:
      return time_activation<ReluRule>(calls, spread);
    case Activation::sigmoid:
      return time_activation<SigmoidRule>(calls, spread);
  }
  return -1;
}

Timing train_eigen(const Config& config, std::size_t epochs) {
  return config.precision == Precision::float32 ? time_hidden<float>(config, epochs)
                                                : time_hidden<double>(config, epochs);
}

const char* eigen_name() { return "eigen/" BENCH_EIGEN_FLAGS; }

#else

Timing train_eigen(const Config&, std::size_t) { return {}; }

double eigen_activation_seconds(Activation, std::size_t) { return -1; }

const char* eigen_name() { return nullptr; }

#endif

}  // namespace bench
