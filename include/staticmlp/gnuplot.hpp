// Self-contained gnuplot 5 scripts of one-input, one-output fits, written through a character
// sink: the data is inline in named datablocks, and each panel shows the training points and the
// fitted curve with a title, axis labels and a legend. Grey bands mark where the curve runs
// beyond the training inputs (extrapolation). Several panels share one figure (multiplot) with
// common axis ranges. Running `gnuplot NAME.gp` writes NAME.png next to the script (pngcairo).
// Numbers are written with std::to_chars, so the locale cannot change them; a non-finite value
// is rejected with value_not_finite and its row, counted over the script.
#pragma once

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <system_error>

#include "backprop.hpp"
#include "dataset.hpp"
#include "format.hpp"
#include "math.hpp"
#include "status.hpp"
#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {

// A network's output sampled at Size evenly spaced points of [x_min, x_max], ends included.
template <class T, std::size_t Size>
struct Curve {
  static_assert(Size >= 2, "staticmlp: a Curve needs at least two points");
  std::array<T, Size> x{};
  std::array<T, Size> y{};
};

template <std::size_t Size, class Net>
constexpr Curve<typename Net::Scalar, Size> sample_curve(const Net& net, typename Net::Scalar x_min,
                                                         typename Net::Scalar x_max) {
  static_assert(Net::input_size == 1 && Net::output_size == 1,
                "staticmlp: sample_curve needs a network with one input and one output");
  using T = typename Net::Scalar;
  Curve<T, Size> curve{};
  // Inputs near the largest finite value make the span overflow. The weighted sum below cannot
  // overflow, and it serves only then, so that ordinary ranges keep their bits.
  const T span = x_max - x_min;
  const bool span_finite = is_finite(span);
  for (std::size_t i = 0; i < Size; ++i) {
    const T t = static_cast<T>(i) / static_cast<T>(Size - 1);
    curve.x[i] = span_finite ? x_min + span * t : x_min * (T(1) - t) + x_max * t;
    curve.y[i] = net.predict({curve.x[i]})[0];
  }
  return curve;
}

// One panel: its title, the training points and the fitted curve (views, not copies).
template <class T>
struct PlotPanel {
  const char* title = "";
  SampleView<T, 1, 1> points{};
  const T* curve_x = nullptr;
  const T* curve_y = nullptr;
  std::size_t curve_size = 0;

  constexpr PlotPanel() = default;
  template <std::size_t Size>
  constexpr PlotPanel(const char* panel_title, SampleView<T, 1, 1> training_points,
                      const Curve<T, Size>& curve)
      : title(panel_title),
        points(training_points),
        curve_x(curve.x.data()),
        curve_y(curve.y.data()),
        curve_size(Size) {}
};

// The value of a PlotOptions range end that write_gnuplot() fits to the panels' data.
inline constexpr double automatic_range = std::numeric_limits<double>::quiet_NaN();

struct PlotOptions {
  const char* title = "";           // figure title (above all panels)
  const char* png_name = "fit.png"; // used when the script is not run as `gnuplot FILE.gp`
  const char* x_label = "x";
  const char* y_label = "y";
  const char* points_label = "training data";
  const char* curve_label = "network";
  int width = 960;   // pixels
  int height = 640;  // pixels
  int rows = 1;      // multiplot layout
  int columns = 1;
  // Axis ranges, common to all panels. An end left at automatic_range (the default) is fitted
  // to the panels: x to their training inputs and curves, y to their targets and curve values.
  // Each end gets 5 % of the span as a margin, and the top of y room for the legend, estimated
  // from the panel's height in pixels. Panels under about 300 pixels high (height / rows) leave
  // the legend more than half of the plot, and it then covers data.
  double x_min = automatic_range;
  double x_max = automatic_range;
  double y_min = automatic_range;
  double y_max = automatic_range;
  // Legend entry of the grey bands where a panel's curve runs beyond its training inputs.
  // The empty string leaves the bands out.
  const char* extrapolation_label = "extrapolation";
};

namespace detail {

// Writes text as a gnuplot single-quoted string, doubling embedded quotes. Control characters
// (newlines above all, which would end the string and start a command) become spaces.
template <class Sink>
bool write_quoted(Sink& sink, const char* text) {
  bool stored = sink.write("'", 1);
  for (const char* c = text; *c != '\0'; ++c) {
    const auto code = static_cast<unsigned char>(*c);
    if (*c == '\'') {
      stored = sink.write("''", 2) && stored;
    } else if (code < 0x20 || code == 0x7f) {
      stored = sink.write(" ", 1) && stored;
    } else {
      stored = sink.write(c, 1) && stored;
    }
  }
  return sink.write("'", 1) && stored;
}

// The smallest and largest finite values seen by add(); empty until one is added.
struct Extent {
  double low = 0;
  double high = 0;
  bool empty = true;

  constexpr void add(double value) {
    if (!is_finite(value)) {
      return;
    }
    low = empty || value < low ? value : low;
    high = empty || value > high ? value : high;
    empty = false;
  }
};

// Returns `value` rounded to the decimal digit that is the third significant digit of `span`,
// so that the script reads [-0.15:4.05], not [-0.15000000000000002:4.05]. The end moves by at
// most 1 % of the span, inside its 5 % margin. The rounding is decimal (std::to_chars with a
// precision, read back with std::from_chars), so it works at any magnitude.
inline double round_to_span_digits(double value, double span) {
  if (value == 0 || !(span > 0) || !is_finite(span) || !is_finite(value)) {
    return value;
  }
  const double magnitude = value < 0 ? -value : value;
  // The value's significant digits down to the span's third: 3 plus the difference of their
  // decimal exponents, which std::log10 gives to within one (one off changes only the precision).
  const double digit_count = 3 + std::floor(std::log10(magnitude)) - std::floor(std::log10(span));
  if (digit_count < 1) {
    return 0;  // below the rounding step, at most 1 % of the span
  }
  const int digits = digit_count < 17 ? static_cast<int>(digit_count) : 17;
  std::array<char, 40> text{};
  const auto written = std::to_chars(text.data(), text.data() + text.size(), value,
                                     std::chars_format::scientific, digits - 1);
  double rounded = value;
  const auto parsed = std::from_chars(text.data(), written.ptr, rounded);
  return written.ec == std::errc() && parsed.ec == std::errc() ? rounded : value;
}

// Returns the fraction of a panel's plot area that its legend covers at the top, at most 0.6 so
// that the data keeps room. An estimate for the pngcairo terminal at font size 13: about 20
// pixels a legend row, and 115 pixels of each panel for its title, tick labels and axis label.
inline double legend_fraction(const PlotOptions& options, std::size_t panel_count) {
  const int stacked = panel_count > 1 && options.rows > 0 ? options.rows : 1;
  const double panel_height =
      options.height > 0 ? static_cast<double>(options.height) / stacked : 640.0;
  const bool bands =
      options.extrapolation_label != nullptr && options.extrapolation_label[0] != '\0';
  const double legend_height = 20.0 * (bands ? 3 : 2) + 10;
  const double plot_height = panel_height - 115;
  return plot_height * 0.6 > legend_height ? legend_height / plot_height : 0.6;
}

// Replaces the automatic ends of a range (NaN) by the extent's, widened by 5 % of its span on
// each side, and rounded (round_to_span_digits). An automatic top end also leaves the fraction
// `legend` of the whole range above the data, for the legend. A single value spans 10 % of its
// magnitude, or 2 around 0, and no value at all spans [-1, 1]. A margin that would overflow is
// left out.
inline void fit_range(double& low, double& high, const Extent& extent, double legend) {
  double first = extent.empty ? -1.0 : extent.low;
  double last = extent.empty ? 1.0 : extent.high;
  if (!(first < last)) {
    const double magnitude = first < 0 ? -first : first;
    const double half_width = magnitude > 0 ? 0.05 * magnitude : 1.0;
    first -= half_width;
    last += half_width;
  }
  const double span = last - first;
  if (low != low) {
    const double widened = first - 0.05 * span;
    low = is_finite(widened) ? round_to_span_digits(widened, span) : first;
  }
  if (high != high) {
    // The legend covers [high - legend (high - low), high], which starts above the data's top.
    const double top = last + 0.05 * span;
    const double widened = (top - legend * low) / (1 - legend);
    high = is_finite(widened) ? round_to_span_digits(widened, span) : last;
  }
}

// Returns `options` with each automatic range end fitted to the panels' finite values.
template <class T>
PlotOptions with_fitted_ranges(const PlotOptions& options, const PlotPanel<T>* panels,
                               std::size_t panel_count) {
  PlotOptions fitted = options;
  Extent x;
  Extent y;
  for (std::size_t p = 0; p < panel_count; ++p) {
    for (std::size_t s = 0; s < panels[p].points.size; ++s) {
      x.add(static_cast<double>(panels[p].points[s].input[0]));
      y.add(static_cast<double>(panels[p].points[s].target[0]));
    }
    for (std::size_t i = 0; i < panels[p].curve_size; ++i) {
      x.add(static_cast<double>(panels[p].curve_x[i]));
      y.add(static_cast<double>(panels[p].curve_y[i]));
    }
  }
  fit_range(fitted.x_min, fitted.x_max, x, 0.0);
  fit_range(fitted.y_min, fitted.y_max, y, legend_fraction(options, panel_count));
  return fitted;
}

// Ok when the ranges are finite and increasing, the size positive, there is at least one panel,
// the layout has a cell for each of several panels and no text is a null pointer. One panel is
// drawn without the multiplot layout, so its rows and columns are not checked.
inline Status check_plot_options(const PlotOptions& options, std::size_t panel_count) {
  // The value named is the first one at fault: a non-finite end, else the minimum.
  const auto invalid = [](std::size_t setting, double value) {
    return make_status(StatusCode::plot_options_invalid, setting, value);
  };
  const auto bad_range = [](double low, double high) {
    return is_finite(low) && !is_finite(high) ? high : low;
  };
  if (!is_finite(options.x_min) || !is_finite(options.x_max) || !(options.x_min < options.x_max)) {
    return invalid(0, bad_range(options.x_min, options.x_max));
  }
  if (!is_finite(options.y_min) || !is_finite(options.y_max) || !(options.y_min < options.y_max)) {
    return invalid(1, bad_range(options.y_min, options.y_max));
  }
  if (options.width <= 0 || options.height <= 0) {
    return invalid(2, options.width <= 0 ? options.width : options.height);
  }
  const bool fits = options.rows > 0 && options.columns > 0 &&
                    static_cast<std::size_t>(options.rows) * static_cast<std::size_t>(options.columns) >=
                        panel_count;
  if (panel_count > 1 && !fits) {
    return invalid(3, static_cast<double>(options.rows) * static_cast<double>(options.columns));
  }
  if (panel_count == 0) {
    return invalid(4, 0);
  }
  // Settings 5 to 11, in the order of this list; the value is 0.
  const std::array<const char*, 7> texts = {
      options.title,        options.png_name,    options.x_label,
      options.y_label,      options.points_label, options.curve_label,
      options.extrapolation_label};
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (texts[i] == nullptr) {
      return invalid(5 + i, 0);
    }
  }
  return ok_status();
}

template <class Sink, class T>
Status write_datablock_row(Sink& sink, T x, T y, std::size_t& row) {
  ++row;
  if (!is_finite(x)) {
    return make_status(StatusCode::value_not_finite, row, static_cast<double>(x));
  }
  if (!is_finite(y)) {
    return make_status(StatusCode::value_not_finite, row, static_cast<double>(y));
  }
  const bool stored = write_number(sink, x) && sink.write(" ", 1) && write_number(sink, y) &&
                      sink.write("\n", 1);
  return stored ? ok_status() : make_status(StatusCode::output_failed);
}

template <class Sink, class T>
Status write_panel_data(Sink& sink, const PlotPanel<T>& panel, std::size_t index,
                        std::size_t& row) {
  bool stored = write_text(sink, "$points") && write_number(sink, index) &&
                write_text(sink, " << EOD\n");
  for (std::size_t s = 0; s < panel.points.size; ++s) {
    const Status status =
        write_datablock_row(sink, panel.points[s].input[0], panel.points[s].target[0], row);
    if (!status.ok()) {
      return status;
    }
  }
  stored = write_text(sink, "EOD\n$curve") && write_number(sink, index) &&
           write_text(sink, " << EOD\n") && stored;
  for (std::size_t i = 0; i < panel.curve_size; ++i) {
    const Status status = write_datablock_row(sink, panel.curve_x[i], panel.curve_y[i], row);
    if (!status.ok()) {
      return status;
    }
  }
  stored = write_text(sink, "EOD\n\n") && stored;
  return stored ? ok_status() : make_status(StatusCode::output_failed);
}

template <class Sink>
bool write_range(Sink& sink, const char* axis, double low, double high) {
  return write_text(sink, "set ") && write_text(sink, axis) && write_text(sink, "range [") &&
         write_number(sink, low) && write_text(sink, ":") && write_number(sink, high) &&
         write_text(sink, "]\n");
}

template <class Sink>
bool write_figure_setup(Sink& sink, const PlotOptions& options, std::size_t panel_count) {
  bool stored =
      write_text(sink,
                 "# Render with: gnuplot THIS_FILE.gp (writes THIS_FILE.png next to it)\n"
                 "png_path = ARG0[strlen(ARG0) - 2:] eq '.gp' ? "
                 "ARG0[1:strlen(ARG0) - 3] . '.png' : ") &&
      write_quoted(sink, options.png_name) && write_text(sink, "\n");
  // noenhanced: titles and labels are shown as written, where enhanced text mode would turn
  // "x_1" into a subscript and warn about a backslash.
  stored = write_text(sink, "set terminal pngcairo noenhanced size ") &&
           write_number(sink, options.width) && write_text(sink, ",") &&
           write_number(sink, options.height) &&
           write_text(sink, " font 'sans,13' linewidth 1.5\nset output png_path\n") && stored;
  stored = write_text(sink, "set xlabel ") && write_quoted(sink, options.x_label) &&
           write_text(sink, "\nset ylabel ") && write_quoted(sink, options.y_label) &&
           write_text(sink, "\n") && stored;
  stored = write_range(sink, "x", options.x_min, options.x_max) &&
           write_range(sink, "y", options.y_min, options.y_max) && stored;
  stored = write_text(sink,
                      "set bmargin 3.5\n"  // room for the x label below the tick labels
                      "set grid lc rgb '#cccccc'\n"
                      "set key top right box opaque\n"
                      // Filled dots under the curve: open circles of full size hid a close
                      // fit's corners, and dots of size 0.5 vanished under its line.
                      "set style line 1 lc rgb '#1f77b4' pt 7 ps 0.75\n"
                      "set style line 2 lc rgb '#d62728' lw 1.5\n") &&
           stored;
  if (panel_count > 1) {
    // A panel title wider than its plot is centred over it and would run off the right edge
    // of the figure in the right-hand column.
    stored = write_text(sink, "set rmargin 4\n") && stored;
    stored = write_text(sink, "set multiplot layout ") && write_number(sink, options.rows) &&
             write_text(sink, ",") && write_number(sink, options.columns) &&
             write_text(sink, " title ") && write_quoted(sink, options.title) &&
             write_text(sink, " font 'sans,15'\n") && stored;
  }
  return stored;
}

// Writes a band edge: x itself, in T's shortest form, or the end of the plotted x range when x
// lies beyond it.
template <class Sink, class T>
bool write_band_edge(Sink& sink, T x, const PlotOptions& options) {
  const auto wide = static_cast<double>(x);
  if (wide < options.x_min) {
    return write_number(sink, options.x_min);
  }
  if (wide > options.x_max) {
    return write_number(sink, options.x_max);
  }
  return write_number(sink, x);
}

// Sets (as object `number`) or unsets a grey band over [low, high] clipped to the plotted x range.
// Sets `band_shown` when the band has some width, and returns false when the sink fails.
template <class Sink, class T>
bool write_band(Sink& sink, int number, T low, T high, const PlotOptions& options,
                bool& band_shown) {
  const double clipped_low = clamp(static_cast<double>(low), options.x_min, options.x_max);
  const double clipped_high = clamp(static_cast<double>(high), options.x_min, options.x_max);
  band_shown = clipped_low < clipped_high;
  if (!band_shown) {
    return write_text(sink, "unset object ") && write_number(sink, number) &&
           write_text(sink, "\n");
  }
  return write_text(sink, "set object ") && write_number(sink, number) &&
         write_text(sink, " rect from first ") && write_band_edge(sink, low, options) &&
         write_text(sink, ", graph 0 to first ") && write_band_edge(sink, high, options) &&
         write_text(sink, ", graph 1 behind fillcolor rgb '#e4e4e4' fillstyle solid noborder\n");
}

// Sets or unsets the two grey bands (objects 1 and 2) where the curve runs left or right of the
// panel's training inputs, inside the plotted x range, and sets bands_shown when either shows.
// Each panel sets both, because multiplot keeps objects from one panel to the next.
template <class Sink, class T>
bool write_extrapolation_bands(Sink& sink, const PlotPanel<T>& panel, const PlotOptions& options,
                               bool& bands_shown) {
  // With no label, no points or no curve, both bands are empty ranges and are unset.
  T data_low = T(1);
  T data_high = T(0);
  T curve_low = T(1);
  T curve_high = T(0);
  if (options.extrapolation_label[0] != '\0' && panel.points.size > 0 && panel.curve_size > 0) {
    data_low = panel.points[0].input[0];
    data_high = data_low;
    for (std::size_t s = 1; s < panel.points.size; ++s) {
      const T x = panel.points[s].input[0];
      data_low = x < data_low ? x : data_low;
      data_high = x > data_high ? x : data_high;
    }
    curve_low = panel.curve_x[0];
    curve_high = curve_low;
    for (std::size_t i = 1; i < panel.curve_size; ++i) {
      const T x = panel.curve_x[i];
      curve_low = x < curve_low ? x : curve_low;
      curve_high = x > curve_high ? x : curve_high;
    }
  }
  // Left: the curve from its start up to the first training input (or the curve's end, if that
  // comes first). Right: from the last training input (or the curve's start) to the curve's end.
  bool left = false;
  bool right = false;
  const T left_end = data_low < curve_high ? data_low : curve_high;
  const T right_start = data_high > curve_low ? data_high : curve_low;
  const bool stored = write_band(sink, 1, curve_low, left_end, options, left) &&
                      write_band(sink, 2, right_start, curve_high, options, right);
  bands_shown = left || right;
  return stored;
}

}  // namespace detail

// Writes a script of `panel_count` panels; one panel gives a single plot titled with
// options.title when the panel has no title of its own.
template <class Sink, class T>
Status write_gnuplot(Sink& sink, const PlotPanel<T>* panels, std::size_t panel_count,
                     const PlotOptions& requested_options) {
  const PlotOptions options = detail::with_fitted_ranges(requested_options, panels, panel_count);
  const Status checked = detail::check_plot_options(options, panel_count);
  if (!checked.ok()) {
    return checked;
  }
  for (std::size_t p = 0; p < panel_count; ++p) {
    if (panels[p].title == nullptr) {
      return make_status(StatusCode::plot_options_invalid, 12, static_cast<double>(p));
    }
  }
  // The title stays out of this comment: a trailing backslash would continue it into the data.
  bool stored = write_text(sink, "# A gnuplot 5 script written by staticmlp.\n");
  std::size_t row = 0;
  for (std::size_t p = 0; p < panel_count; ++p) {
    const Status status = detail::write_panel_data(sink, panels[p], p, row);
    if (!status.ok()) {
      return status;
    }
  }
  stored = detail::write_figure_setup(sink, options, panel_count) && stored;
  for (std::size_t p = 0; p < panel_count; ++p) {
    const char* title = panels[p].title[0] != '\0' || panel_count > 1 ? panels[p].title
                                                                      : options.title;
    bool bands_shown = false;
    stored = detail::write_extrapolation_bands(sink, panels[p], options, bands_shown) && stored;
    stored = write_text(sink, "set title ") && detail::write_quoted(sink, title) &&
             write_text(sink, "\nplot $points") && write_number(sink, p) &&
             write_text(sink, " using 1:2 with points ls 1 title ") &&
             detail::write_quoted(sink, options.points_label) &&
             write_text(sink, ", \\\n     $curve") && write_number(sink, p) &&
             // The curve over the points: points drawn last would hide a close fit's curve.
             write_text(sink, " using 1:2 with lines ls 2 title ") &&
             detail::write_quoted(sink, options.curve_label) && stored;
    if (bands_shown) {
      // A NaN plots nothing and gives the bands their legend entry.
      stored = write_text(sink,
                          ", \\\n     NaN with boxes fillcolor rgb '#e4e4e4' fillstyle "
                          "solid noborder title ") &&
               detail::write_quoted(sink, options.extrapolation_label) && stored;
    }
    stored = write_text(sink, "\n") && stored;
  }
  if (panel_count > 1) {
    stored = write_text(sink, "unset multiplot\n") && stored;
  }
  stored = write_text(sink, "set output\n") && stored;
  return stored ? ok_status() : make_status(StatusCode::output_failed);
}

template <class Sink, class T, std::size_t PanelCount>
Status write_gnuplot(Sink& sink, const std::array<PlotPanel<T>, PanelCount>& panels,
                     const PlotOptions& options) {
  return write_gnuplot(sink, panels.data(), PanelCount, options);
}

namespace detail {

// write_gnuplot_fit() for a network of one input and one output.
template <std::size_t CurvePoints, class Sink, class Net>
Status write_one_panel_fit(Sink& sink, const Net& net, SampleView<typename Net::Scalar, 1, 1> points,
                           const PlotOptions& options) {
  using T = typename Net::Scalar;
  if (points.size == 0) {
    return make_status(StatusCode::empty_dataset);
  }
  T x_min = points[0].input[0];
  T x_max = x_min;
  for (std::size_t s = 1; s < points.size; ++s) {
    const T x = points[s].input[0];
    x_min = x < x_min ? x : x_min;
    x_max = x > x_max ? x : x_max;
  }
  const auto curve = sample_curve<CurvePoints>(net, x_min, x_max);
  const PlotPanel<T> panel("", points, curve);
  // A null title is passed on, so that write_gnuplot() rejects it.
  if (options.title == nullptr || options.title[0] != '\0') {
    return write_gnuplot(sink, &panel, 1, options);
  }
  const double mse = static_cast<double>(mean_squared_error(net, points));
  BufferSink<160> title;
  for (std::size_t layer = 0; layer < Net::widths.size(); ++layer) {
    static_cast<void>(write_text(title, layer == 0 ? "" : "-"));
    static_cast<void>(write_number(title, Net::widths[layer]));
  }
  static_cast<void>(write_text(title, " network, "));
  static_cast<void>(write_number(title, Net::parameter_count));
  static_cast<void>(write_text(title, " parameters: MSE "));
  static_cast<void>(write_significant(title, mse, 3));
  static_cast<void>(write_text(title, " on "));
  static_cast<void>(write_number(title, points.size));
  static_cast<void>(write_text(title, points.size == 1 ? " point" : " points"));
  PlotOptions titled = options;
  titled.title = title.c_str();
  return write_gnuplot(sink, &panel, 1, titled);
}

}  // namespace detail

// Writes a one-panel script of `net` fitted to `points`: the curve is sampled at CurvePoints
// evenly spaced inputs between the smallest and the largest input of `points`. An empty
// options.title becomes the shape, the parameter count and the MSE on `points`, for example
// "1-4-1 network, 13 parameters: MSE 0.00084 on 100 points".
template <std::size_t CurvePoints = 400, class Sink, class Net>
Status write_gnuplot_fit(Sink& sink, const Net& net,
                         SampleView<typename Net::Scalar, Net::input_size, Net::output_size> points,
                         const PlotOptions& options) {
  static_assert(Net::input_size == 1 && Net::output_size == 1,
                "staticmlp: write_gnuplot_fit needs a network with one input and one output");
  if constexpr (Net::input_size == 1 && Net::output_size == 1) {
    return detail::write_one_panel_fit<CurvePoints>(sink, net, points, options);
  } else {
    return make_status(StatusCode::plot_options_invalid);
  }
}

}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
