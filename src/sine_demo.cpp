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

// The three output paths. The model files go into the folder of the script.
struct OutputPaths {
  std::string script;
  std::string script_name;  // the script's file name, without its folder
  std::string header;
  std::string model;
};

static OutputPaths output_paths(const char* script_path) {
  const std::string script = script_path;
  const std::size_t slash = script.rfind('/');
  const std::string folder = slash == std::string::npos ? "" : script.substr(0, slash + 1);
  return {script, script.substr(folder.size()), folder + "sine_relu_weights.hpp",
          folder + "sine_relu_model.txt"};
}

// Prints why `path` could not be written and returns false.
static bool report_failure(const std::string& path, const sm::Status& status) {
  std::fprintf(stderr, "error: cannot write %s: %s\n", path.c_str(), sm::describe(status).c_str());
  return false;
}

// Writes the script and the two model files all or nothing: each goes to its own temporary
// file, and the three are renamed over their targets only when all three are complete.
// NOTE: a rename can still fail after an earlier one succeeded (an immutable file, or a sticky
// folder whose file belongs to another user). The earlier files are then new, the later ones
// old, and the message names the file that failed. Returns false after an error.
template <class WriteScript>
static bool write_outputs(const OutputPaths& paths, const Net& net, float training_mse,
                          WriteScript&& write_script) {
  sm::AtomicFileSink script(paths.script.c_str());
  sm::AtomicFileSink header(paths.header.c_str());
  sm::AtomicFileSink model(paths.model.c_str());
  sm::AtomicFileSink* const sinks[] = {&script, &header, &model};
  const std::string* const targets[] = {&paths.script, &paths.header, &paths.model};

  // The sinks' destructors remove every temporary file that was not committed.
  for (std::size_t i = 0; i < 3; ++i) {
    const sm::Status opened = sinks[i]->open_status();
    if (!opened.ok()) {
      return report_failure(*targets[i], opened);
    }
  }
  const auto training = sm::training_info(sine_recipe::seed, training_mse);
  const sm::Status written[] = {write_script(script),
                                sm::write_cpp_header(header, net, "sine_relu", training),
                                sm::save_parameters(model, net)};
  for (std::size_t i = 0; i < 3; ++i) {
    if (!written[i].ok()) {
      return report_failure(*targets[i], written[i]);
    }
  }
  // Every file is flushed before the first rename, so that a full disk fails before any
  // target is replaced.
  for (std::size_t i = 0; i < 3; ++i) {
    const sm::Status flushed = sinks[i]->flush();
    if (!flushed.ok()) {
      return report_failure(*targets[i], flushed);
    }
  }
  for (std::size_t i = 0; i < 3; ++i) {
    const sm::Status committed = sinks[i]->commit();
    if (!committed.ok()) {
      return report_failure(*targets[i], committed);
    }
  }
  std::printf("wrote %s (to render the PNG: gnuplot %s)\nwrote %s and %s\n",
              paths.script.c_str(), paths.script.c_str(), paths.header.c_str(),
              paths.model.c_str());
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
  const OutputPaths paths = output_paths(script_path);
  const std::string& name = paths.script_name;
  // The model files and their temporary files (NAME.tmp, NAME.tmp1 ...) would collide with
  // the script, so names that start like them are rejected.
  if (name.rfind("sine_relu_weights.hpp", 0) == 0 || name.rfind("sine_relu_model.txt", 0) == 0) {
    std::fprintf(stderr,
                 "error: invalid script name '%s': the model files and their temporary "
                 "files start like it, so choose another name\n",
                 name.c_str());
    return 2;
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
                "ReLU 1-4-1 fitted to sin((x + 0.5) 2π): "
                "%zu parameters, MSE %.3g",
                Net::parameter_count, static_cast<double>(result.final_loss));
  const std::array<sm::PlotPanel<float>, 1> panels = {sm::PlotPanel<float>(title, data, curve)};
  sm::PlotOptions plot;
  plot.png_name = "sine_relu.png";
  // The ranges of the lecture figures: x a little beyond the data, room above it for the legend.
  plot.x_min = -0.55;
  plot.x_max = 0.55;
  plot.y_min = -1.3;
  plot.y_max = 1.9;
  const auto write_script = [&](auto& sink) { return sm::write_gnuplot(sink, panels, plot); };
  if (!write_outputs(paths, net, result.final_loss, write_script)) {
    return 1;
  }
  return command_line::finish_output(0);
}
