// Helpers shared by the lecture's figure programs. They print a variant's parameter count
// breakdown, train it with progress lines, and collect its fitted curve and panel title into a
// multiplot figure written as a gnuplot script.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdio>

#include <staticmlp/io.hpp>
#include <staticmlp/staticmlp.hpp>

#include "command_line.hpp"
#include "lecture_recipes.hpp"

namespace lecture {

// The curves span the plotted x range, a little wider than the data's [-0.5, 0.5].
inline constexpr float curve_low = -0.55f;
inline constexpr float curve_high = 0.55f;
inline constexpr std::size_t curve_points = 441;

// Prints "NAME: P parameters = layer 1: I x O weights + O biases = n + layer 2: ...".
template <class Net>
void print_parameter_breakdown(const char* name) {
  std::printf("%s: %zu parameters =", name, Net::parameter_count);
  for (std::size_t l = 0; l < Net::layer_count; ++l) {
    const std::size_t biases = Net::widths[l + 1];
    std::printf("%s layer %zu: %zu x %zu weights + %zu %s = %zu", l == 0 ? "" : " +", l + 1,
                Net::widths[l], biases, biases, biases == 1 ? "bias" : "biases",
                Net::layer_parameter_counts[l]);
  }
  std::printf("\n");
}

template <std::size_t PanelCount>
class Figure {
 public:
  // Trains `net` from figure_seed, prints its progress and result, and adds its panel titled
  // "NAME: P parameters, MSE m". Returns false, with a message on stderr, when training fails.
  template <class Net>
  bool add(const char* name, Net& net) {
    if (count_ == PanelCount) {
      std::fprintf(stderr, "error: figure has room for %zu panels, cannot add %s\n", PanelCount,
                   name);
      return false;
    }
    print_parameter_breakdown<Net>(name);
    const auto start = std::chrono::steady_clock::now();
    const auto progress = [&](std::size_t epoch, float loss) {
      if (epoch % 5000 == 0) {
        const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
        std::printf("  epoch %5zu  loss %.3g  elapsed %.2f s\n", epoch,
                    static_cast<double>(loss), elapsed.count());
      }
    };
    const auto result = train(net, figure_seed, progress);
    if (!result.ok()) {
      std::fprintf(stderr, "error: training %s failed: %s\n", name,
                   staticmlp::describe(result.status).c_str());
      return false;
    }
    const std::size_t restarts = restart_options<Net>().restarts;
    if (restarts == 1) {
      std::printf("  %zu epochs, one start: training MSE %.3g\n", result.epochs,
                  static_cast<double>(result.final_loss));
    } else {
      std::printf("  %zu epochs, best of %zu restarts is restart %zu: training MSE %.3g\n",
                  result.epochs, restarts, result.restart, static_cast<double>(result.final_loss));
    }

    std::snprintf(titles_[count_].data(), titles_[count_].size(), "%s: %zu parameters, MSE %.3g",
                  name, Net::parameter_count, static_cast<double>(result.final_loss));
    curves_[count_] = staticmlp::sample_curve<curve_points>(net, curve_low, curve_high);
    panels_[count_] = staticmlp::PlotPanel<float>(titles_[count_].data(), data, curves_[count_]);
    ++count_;
    return true;
  }

  // Writes the panels added so far into `output` and renames it over `path`. `output` is opened
  // before training, so that an unwritable path fails at once. Returns false after a message.
  bool write(staticmlp::AtomicFileSink& output, const char* path,
             const staticmlp::PlotOptions& options) const {
    staticmlp::Status written = staticmlp::write_gnuplot(output, panels_.data(), count_, options);
    if (written.ok()) {
      written = output.commit();
    }
    if (!written.ok()) {
      std::fprintf(stderr, "error: cannot write %s: %s\n", path,
                   staticmlp::describe(written).c_str());
      return false;
    }
    std::printf("wrote %s (to render the PNG: gnuplot %s)\n", path, path);
    return true;
  }

 private:
  std::array<std::array<char, 96>, PanelCount> titles_{};
  std::array<staticmlp::Curve<float, curve_points>, PanelCount> curves_{};
  std::array<staticmlp::PlotPanel<float>, PanelCount> panels_{};
  std::size_t count_ = 0;
};

// Opens the temporary file for `path` before any training; prints why and returns false when
// it cannot be created.
inline bool open_output(staticmlp::AtomicFileSink& output, const char* path) {
  const staticmlp::Status opened = output.open_status();
  if (!opened.ok()) {
    std::fprintf(stderr, "error: cannot write %s: %s\n", path, staticmlp::describe(opened).c_str());
  }
  return opened.ok();
}

// The layout of the lecture figures: 2 x 2 panels at 1000 x 760 pixels, and the same ranges in
// every figure: x a little beyond the data's [-0.5, 0.5], y with room above the data for the
// legend.
inline staticmlp::PlotOptions grid_options(const char* title, const char* png_name) {
  staticmlp::PlotOptions options;
  options.title = title;
  options.png_name = png_name;
  options.width = 1000;
  options.height = 760;
  options.rows = 2;
  options.columns = 2;
  options.x_min = -0.55;
  options.x_max = 0.55;
  options.y_min = -1.3;
  options.y_max = 1.9;
  return options;
}

}  // namespace lecture
