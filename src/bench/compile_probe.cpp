// The translation unit behind docs/performance.md's compile-cost figures: it defines a 1-400-1
// tanh network, trains it with per-sample SGD on the lecture's sine data and writes the fit as a
// gnuplot script. Built by hand, not by the Makefile, for example (one line):
//   /usr/bin/time -f "%e s %M KB" g++ -std=c++17 -O2 -ffp-contract=off -Iinclude
//   -c src/bench/compile_probe.cpp -o /tmp/compile_probe.o
#include <cstdio>

#include <staticmlp/io.hpp>
#include <staticmlp/staticmlp.hpp>

int main() {
  namespace sm = staticmlp;
  using Net = sm::Mlp<float, 1, sm::Dense<400, sm::Tanh>, sm::Dense<1, sm::Identity>>;
  static constexpr auto data = sm::sine_dataset<float, 100>();
  Net net = sm::initialized<Net>(1);
  sm::Sgd<Net> optimizer(0.01f);
  sm::FitOptions<float> options;
  options.epochs = 100;
  options.batch_size = 1;
  const auto result = sm::fit(net, optimizer, data, options);
  if (!result.ok()) {
    std::fprintf(stderr, "training failed: %s\n", sm::describe(result.status).c_str());
    return 1;
  }
  sm::PlotOptions plot;
  plot.png_name = "compile_probe.png";
  const sm::Status written = sm::write_file("compile_probe.gp", [&](auto& sink) {
    return sm::write_gnuplot_fit(sink, net, sm::SampleView<float, 1, 1>(data), plot);
  });
  std::printf("MSE %g, %s\n", static_cast<double>(result.final_loss),
              written.ok() ? "wrote compile_probe.gp" : sm::describe(written).c_str());
  return written.ok() ? 0 : 1;
}
