// The lecture's width figure: one hidden layer of 4, 40 and 400 ReLU units fitted to the sine
// data, in a 2x2 multiplot with one cell empty in plots/width.gp. It prints each variant's
// parameter count breakdown and the number of kinks inside the data range.
#include <cstdio>

#include "lecture_figure.hpp"

int main(int argc, char** argv) {
  const char* script_path = nullptr;
  const int status =
      command_line::read_script_argument(argc, argv, "lecture_width", "plots/width.gp", "",
                                         script_path);
  if (status >= 0) {
    return status;
  }
  staticmlp::AtomicFileSink output(script_path);
  if (!lecture::open_output(output, script_path)) {
    return 1;
  }
  std::printf("lecture width figure: one hidden layer of 4, 40, 400 ReLU units, seed %llu\n",
              static_cast<unsigned long long>(lecture::figure_seed));

  lecture::Figure<3> figure;
  lecture::Relu141 narrow;
  lecture::Relu1401 wide;
  lecture::Relu14001 widest;
  const bool trained = figure.add("ReLU 1-4-1", narrow) && figure.add("ReLU 1-40-1", wide) &&
                       figure.add("ReLU 1-400-1", widest);
  if (!trained) {
    return 1;
  }
  std::printf("kinks inside [-0.5, 0.5]: 1-4-1 %zu, 1-40-1 %zu, 1-400-1 %zu\n",
              lecture::count_kinks(narrow), lecture::count_kinks(wide),
              lecture::count_kinks(widest));

  staticmlp::PlotOptions options = lecture::grid_options(
      "Width: one hidden layer of 4, 40, 400 ReLU units (MSE on the 100 training points)",
      "width.png");
  // Three panels stacked, each the full width: a 2 x 2 grid left a quarter of the figure empty.
  options.rows = 3;
  options.columns = 1;
  options.height = 1060;
  return command_line::finish_output(figure.write(output, script_path, options) ? 0 : 1);
}
