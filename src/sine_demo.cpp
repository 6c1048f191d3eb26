// The main demo: fits a 1-4-1 ReLU network to the lecture's sine data and writes
// plots/sine_relu.gp, a gnuplot script of the fit. Next to it, it writes the trained model as a
// C++ header (sine_relu_weights.hpp) and as a text model file (sine_relu_model.txt).
#include <chrono>
#include <cstdio>
#include <string>

#include <staticmlp/io.hpp>
#include <staticmlp/staticmlp.hpp>

#include "command_line.hpp"
#include "sine_recipe.hpp"

namespace sm = staticmlp;

using Net = sine_recipe::Net;
static_assert(Net::parameter_count == 13, "a 1-4-1 network has 13 parameters");

// Writes the trained network into the folder of `script_path` as sine_relu_weights.hpp and
// sine_relu_model.txt; returns false after printing an error.
static bool write_model_files(const Net& net, float training_mse, const std::string& script_path) {
  const std::size_t slash = script_path.rfind('/');
  const std::string folder = slash == std::string::npos ? "" : script_path.substr(0, slash + 1);
  const std::string header_path = folder + "sine_relu_weights.hpp";
  const std::string model_path = folder + "sine_relu_model.txt";
  const auto training = sm::training_info(sine_recipe::seed, training_mse);
  const sm::Status header = sm::write_file(header_path.c_str(), [&](auto& sink) {
    return sm::write_cpp_header(sink, net, "sine_relu", training);
  });
  const sm::Status model = sm::write_file(
      model_path.c_str(), [&](auto& sink) { return sm::save_parameters(sink, net); });
  if (!header.ok() || !model.ok()) {
    const bool header_failed = !header.ok();
    std::fprintf(stderr, "error: cannot write %s: %s\n",
                 header_failed ? header_path.c_str() : model_path.c_str(),
                 sm::describe(header_failed ? header : model).c_str());
    return false;
  }
  std::printf("wrote %s and %s\n", header_path.c_str(), model_path.c_str());
  return true;
}

int main(int argc, char** argv) {
  const char* script_path = nullptr;
  const int status = command_line::read_script_argument(
      argc, argv, "sine_demo", "plots/sine_relu.gp", "the model files go into the same folder",
      script_path);
  if (status >= 0) {
    return status;
  }
  std::printf("staticmlp demo: fit a 1-4-1 ReLU network to 100 points of sin((x + 0.5) 2 pi)\n");
  std::printf("quiz: a 1-4-1 MLP has %zu parameters\n", Net::parameter_count);
  std::printf("  layer 1: %zu weights + %zu biases = %zu\n", Net::widths[0] * Net::widths[1],
              Net::widths[1], Net::layer_parameter_counts[0]);
  std::printf("  layer 2: %zu weights + %zu bias = %zu\n", Net::widths[1] * Net::widths[2],
              Net::widths[2], Net::layer_parameter_counts[1]);

  constexpr auto data = sm::sine_dataset<float, 100>();
  const auto start = std::chrono::steady_clock::now();
  const auto progress = [&](std::size_t epoch, float loss) {
    if (epoch % 1000 == 0) {
      const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
      std::printf("epoch %5zu  loss %.6f  elapsed %.3f s\n", epoch, static_cast<double>(loss),
                  elapsed.count());
    }
  };
  Net net;
  const auto result = sine_recipe::train(net, progress);
  if (!result.ok()) {
    std::fprintf(stderr, "error: training failed: %s\n", sm::describe(result.status).c_str());
    return 1;
  }
  std::printf("trained %zu epochs: training MSE %.6f (initial %.6f)\n", result.epochs,
              static_cast<double>(result.final_loss), static_cast<double>(result.initial_loss));

  const auto curve = sm::sample_curve<441>(net, -0.55f, 0.55f);
  char title[96] = {};
  std::snprintf(title, sizeof title,
                "ReLU 1-4-1 fitted to sin((x + 0.5) 2{/Symbol p}): "
                "%zu parameters, MSE %.3g",
                Net::parameter_count, static_cast<double>(result.final_loss));
  const std::array<sm::PlotPanel<float>, 1> panels = {sm::PlotPanel<float>(title, data, curve)};
  sm::PlotOptions plot;
  plot.png_name = "sine_relu.png";
  plot.y_max = 1.9;  // room above the data for the legend, as in the lecture figures
  const sm::Status written = sm::write_file(
      script_path, [&](auto& sink) { return sm::write_gnuplot(sink, panels, plot); });
  if (!written.ok()) {
    std::fprintf(stderr, "error: cannot write %s: %s\n", script_path,
                 sm::describe(written).c_str());
    return 1;
  }
  std::printf("wrote %s\n", script_path);
  if (!write_model_files(net, result.final_loss, script_path)) {
    return 1;
  }
  return command_line::finish_output(0);
}
