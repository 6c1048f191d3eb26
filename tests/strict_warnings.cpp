// Compiled, never run, by `make test` as a program that includes the engine headers would be:
// with the project's warnings and more (-Wold-style-cast, -Wsign-conversion, -Wcast-qual,
// -Wdouble-promotion, -Wfloat-equal) and -Werror, but without STATICMLP_SHADOW_WARNINGS.
// Templates warn only when instantiated, so this file uses the main entry points: both lane paths
// (a Tanh 1-H-1 network and a deeper one), the three optimizers, the restarts, the exports and
// the tape. The globals below carry names that the headers use for parameters and locals, which
// g++'s -Wshadow would report if the headers did not switch it off (warnings.hpp).
#include <array>
#include <cstddef>

#include <staticmlp/autodiff.hpp>
#include <staticmlp/export.hpp>
#include <staticmlp/gnuplot.hpp>
#include <staticmlp/io.hpp>
#include <staticmlp/staticmlp.hpp>
#include <staticmlp/training.hpp>

namespace sm = staticmlp;

int a, activations, b, best, bits, bytes, c, code, count, curve, d, delta, digits, e, epoch,
    epochs, exponent, f, factor, first, g, generator, gradient, h, high, i, index, input, j, k,
    l, label, last, layer, length, limit, loss, low, m, magnitude, n, name, next, node, o,
    offset, order, output, p, panel, parameters, path, q, quotient, r, rate, result, row, s,
    sample, samples, scale, seed, shifted, sign, sink, size, source, start, status, step, steps,
    sum, t, target, title, total, trial, twice, u, v, value, w, widest, width, workspace, z;
using Shallow = sm::Mlp<float, 1, sm::Dense<40, sm::Tanh>, sm::Dense<1, sm::Identity>>;
using Deep = sm::Mlp<double, 2, sm::Dense<5, sm::LeakyRelu<>>, sm::Dense<3, sm::Sigmoid>,
                     sm::Dense<1, sm::Identity>>;

int main() {
  constexpr auto data = sm::sine_dataset<float, 100>();
  Shallow shallow = sm::initialized<Shallow>(1);
  sm::Adam<Shallow> adam(0.01f);
  sm::FitOptions<float> options;
  options.epochs = 2;
  bool ok = sm::fit(shallow, adam, data, options).ok();
  options.batch_size = 1;
  options.shuffle = true;
  sm::Sgd<Shallow> sgd(0.01f);
  ok = sm::fit(shallow, sgd, data, options).ok() && ok;

  const std::array<Deep::SampleType, 2> pairs = {{{{0.0, 1.0}, {1.0}}, {{1.0, 0.0}, {0.0}}}};
  Deep deep = sm::initialized<Deep>(2);
  sm::Momentum<Deep> momentum(0.1, 0.9);
  ok = sm::fit(deep, momentum, pairs).ok() && ok;

  using Relu141 = sm::Mlp<float, 1, sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;
  Relu141 relu;
  sm::RestartOptions<float> restarts;
  restarts.epochs = 4;
  restarts.restarts = 2;
  restarts.trial_epochs = 2;
  ok = sm::train_with_restarts(relu, data, 1, restarts).ok() && ok;

  std::array<unsigned char, sm::parameter_image_size<Shallow>> image{};
  ok = sm::write_parameter_image(shallow, image).ok() && ok;
  ok = sm::read_parameter_image(image, shallow).ok() && ok;
  sm::BufferSink<65536> text;
  ok = sm::save_parameters(text, shallow).ok() && ok;
  sm::TextSource text_source(text.c_str(), text.size());
  ok = sm::load_parameters(text_source, shallow).ok() && ok;
  sm::BufferSink<65536> header;
  ok = sm::write_cpp_header(header, deep, "strict").ok() && ok;
  sm::BufferSink<65536> script;
  ok = sm::write_gnuplot_fit(script, shallow, data, sm::PlotOptions()).ok() && ok;

  sm::Tape<double, 16> tape;
  const auto x = tape.variable(1.0);
  const auto y = tape.variable(2.0);
  ok = tape.backward(log(x * y + 1.0)).ok() && ok;
  return ok ? 0 : 1;
}
