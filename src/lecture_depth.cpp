// The lecture's depth figure: 0, 1, 2 and 3 hidden layers of 4 ReLU units fitted to the sine
// data, one 2x2 multiplot in plots/depth.gp, with each variant's parameter count breakdown.
#include <cstdio>

#include "lecture_figure.hpp"

int main(int argc, char** argv) {
  const char* script_path = nullptr;
  const int status =
      command_line::read_script_argument(argc, argv, "lecture_depth", "plots/depth.gp", "",
                                         script_path);
  if (status >= 0) {
    return status;
  }
  staticmlp::AtomicFileSink output(script_path);
  if (!lecture::open_output(output, script_path)) {
    return 1;
  }
  std::printf("lecture depth figure: 0 to 3 hidden layers of 4 ReLU units, seed %llu\n",
              static_cast<unsigned long long>(lecture::figure_seed));

  lecture::Figure<4> figure;
  lecture::Linear linear;
  lecture::Relu141 one_layer;
  lecture::Relu1441 two_layers;
  lecture::Relu14441 three_layers;
  const bool trained = figure.add("no hidden layer (linear)", linear) &&
                       figure.add("ReLU 1-4-1", one_layer) &&
                       figure.add("ReLU 1-4-4-1", two_layers) &&
                       figure.add("ReLU 1-4-4-4-1", three_layers);
  if (!trained) {
    return 1;
  }

  const staticmlp::PlotOptions options = lecture::grid_options(
      "Depth: 0, 1, 2, 3 hidden layers of 4 ReLU units (MSE on the 100 training points)", "depth.png");
  return command_line::finish_output(figure.write(output, script_path, options) ? 0 : 1);
}
