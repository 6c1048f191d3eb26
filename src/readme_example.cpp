// The README's example: define a network, check its size at compile time, train it, plot it.
#include <cstdio>

#include <staticmlp/io.hpp>
#include <staticmlp/staticmlp.hpp>

namespace sm = staticmlp;
using Net = sm::Mlp<float, 1, sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;
static_assert(Net::parameter_count == 13, "1-4-1: 4 + 4, then 4 + 1");

int main() {
  constexpr auto data = sm::sine_dataset<float, 100>();
  Net net = sm::initialized<Net>(/*seed=*/1);
  sm::Adam<Net> adam(/*learning_rate=*/0.01f);
  sm::FitOptions<float> options;
  options.epochs = 5000;
  const auto result = sm::fit(net, adam, data, options);
  std::printf("MSE %g: %s\n", static_cast<double>(result.final_loss), result.status.message());
  const sm::Status written = sm::write_file("fit.gp", [&](auto& sink) {
    return sm::write_gnuplot_fit(sink, net, data, sm::PlotOptions());
  });
  return result.ok() && written.ok() ? 0 : 1;
}
