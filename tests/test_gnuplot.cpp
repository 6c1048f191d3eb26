// gnuplot export: the script's content, locale independence, rejection of non-finite values,
// and (when gnuplot is installed) that gnuplot runs the script cleanly. test_atomic_file.cpp
// tests the file output.
#include <catch2/catch.hpp>

#include <algorithm>
#include <clocale>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <staticmlp/io.hpp>

#include "file_support.hpp"
#include "test_support.hpp"

namespace sm = staticmlp;
using Net = test_support::Relu141;

namespace {

constexpr auto sine = sm::sine_dataset<float, 100>();

// The fixed ranges of the lecture figures, for tests of where bands are clipped.
sm::PlotOptions lecture_ranges() {
  sm::PlotOptions options;
  options.x_min = -0.55;
  options.x_max = 0.55;
  options.y_min = -1.3;
  options.y_max = 1.9;
  return options;
}

std::string script_for(const Net& net, const sm::PlotOptions& options = {}, float curve_low = -0.5f,
                       float curve_high = 0.5f) {
  const auto curve = sm::sample_curve<50>(net, curve_low, curve_high);
  const std::array<sm::PlotPanel<float>, 1> panels = {
      sm::PlotPanel<float>("a 1-4-1 fit", sine, curve)};
  std::ostringstream text;
  sm::StreamSink sink(text);
  REQUIRE(sm::write_gnuplot(sink, panels, options).ok());
  return text.str();
}

using file_support::contains;
using file_support::read_file;
using file_support::scratch_folder;

bool gnuplot_installed() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("script has title labels legend and data") {
  const Net net = sm::initialized<Net>(1);
  sm::PlotOptions options;
  options.title = "Fit";
  options.x_label = "input x";
  options.y_label = "output y";
  const std::string script = script_for(net, options);
  CHECK(contains(script, "$points0 << EOD\n"));
  CHECK(contains(script, "$curve0 << EOD\n"));
  CHECK(contains(script, "set title 'a 1-4-1 fit'"));
  CHECK(contains(script, "set xlabel 'input x'"));
  CHECK(contains(script, "set ylabel 'output y'"));
  CHECK(contains(script, "title 'training data'"));
  CHECK(contains(script, "title 'network'"));
  CHECK(contains(script, "set terminal pngcairo"));
  // The first training point, x = -0.5 and y = sin(0) = 0, written exactly.
  CHECK(contains(script, "\n-0.5 0\n"));
}

TEST_CASE("curve values round-trip exactly") {
  const Net net = sm::initialized<Net>(3);
  const std::string script = script_for(net);
  const auto curve = sm::sample_curve<50>(net, -0.5f, 0.5f);
  const std::size_t start = script.find("$curve0 << EOD\n") + 15;
  std::istringstream rows(script.substr(start));
  for (std::size_t i = 0; i < curve.x.size(); ++i) {
    std::string x_text;
    std::string y_text;
    rows >> x_text >> y_text;
    CHECK(std::strtof(x_text.c_str(), nullptr) == curve.x[i]);
    CHECK(std::strtof(y_text.c_str(), nullptr) == curve.y[i]);
  }
}

TEST_CASE("quotes in titles are escaped") {
  sm::PlotOptions options;
  options.x_label = "it's x";
  CHECK(contains(script_for(Net(), options), "set xlabel 'it''s x'"));
}

TEST_CASE("multiplot panels share the axes") {
  const Net a = sm::initialized<Net>(1);
  const Net b = sm::initialized<Net>(2);
  const auto curve_a = sm::sample_curve<20>(a, -0.5f, 0.5f);
  const auto curve_b = sm::sample_curve<20>(b, -0.5f, 0.5f);
  const std::array<sm::PlotPanel<float>, 2> panels = {sm::PlotPanel<float>("seed 1", sine, curve_a),
                                                      sm::PlotPanel<float>("seed 2", sine, curve_b)};
  sm::PlotOptions options;
  options.rows = 1;
  options.columns = 2;
  options.title = "two seeds";
  std::ostringstream text;
  sm::StreamSink sink(text);
  REQUIRE(sm::write_gnuplot(sink, panels, options).ok());
  const std::string script = text.str();
  CHECK(contains(script, "set multiplot layout 1,2 title 'two seeds'"));
  CHECK(contains(script, "plot $points1"));
  CHECK(contains(script, "set title 'seed 2'"));
  CHECK(contains(script, "unset multiplot"));
  // One range for all panels, set once before the first plot.
  CHECK(script.find("set xrange") == script.rfind("set xrange"));
}

TEST_CASE("non-finite values are rejected with their row") {
  auto data = sine;
  data[4].target[0] = std::numeric_limits<float>::quiet_NaN();
  const auto curve = sm::sample_curve<10>(Net(), -0.5f, 0.5f);
  const std::array<sm::PlotPanel<float>, 1> panels = {sm::PlotPanel<float>("bad", data, curve)};
  sm::BufferSink<100000> sink;
  const sm::Status status = sm::write_gnuplot(sink, panels, sm::PlotOptions());
  CHECK(status.code == sm::StatusCode::value_not_finite);
  // Rows count from 1 over the whole script's data: sample 4 is row 5.
  CHECK(status.index == 5);
  CHECK(std::string(sm::describe(status).c_str()).find("row 5") != std::string::npos);
}

TEST_CASE("a full buffer is an error") {
  sm::BufferSink<64> small;
  const auto curve = sm::sample_curve<10>(Net(), -0.5f, 0.5f);
  const std::array<sm::PlotPanel<float>, 1> panels = {sm::PlotPanel<float>("x", sine, curve)};
  CHECK(sm::write_gnuplot(small, panels, sm::PlotOptions()).code == sm::StatusCode::output_failed);
  CHECK(small.overflowed());
}

TEST_CASE("decimal comma locale does not change numbers") {
  if (std::setlocale(LC_ALL, "de_DE.UTF-8") == nullptr) {
    WARN("locale de_DE.UTF-8 is not installed: skipped");
    return;
  }
  // printf now writes 0,1, but the script must still contain 0.1.
  char printed[16];
  std::snprintf(printed, sizeof printed, "%.1f", 0.1);
  CHECK(std::string(printed) == "0,1");
  std::array<sm::Sample<float, 1, 1>, 1> point = {{{{0.1f}, {0.25f}}}};
  const auto curve = sm::sample_curve<2>(Net(), -0.5f, 0.5f);
  const std::array<sm::PlotPanel<float>, 1> panels = {sm::PlotPanel<float>("", point, curve)};
  sm::BufferSink<8192> sink;
  const sm::Status status = sm::write_gnuplot(sink, panels, sm::PlotOptions());
  std::setlocale(LC_ALL, "C");
  REQUIRE(status.ok());
  CHECK(contains(sink.c_str(), "\n0.1 0.25\n"));
  CHECK(!contains(sink.c_str(), "0,1"));
}

TEST_CASE("gnuplot runs the script without complaint") {
  if (!gnuplot_installed()) {
    WARN("gnuplot is not installed: skipped");
    return;
  }
  const std::string folder = scratch_folder("gnuplot");
  const Net net = sm::initialized<Net>(1);
  // A curve beyond the data, so that the extrapolation bands and their legend entry run too.
  const std::string script = script_for(net, sm::PlotOptions(), -0.55f, 0.55f);
  REQUIRE(contains(script, "set object 2 rect"));

  // The dumb terminal: replace the PNG terminal lines and run; stderr must stay empty.
  std::string dumb = script;
  const std::size_t terminal = dumb.find("set terminal pngcairo");
  dumb.replace(terminal, dumb.find('\n', terminal) - terminal, "set terminal dumb");
  const std::size_t output = dumb.find("set output png_path");
  dumb.replace(output, 19, "set output '/dev/null'");
  { std::ofstream(folder + "/dumb.gp") << dumb; }
  CHECK(std::system(("gnuplot " + folder + "/dumb.gp 2>" + folder + "/dumb.err").c_str()) == 0);
  CHECK(read_file(folder + "/dumb.err").empty());

  // The PNG terminal writes fit.png next to fit.gp, from any working folder.
  { std::ofstream(folder + "/fit.gp") << script; }
  CHECK(std::system(("gnuplot " + folder + "/fit.gp 2>" + folder + "/png.err").c_str()) == 0);
  CHECK(read_file(folder + "/png.err").empty());
  const std::string png = read_file(folder + "/fit.png");
  REQUIRE(png.size() > 1000);
  CHECK(png.substr(1, 3) == "PNG");
}

TEST_CASE("one-panel fit spans the data's inputs") {
  const Net net = sm::initialized<Net>(1);
  sm::BufferSink<100000> sink;
  REQUIRE(sm::write_gnuplot_fit<11>(sink, net, sine, sm::PlotOptions()).ok());
  const std::string script = sink.c_str();
  // 11 curve points from -0.5 to 0.5: the first and last rows of $curve0.
  const std::size_t start = script.find("$curve0 << EOD\n") + 15;
  const std::string first_row = script.substr(start, script.find('\n', start) - start);
  CHECK(first_row.rfind("-0.5 ", 0) == 0);
  const std::size_t end = script.find("EOD\n", start);
  const std::size_t last_start = script.rfind('\n', end - 2) + 1;
  CHECK(script.substr(last_start, 4) == "0.5 ");
  CHECK(sm::write_gnuplot_fit(sink, net, sm::SampleView<float, 1, 1>(), sm::PlotOptions()).code ==
        sm::StatusCode::empty_dataset);
}

TEST_CASE("untitled fit gets a generated title") {
  const Net net = sm::initialized<Net>(1);
  sm::BufferSink<100000> sink;
  REQUIRE(sm::write_gnuplot_fit<11>(sink, net, sine, sm::PlotOptions()).ok());
  const std::string script = sink.c_str();
  char expected[96] = {};
  std::snprintf(expected, sizeof expected,
                "set title '1-4-1 network, 13 parameters: MSE %.3g on 100 points'\n",
                static_cast<double>(sm::mean_squared_error(net, sine)));
  CHECK(contains(script, expected));
  // A title of the caller's own is kept.
  sm::PlotOptions options;
  options.title = "mine";
  sm::BufferSink<100000> titled;
  REQUIRE(sm::write_gnuplot_fit<11>(titled, net, sine, options).ok());
  CHECK(contains(titled.c_str(), "set title 'mine'\n"));
}

TEST_CASE("curve spans inputs near FLT_MAX") {
  // The span 6e38 overflows float; each curve input must still lie between the two points.
  using Line = sm::Mlp<float, 1, sm::Dense<1, sm::Identity>>;
  Line line;
  line.parameters() = {0.5f, 0.0f};
  const std::array<Line::SampleType, 2> far = {Line::SampleType{{-3e38f}, {-1.5e38f}},
                                               Line::SampleType{{3e38f}, {1.5e38f}}};
  const auto curve = sm::sample_curve<5>(line, -3e38f, 3e38f);
  CHECK(curve.x[0] == -3e38f);
  CHECK(curve.x[2] == 0.0f);
  CHECK(curve.x[4] == 3e38f);
  sm::BufferSink<100000> sink;
  sm::PlotOptions options;
  options.title = "far";
  CHECK(sm::write_gnuplot_fit<5>(sink, line, far, options).ok());
}

TEST_CASE("newlines in titles cannot start commands") {
  sm::PlotOptions options;
  options.title = "evil\nsystem('touch pwned')\nx";
  options.x_label = "a\r\nb";
  const std::string script = script_for(Net(), options);
  CHECK(!contains(script, "\nsystem("));
  CHECK(contains(script, "set xlabel 'a  b'"));
  // A title ending in a backslash must not continue a comment line into the data.
  options.title = "trailing\\";
  const std::string second = script_for(Net(), options);
  CHECK(second.rfind("# A gnuplot 5 script written by staticmlp.\n$points0 << EOD\n", 0) == 0);
}

TEST_CASE("invalid plot options are rejected") {
  const auto curve = sm::sample_curve<10>(Net(), -0.5f, 0.5f);
  const std::array<sm::PlotPanel<float>, 2> panels = {sm::PlotPanel<float>("a", sine, curve),
                                                      sm::PlotPanel<float>("b", sine, curve)};
  const auto setting_rejected = [&](const sm::PlotOptions& options, std::size_t count) {
    sm::BufferSink<200000> sink;
    return sm::write_gnuplot(sink, panels.data(), count, options);
  };
  sm::PlotOptions options;
  options.columns = 2;
  options.x_min = -std::numeric_limits<double>::infinity();
  CHECK(setting_rejected(options, 2).code == sm::StatusCode::plot_options_invalid);
  CHECK(setting_rejected(options, 2).index == 0);
  CHECK(contains(sm::describe(setting_rejected(options, 2)).c_str(),
                 "(setting 0 = x_min or x_max, value -inf)"));
  options.x_min = -0.5;
  options.y_min = 2.0;  // above y_max
  CHECK(setting_rejected(options, 2).index == 1);
  CHECK(setting_rejected(options, 2).value == 2.0);
  options.y_min = -1.0;
  options.width = 0;
  CHECK(setting_rejected(options, 2).index == 2);
  options.width = 800;
  options.columns = 1;  // one cell for two panels
  CHECK(setting_rejected(options, 2).index == 3);
  options.columns = 2;
  CHECK(setting_rejected(options, 0).index == 4);
  CHECK(setting_rejected(options, 2).ok());
}

TEST_CASE("null plot texts are rejected") {
  const auto curve = sm::sample_curve<10>(Net(), -0.5f, 0.5f);
  std::array<sm::PlotPanel<float>, 2> panels = {sm::PlotPanel<float>("a", sine, curve),
                                                sm::PlotPanel<float>("b", sine, curve)};
  const sm::PlotOptions valid;
  sm::BufferSink<200000> sink;
  // Each text of PlotOptions, in the order of settings 5 to 11.
  const std::array<const char* sm::PlotOptions::*, 7> texts = {
      &sm::PlotOptions::title,        &sm::PlotOptions::png_name,
      &sm::PlotOptions::x_label,      &sm::PlotOptions::y_label,
      &sm::PlotOptions::points_label, &sm::PlotOptions::curve_label,
      &sm::PlotOptions::extrapolation_label};
  for (std::size_t i = 0; i < texts.size(); ++i) {
    sm::PlotOptions options = valid;
    options.columns = 2;
    options.*texts[i] = nullptr;
    INFO("setting " << 5 + i);
    const sm::Status status = sm::write_gnuplot(sink, panels, options);
    CHECK(status.code == sm::StatusCode::plot_options_invalid);
    CHECK(status.index == 5 + i);
  }

  sm::PlotOptions two_columns = valid;
  two_columns.columns = 2;
  panels[1].title = nullptr;
  const sm::Status panel_status = sm::write_gnuplot(sink, panels, two_columns);
  CHECK(panel_status.code == sm::StatusCode::plot_options_invalid);
  CHECK(panel_status.index == 12);
  CHECK(panel_status.value == 1.0);
  CHECK_THAT(std::string(sm::describe(panel_status).c_str()),
             Catch::EndsWith("(setting 12 = panels[value].title, value 1)"));

  // write_gnuplot_fit reads the title to decide whether to make one: a null one must be
  // rejected, not read.
  sm::PlotOptions no_title = valid;
  no_title.title = nullptr;
  const sm::Status fit_status = sm::write_gnuplot_fit(sink, Net(), sine, no_title);
  CHECK(fit_status.code == sm::StatusCode::plot_options_invalid);
  CHECK(fit_status.index == 5);
}

// Firmware prints codes as numbers, so a code keeps its number once released.
static_assert(static_cast<int>(sm::StatusCode::loss_not_finite) == 7);
static_assert(static_cast<int>(sm::StatusCode::model_value_out_of_range) == 32);
static_assert(static_cast<int>(sm::StatusCode::image_version_unsupported) == 50);
static_assert(static_cast<int>(sm::StatusCode::update_not_finite) == 51);

TEST_CASE("every status code has its own message") {
  const auto last = static_cast<int>(sm::StatusCode::optimizer_state_not_finite);
  std::vector<std::string> messages;
  for (int code = 0; code <= last; ++code) {
    const std::string text = sm::make_status(static_cast<sm::StatusCode>(code)).message();
    INFO("code " << code << ": " << text);
    CHECK(text != "unknown status");
    CHECK(std::find(messages.begin(), messages.end(), text) == messages.end());
    messages.push_back(text);
  }
  CHECK(std::string(sm::make_status(static_cast<sm::StatusCode>(last + 1)).message()) ==
        "unknown status");
}

TEST_CASE("descriptions are never cut off") {
  // The longest index, setting name and value text with every code: each description must end
  // with its closing parenthesis, or with the message where it has neither index nor value.
  const auto last = static_cast<int>(sm::StatusCode::optimizer_state_not_finite);
  const std::size_t longest_index = std::numeric_limits<std::size_t>::max();
  const double longest_value = -1.2345678901234567e+100;
  for (int code = 0; code <= last; ++code) {
    for (std::size_t index : {std::size_t{0}, std::size_t{12}, longest_index}) {
      const sm::Status status =
          sm::make_status(static_cast<sm::StatusCode>(code), index, longest_value);
      const std::string text = sm::describe(status).c_str();
      INFO("code " << code << ", index " << index << ": " << text);
      const bool bare = text == status.message();
      CHECK((bare || text.back() == ')'));
      CHECK(text.rfind(status.message(), 0) == 0);
    }
  }
}

TEST_CASE("descriptions name the setting") {
  const auto described = [](const sm::Status& status) {
    return std::string(sm::describe(status).c_str());
  };
  const sm::Adam<Net> adam(0.01f, 1.5f);
  CHECK_THAT(described(adam.check()), Catch::EndsWith("(setting 0 = beta1, value 1.5)"));
  const sm::Adam<Net> bad_epsilon(0.01f, 0.9f, 0.999f, 0.0f);
  CHECK_THAT(described(bad_epsilon.check()), Catch::EndsWith("(setting 2 = epsilon, value 0)"));
  const sm::Momentum<Net> momentum(0.01f, 1.0f);
  CHECK_THAT(described(momentum.check()), Catch::EndsWith("(setting 3 = momentum, value 1)"));

  Net net;
  sm::FitOptions<float> fit_options;
  fit_options.divergence_factor = 0.5f;
  sm::Sgd<Net> sgd(0.01f);
  const auto fitted = sm::fit(net, sgd, sine, fit_options);
  CHECK_THAT(described(fitted.status),
             Catch::EndsWith("(setting 0 = divergence_factor, value 0.5)"));

  sm::RestartOptions<float> restart_options;
  restart_options.kink_scale = -1.0f;
  const auto restarted = sm::train_with_restarts(net, sine, 1, restart_options);
  CHECK_THAT(described(restarted.status),
             Catch::EndsWith("(setting 2 = kink_scale, value -1)"));

  const auto curve = sm::sample_curve<10>(Net(), -0.5f, 0.5f);
  const sm::PlotPanel<float> panel("a", sine, curve);
  sm::PlotOptions plot_options;
  plot_options.height = 0;
  sm::BufferSink<200000> sink;
  CHECK_THAT(described(sm::write_gnuplot(sink, &panel, 1, plot_options)),
             Catch::EndsWith("(setting 2 = width or height, value 0)"));
  plot_options.height = 600;
  CHECK_THAT(described(sm::write_gnuplot(sink, &panel, 0, plot_options)),
             Catch::EndsWith("(setting 4 = panel count, value 0)"));

  // An index past the known settings keeps its number alone.
  CHECK_THAT(described(sm::make_status(sm::StatusCode::hyperparameter_invalid, 7, 2.0)),
             Catch::EndsWith("(setting 7, value 2)"));
}

TEST_CASE("bands mark the extrapolated curve") {
  const Net net = sm::initialized<Net>(1);
  // The lecture's layout: the curve spans the plotted [-0.55, 0.55], the data [-0.5, 0.5].
  const auto wide = sm::sample_curve<23>(net, -0.55f, 0.55f);
  const auto on_data = sm::sample_curve<11>(net, -0.5f, 0.5f);
  const std::array<sm::PlotPanel<float>, 2> panels = {
      sm::PlotPanel<float>("wide curve", sine, wide),
      sm::PlotPanel<float>("curve on the data", sine, on_data)};

  sm::PlotOptions options;
  options.rows = 1;
  options.columns = 2;
  std::ostringstream text;
  sm::StreamSink sink(text);
  REQUIRE(sm::write_gnuplot(sink, panels, options).ok());
  const std::string script = text.str();

  const std::size_t second = script.find("set title 'curve on the data'");
  REQUIRE(second != std::string::npos);
  const std::string first_panel = script.substr(0, second);
  const std::string second_panel = script.substr(second);
  CHECK(
      contains(first_panel, "set object 1 rect from first -0.55, graph 0 to first -0.5, graph 1"));
  CHECK(contains(first_panel, "set object 2 rect from first 0.5, graph 0 to first 0.55, graph 1"));
  CHECK(contains(first_panel, "title 'extrapolation'"));

  // The second panel's curve stays on the data: it clears the first panel's bands, which
  // multiplot would otherwise keep, and has no legend entry for them.
  const std::size_t first_plot = script.find("plot $points0");
  REQUIRE(first_plot < second);
  const std::string between_panels = script.substr(first_plot, second - first_plot);
  CHECK(contains(between_panels, "unset object 1\n"));
  CHECK(contains(between_panels, "unset object 2\n"));
  CHECK(!contains(second_panel, "extrapolation"));
}

TEST_CASE("bands are clamped and can be turned off") {
  const Net net = sm::initialized<Net>(1);
  // Only the left side extrapolates, and beyond the plotted range: the band starts at x_min.
  const auto left_curve = sm::sample_curve<11>(net, -2.0f, 0.5f);
  const std::array<sm::PlotPanel<float>, 1> panels = {
      sm::PlotPanel<float>("left", sine, left_curve)};
  std::ostringstream text;
  sm::StreamSink sink(text);
  REQUIRE(sm::write_gnuplot(sink, panels, lecture_ranges()).ok());
  const std::string script = text.str();
  CHECK(contains(script, "set object 1 rect from first -0.55, graph 0 to first -0.5, graph 1"));
  CHECK(contains(script, "unset object 2\n"));
  CHECK(contains(script, "title 'extrapolation'"));

  sm::PlotOptions no_bands = lecture_ranges();
  no_bands.extrapolation_label = "";
  std::ostringstream plain;
  sm::StreamSink plain_sink(plain);
  REQUIRE(sm::write_gnuplot(plain_sink, panels, no_bands).ok());
  CHECK(!contains(plain.str(), "set object 1 rect"));
  CHECK(!contains(plain.str(), "with boxes"));
}

TEST_CASE("bands stay where the curve runs") {
  const Net net = sm::initialized<Net>(1);
  const auto script_with = [&](const sm::Curve<float, 11>& curve) {
    const std::array<sm::PlotPanel<float>, 1> panels = {sm::PlotPanel<float>("", sine, curve)};
    std::ostringstream text;
    sm::StreamSink sink(text);
    REQUIRE(sm::write_gnuplot(sink, panels, lecture_ranges()).ok());
    return text.str();
  };
  // A curve entirely left of the plotted range: nothing to shade, and no legend entry.
  const std::string outside = script_with(sm::sample_curve<11>(net, -3.0f, -1.0f));
  CHECK(contains(outside, "unset object 1\n"));
  CHECK(contains(outside, "unset object 2\n"));
  CHECK(!contains(outside, "extrapolation"));
  // A curve that ends before the data starts: the band ends with the curve.
  const std::string short_curve = script_with(sm::sample_curve<11>(net, -0.54f, -0.52f));
  CHECK(
      contains(short_curve, "set object 1 rect from first -0.54, graph 0 to first -0.52, graph 1"));
  CHECK(contains(short_curve, "unset object 2\n"));
}

TEST_CASE("labels are shown as written") {
  // Enhanced text mode would make "x_1" a subscript and warn about a trailing backslash.
  sm::PlotOptions options;
  options.x_label = "x_1 \\";
  const std::string script = script_for(Net(), options);
  CHECK(contains(script, "set terminal pngcairo noenhanced "));
  CHECK(contains(script, "set xlabel 'x_1 \\'"));
}

TEST_CASE("DEL in a label becomes a space") {
  sm::PlotOptions options;
  options.x_label = "a\177b";  // octal escape of DEL, 0x7f
  CHECK(contains(script_for(Net(), options), "set xlabel 'a b'"));
}

TEST_CASE("generated title counts one point") {
  using Line = sm::Mlp<float, 1, sm::Dense<1, sm::Identity>>;
  const std::array<Line::SampleType, 1> single_point = {{{{0.5f}, {0.5f}}}};
  sm::BufferSink<8192> sink;
  const sm::SampleView<float, 1, 1> points(single_point);
  REQUIRE(sm::write_gnuplot_fit(sink, Line(), points, sm::PlotOptions()).ok());
  CHECK(contains(sink.c_str(), "on 1 point'"));
}

TEST_CASE("one panel ignores the multiplot layout") {
  // The layout is written only for several panels, so one panel needs no cell count.
  const auto curve = sm::sample_curve<10>(sm::initialized<Net>(1), -0.5f, 0.5f);
  const sm::PlotPanel<float> panel("one panel", sine, curve);
  sm::PlotOptions options;
  options.rows = 0;
  options.columns = 0;
  sm::BufferSink<200000> sink;
  CHECK(sm::write_gnuplot(sink, &panel, 1, options).ok());
}

TEST_CASE("untitled multiplot panels stay untitled") {
  // The figure title heads the multiplot once, so a panel without a title must not repeat it.
  const auto curve = sm::sample_curve<10>(sm::initialized<Net>(1), -0.5f, 0.5f);
  const std::array<sm::PlotPanel<float>, 2> panels = {sm::PlotPanel<float>("left", sine, curve),
                                                      sm::PlotPanel<float>("", sine, curve)};
  sm::PlotOptions options;
  options.title = "figure title";
  options.columns = 2;
  sm::BufferSink<200000> sink;
  REQUIRE(sm::write_gnuplot(sink, panels, options).ok());
  const std::string script = sink.c_str();
  CHECK(script.find("set title 'left'") != std::string::npos);
  CHECK(script.find("set title ''") != std::string::npos);
  const auto first = script.find("figure title");
  REQUIRE(first != std::string::npos);
  CHECK(script.find("figure title", first + 1) == std::string::npos);
}

TEST_CASE("empty x range is rejected") {
  const auto curve = sm::sample_curve<10>(sm::initialized<Net>(1), -0.5f, 0.5f);
  const sm::PlotPanel<float> panel("one panel", sine, curve);
  sm::PlotOptions options;
  options.x_min = 0.5;
  options.x_max = 0.5;
  sm::BufferSink<200000> sink;
  const sm::Status status = sm::write_gnuplot(sink, &panel, 1, options);
  CHECK(status.code == sm::StatusCode::plot_options_invalid);
  CHECK(status.index == 0);
  CHECK(status.value == 0.5);
}

namespace {
// The "set xrange" or "set yrange" line of a script.
std::string range_line(const std::string& script, const std::string& axis) {
  const std::size_t start = script.find("set " + axis + "range [");
  if (start == std::string::npos) {
    return "";
  }
  return script.substr(start, script.find('\n', start) - start);
}

// The two ends of a script's "set xrange [low:high]" or "set yrange" line.
std::pair<double, double> range_ends(const std::string& script, const std::string& axis) {
  const std::string line = range_line(script, axis);
  const std::size_t open = line.find('[');
  const std::size_t colon = line.find(':', open);
  return {std::stod(line.substr(open + 1, colon - open - 1)), std::stod(line.substr(colon + 1))};
}

template <std::size_t N>
std::string fit_script(const std::array<Net::SampleType, N>& points,
                       const sm::PlotOptions& options) {
  sm::BufferSink<400000> sink;
  REQUIRE(sm::write_gnuplot_fit<11>(sink, Net{}, points, options).ok());
  return sink.c_str();
}
}  // namespace

TEST_CASE("automatic ranges fit the data") {
  // Data beyond the lecture's ranges: y = 2 |x| on [-1, 1].
  std::array<Net::SampleType, 21> wide{};
  for (std::size_t i = 0; i < wide.size(); ++i) {
    const float x = -1.0f + 0.1f * static_cast<float>(i);
    wide[i] = {{x}, {2.0f * (x < 0 ? -x : x)}};
  }
  // The zero network's curve lies inside the data, so the data alone sets both ranges.
  const std::string script = fit_script(wide, sm::PlotOptions());
  // x: [-1, 1] and 5 % of the span on each side. y: [0, 2] and 5 % below. Above, the legend's
  // 3 rows (70 of the panel's 525 plot pixels, 2/15) sit on a 5 % margin over the data:
  // (2.1 + 0.1 * 2/15) / (13/15) = 2.438..., rounded to 2.44.
  CHECK(range_line(script, "x") == "set xrange [-1.1:1.1]");
  CHECK(range_line(script, "y") == "set yrange [-0.1:2.44]");
}

TEST_CASE("automatic ranges take the curve too") {
  const Net net = sm::initialized<Net>(1);
  const auto curve = sm::sample_curve<11>(net, -2.0f, 0.5f);
  const std::array<sm::PlotPanel<float>, 1> panels = {sm::PlotPanel<float>("", sine, curve)};
  sm::BufferSink<200000> sink;
  REQUIRE(sm::write_gnuplot(sink, panels, sm::PlotOptions()).ok());
  const std::string script = sink.c_str();
  // The curve starts at -2, left of every training input: x spans [-2, 0.5], and with margins
  // [-2.125, 0.625], rounded to the span's third digit (0.01), ties to even.
  CHECK(range_line(script, "x") == "set xrange [-2.12:0.62]");
  // The band runs from the curve's start to the first training input.
  CHECK(contains(script, "set object 1 rect from first -2, graph 0 to first -0.5, graph 1"));
}

TEST_CASE("one automatic end keeps the other") {
  const auto curve = sm::sample_curve<10>(sm::initialized<Net>(1), -0.5f, 0.5f);
  const sm::PlotPanel<float> panel("", sine, curve);
  sm::PlotOptions options;
  options.x_min = -3.0;
  options.y_max = 5.0;
  sm::BufferSink<200000> sink;
  REQUIRE(sm::write_gnuplot(sink, &panel, 1, options).ok());
  const std::string script = sink.c_str();
  CHECK(range_line(script, "x") == "set xrange [-3:0.55]");
  CHECK(contains(range_line(script, "y"), ":5]"));

  // An explicit end beyond the fitted one leaves an empty range, which is rejected.
  options.x_min = 2.0;
  const sm::Status status = sm::write_gnuplot(sink, &panel, 1, options);
  CHECK(status.code == sm::StatusCode::plot_options_invalid);
  CHECK(status.index == 0);
  CHECK(status.value == 2.0);
}

TEST_CASE("automatic ranges of a single value") {
  const std::array<Net::SampleType, 1> single_sample = {{{{0.0f}, {3.0f}}}};
  const std::string script = fit_script(single_sample, sm::PlotOptions());
  // x has the single input 0: [-1, 1] and margins. y spans the curve's 0 and the target 3:
  // (3.15 + 0.15 * 2/15) / (13/15) = 3.657..., rounded to 3.66.
  CHECK(range_line(script, "x") == "set xrange [-1.1:1.1]");
  CHECK(range_line(script, "y") == "set yrange [-0.15:3.66]");
}

TEST_CASE("automatic ranges at any magnitude") {
  for (double magnitude : {1e-30, 1e-9, 1.0, 1e9, 1e30}) {
    INFO("magnitude " << magnitude);
    // Inputs and targets in [m, 3m] and [-3m, -m]; the zero network's curve adds y = 0.
    std::array<Net::SampleType, 3> points{};
    for (std::size_t i = 0; i < points.size(); ++i) {
      const auto value = static_cast<float>(magnitude * static_cast<double>(i + 1));
      points[i] = {{value}, {-value}};
    }
    const std::string script = fit_script(points, sm::PlotOptions());
    const auto [x_low, x_high] = range_ends(script, "x");
    const auto [y_low, y_high] = range_ends(script, "y");
    CHECK(x_low < static_cast<double>(points[0].input[0]));
    CHECK(x_high > static_cast<double>(points[2].input[0]));
    CHECK(y_low < static_cast<double>(points[2].target[0]));
    CHECK(y_high > 0.0);
    // Short numbers: at most 4 significant digits, so at most 11 characters with the exponent.
    for (const std::string axis : {"x", "y"}) {
      const std::string line = range_line(script, axis);
      CHECK(line.size() <= std::string("set xrange [").size() + 2 * 11 + 2);
    }
  }
}

TEST_CASE("automatic top leaves the legend room") {
  // The lecture's 2 x 2 layout at 1000 x 760 pixels: each panel's legend covers about 70 of its
  // 265 plot pixels. The data's top (with its 5 % margin) must stay below that.
  const auto curve = sm::sample_curve<11>(Net{}, -0.5f, 0.5f);
  const sm::PlotPanel<float> panel("", sine, curve);
  const std::array<sm::PlotPanel<float>, 4> panels = {panel, panel, panel, panel};
  sm::PlotOptions options;
  options.width = 1000;
  options.height = 760;
  options.rows = 2;
  options.columns = 2;
  sm::BufferSink<400000> sink;
  REQUIRE(sm::write_gnuplot(sink, panels, options).ok());
  const auto [low, high] = range_ends(sink.c_str(), "y");
  double top = 0;
  for (const auto& sample : sine) {
    top = std::max(top, static_cast<double>(sample.target[0]));
  }
  const double free_above = (high - top) / (high - low);
  CHECK(free_above > 70.0 / 265.0);
  CHECK(free_above < 0.4);

  // An explicit bottom far below the data: the legend's share is of the whole range.
  options.y_min = -100;
  sm::BufferSink<400000> far_sink;
  REQUIRE(sm::write_gnuplot(far_sink, panels, options).ok());
  const auto [far_low, far_high] = range_ends(far_sink.c_str(), "y");
  CHECK(far_low == -100.0);
  CHECK((far_high - top) / (far_high - far_low) > 70.0 / 265.0);
}
