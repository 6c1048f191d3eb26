// The lecture's activation puzzle: 4 hidden units of ReLU, leaky ReLU, sigmoid and tanh fitted
// to the sine data, one 2x2 multiplot in plots/activation.gp. It also prints the puzzle's
// solution: a ReLU fit is piecewise linear with kinks at x = -b / w, a sigmoid or tanh fit has
// none.
#include <cstdio>

#include "lecture_figure.hpp"

namespace {

// Prints the kinks inside the data range [-0.5, 0.5] of a one-hidden-layer fit.
template <class Net>
void print_kinks(const char* name, const Net& net) {
  float kinks[Net::widths[1]] = {};
  const std::size_t count = lecture::find_kinks(net, -0.5f, 0.5f, kinks);
  std::printf("  %-12s %zu kinks inside [-0.5, 0.5]", name, count);
  for (std::size_t k = 0; k < count; ++k) {
    std::printf("%s %.3f", k == 0 ? " at x =" : ",", static_cast<double>(kinks[k]));
  }
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  const char* script_path = nullptr;
  const int status =
      command_line::read_script_argument(argc, argv, "lecture_activation", "plots/activation.gp", "",
                                         script_path);
  if (status >= 0) {
    return status;
  }
  staticmlp::AtomicFileSink output(script_path);
  if (!lecture::open_output(output, script_path)) {
    return 1;
  }
  std::printf("lecture activation figure: 4 hidden units of ReLU, leaky ReLU, sigmoid, tanh, "
              "seed %llu\n",
              static_cast<unsigned long long>(lecture::figure_seed));

  lecture::Figure<4> figure;
  lecture::Relu141 relu;
  lecture::LeakyRelu141 leaky;
  lecture::Sigmoid141 sigmoid;
  lecture::Tanh141 tanh;
  const bool trained = figure.add("ReLU 1-4-1", relu) &&
                       figure.add("leaky ReLU 1-4-1", leaky) &&
                       figure.add("sigmoid 1-4-1", sigmoid) && figure.add("tanh 1-4-1", tanh);
  if (!trained) {
    return 1;
  }
  std::printf("answer: the ReLU-family fits are piecewise linear, with a kink at x = -b / w of "
              "each unit\n");
  print_kinks("ReLU", relu);
  print_kinks("leaky ReLU", leaky);
  std::printf("  %-12s smooth: no kinks\n", "sigmoid");
  std::printf("  %-12s smooth: no kinks\n", "tanh");

  const staticmlp::PlotOptions options = lecture::grid_options(
      "Activation: 4 hidden units of ReLU, leaky ReLU, sigmoid, tanh "
      "(MSE on the 100 training points)",
      "activation.png");
  return command_line::finish_output(figure.write(output, script_path, options) ? 0 : 1);
}
