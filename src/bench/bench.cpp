// Training throughput of staticmlp against a hand-written Eigen baseline on the lecture's task:
// 1-H-1 networks on the 100-point sine data, learning rate 0.01, per-sample SGD or full batch.
// Each run is timed in the thread's CPU time after a warm-up that also sizes it to about
// --seconds, and repeated --repeats times; a row reports the median and the spread. With no run
// options it prints the standard table, the float32 multiply-add peak (in builds with FMA), the
// cost of each activation alone and the memory footprint table. --csv prints the standard table
// as CSV.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../command_line.hpp"
#include "footprint.hpp"
#include "run.hpp"

#ifndef BENCH_FLAGS
#define BENCH_FLAGS "default"
#endif

namespace bench {

const char* activation_name(Activation activation) {
  switch (activation) {
    case Activation::tanh:
      return "tanh";
    case Activation::relu:
      return "relu";
    case Activation::sigmoid:
      return "sigmoid";
  }
  return "?";
}

const char* mode_name(Mode mode) { return mode == Mode::sgd ? "sgd" : "batch"; }

}  // namespace bench

namespace {

using namespace bench;

using Trainer = Timing (*)(const Config&, std::size_t);

struct Options {
  Config config;
  bool single_run = false;  // a run option was given: run that configuration only
  bool csv = false;
  bool header = true;
  bool footprint = true;
  bool eigen = true;
  std::size_t epochs = 0;  // 0: size each run to about `seconds`
  double seconds = 1.0;
  int repeats = 3;
};

struct Row {
  const char* implementation = "";
  Config config;
  std::size_t epochs = 0;
  double seconds_per_epoch = 0;
  double spread = 0;  // (slowest - fastest) / median over the repeats
  double final_mse = 0;
};

// The program's name as run (bench-default or bench-native), for the usage line.
const char* program_name = "bench";

void print_usage(std::FILE* out) {
  std::fprintf(out, "usage: %s [options]\n", program_name);
  std::fprintf(out,
               "With no --hidden, --activation, --mode or --precision, runs the standard table\n"
               "and then prints the float32 peak (builds with FMA only), the activation costs\n"
               "and the footprint table. Any of those four options runs that one configuration\n"
               "and prints its rows only.\n"
               "  --hidden H          hidden width: 4, 40 or 400 (default 40)\n"
               "  --activation A      hidden activation: tanh, relu or sigmoid (default tanh)\n"
               "  --mode M            sgd (one update per sample, the default) or batch (one per epoch)\n"
               "  --precision P       float or double (default float)\n"
               "  --epochs N          epochs per timed run (default: sized to --seconds)\n"
               "  --seconds S         target duration of one timed run in seconds (default 1)\n"
               "  --repeats R         timed runs per row; the row reports the median (default 3)\n"
               "  --csv               print CSV rows instead of the table\n"
               "  --no-header         leave out the CSV header or the table heading\n"
               "  --no-footprint      leave out the memory footprint table\n"
               "  --no-eigen          leave out the Eigen baseline rows\n");
}

[[noreturn]] void fail_option(const char* option, const char* value, const char* expected) {
  std::fprintf(stderr, "error: invalid value '%s' for %s: expected %s\n", value, option,
               expected);
  print_usage(stderr);
  std::exit(2);
}

// Parses a whole decimal integer in [1, maximum]; false for "", "5x", "2.9", "1e3" or overflow.
bool parse_count(const char* text, unsigned long long maximum, unsigned long long& count) {
  if (*text < '0' || *text > '9') {
    return false;
  }
  errno = 0;
  char* end = nullptr;
  const unsigned long long parsed = std::strtoull(text, &end, 10);
  if (errno != 0 || *end != '\0' || parsed == 0 || parsed > maximum) {
    return false;
  }
  count = parsed;
  return true;
}

// Parses a decimal number of seconds in (0, 86400], one day: a larger target could overflow the
// count of epochs that size_run() derives from it.
bool parse_seconds(const char* text, double& seconds) {
  errno = 0;
  char* end = nullptr;
  const double parsed = std::strtod(text, &end);
  if (end == text || *end != '\0' || errno != 0 || !(parsed > 0) || !(parsed <= 86400)) {
    return false;
  }
  seconds = parsed;
  return true;
}

Options parse_options(int argc, char** argv) {
  Options options;
  if (argc > 0 && argv[0][0] != '\0') {
    const char* slash = std::strrchr(argv[0], '/');
    program_name = slash != nullptr ? slash + 1 : argv[0];
  }
  std::vector<std::string> seen;
  for (int i = 1; i < argc; ++i) {
    const std::string option = argv[i];
    // A repeated option is a mistake in a script more often than an intended override.
    if (std::find(seen.begin(), seen.end(), option) != seen.end()) {
      std::fprintf(stderr, "error: %s given twice: give it once\n", option.c_str());
      print_usage(stderr);
      std::exit(2);
    }
    seen.push_back(option);
    const bool has_value = i + 1 < argc;
    const auto value = [&]() -> const char* {
      if (!has_value) {
        std::fprintf(stderr, "error: missing value for %s\n", option.c_str());
        print_usage(stderr);
        std::exit(2);
      }
      return argv[++i];
    };
    if (option == "--hidden") {
      const char* text = value();
      unsigned long long hidden = 0;
      if (!parse_count(text, 400, hidden) || (hidden != 4 && hidden != 40 && hidden != 400)) {
        fail_option("--hidden", text, "4, 40 or 400");
      }
      options.config.hidden = static_cast<std::size_t>(hidden);
      options.single_run = true;
    } else if (option == "--activation") {
      const std::string text = value();
      if (text == "tanh") {
        options.config.activation = Activation::tanh;
      } else if (text == "relu") {
        options.config.activation = Activation::relu;
      } else if (text == "sigmoid") {
        options.config.activation = Activation::sigmoid;
      } else {
        fail_option("--activation", text.c_str(), "tanh, relu or sigmoid");
      }
      options.single_run = true;
    } else if (option == "--mode") {
      const std::string text = value();
      if (text != "sgd" && text != "batch") {
        fail_option("--mode", text.c_str(), "sgd or batch");
      }
      options.config.mode = text == "sgd" ? Mode::sgd : Mode::batch;
      options.single_run = true;
    } else if (option == "--precision") {
      const std::string text = value();
      if (text != "float" && text != "double") {
        fail_option("--precision", text.c_str(), "float or double");
      }
      options.config.precision = text == "float" ? Precision::float32 : Precision::float64;
      options.single_run = true;
    } else if (option == "--epochs") {
      const char* text = value();
      unsigned long long epochs = 0;
      if (!parse_count(text, 1000000000, epochs)) {
        fail_option("--epochs", text, "a whole number of epochs from 1 to 1000000000");
      }
      options.epochs = static_cast<std::size_t>(epochs);
    } else if (option == "--seconds") {
      const char* text = value();
      if (!parse_seconds(text, options.seconds)) {
        fail_option("--seconds", text, "a number of seconds above 0 and at most 86400");
      }
    } else if (option == "--repeats") {
      const char* text = value();
      unsigned long long repeats = 0;
      if (!parse_count(text, 1000, repeats)) {
        fail_option("--repeats", text, "a whole number of runs from 1 to 1000");
      }
      options.repeats = static_cast<int>(repeats);
    } else if (option == "--csv") {
      options.csv = true;
    } else if (option == "--no-header") {
      options.header = false;
    } else if (option == "--no-footprint") {
      options.footprint = false;
    } else if (option == "--no-eigen") {
      options.eigen = false;
    } else if (option == "--help" || option == "-h") {
      print_usage(stdout);
      std::exit(command_line::finish_output(0));
    } else {
      std::fprintf(stderr, "error: unknown option '%s'\n", option.c_str());
      print_usage(stderr);
      std::exit(2);
    }
  }
  return options;
}

// Warms up and finds how many epochs take about `seconds`, unless `epochs` fixes it.
std::size_t size_run(Trainer train, const Config& config, const Options& options) {
  if (options.epochs > 0) {
    static_cast<void>(train(config, options.epochs));
    return options.epochs;
  }
  std::size_t epochs = 1;
  double seconds = train(config, epochs).seconds;
  while (seconds < 0.05) {
    epochs *= 4;
    seconds = train(config, epochs).seconds;
  }
  const double scaled = static_cast<double>(epochs) * options.seconds / seconds;
  return std::max<std::size_t>(1, static_cast<std::size_t>(scaled));
}

bool measure(const char* name, Trainer train, const Config& config, const Options& options,
             Row& row) {
  if (!train(config, 1).ok) {
    return false;
  }
  row.implementation = name;
  row.config = config;
  row.epochs = size_run(train, config, options);
  std::vector<double> times;
  for (int r = 0; r < options.repeats; ++r) {
    const Timing timing = train(config, row.epochs);
    times.push_back(timing.seconds);
    row.final_mse = timing.final_mse;
  }
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  row.seconds_per_epoch = median / static_cast<double>(row.epochs);
  row.spread = (times.back() - times.front()) / median;
  return true;
}

// Returns the value of the first "key : value" line of /proc/cpuinfo with this key, or "" when
// there is none or the file is missing (systems other than Linux).
std::string cpuinfo_value(const char* key) {
  std::FILE* file = std::fopen("/proc/cpuinfo", "r");
  if (file == nullptr) {
    return std::string();
  }
  std::string value;
  char line[512];
  const std::size_t key_length = std::strlen(key);
  // A line longer than the buffer (the flags line) arrives in pieces: only a piece that starts
  // a line is read as "key : value".
  bool at_line_start = true;
  while (std::fgets(line, sizeof line, file) != nullptr) {
    const bool starts_line = at_line_start;
    at_line_start = std::strchr(line, '\n') != nullptr;
    const char* colon = std::strchr(line, ':');
    if (!starts_line || colon == nullptr) {
      continue;
    }
    std::size_t name_end = static_cast<std::size_t>(colon - line);
    while (name_end > 0 && (line[name_end - 1] == ' ' || line[name_end - 1] == '\t')) {
      --name_end;
    }
    if (name_end == key_length && std::strncmp(line, key, key_length) == 0) {
      value = colon + 1;
      const std::size_t first = value.find_first_not_of(" \t");
      const std::size_t last = value.find_last_not_of(" \t\r\n");
      value = first == std::string::npos ? std::string() : value.substr(first, last - first + 1);
      break;
    }
  }
  std::fclose(file);
  return value;
}

// Prints the CPU's model name, family and model numbers. The model name alone may cover
// different cores: docs/performance.md records an "AMD EPYC" that was a Zen 3 (model 1) on one
// day and a Zen 4 (model 17) on another.
void print_machine() {
  const std::string name = cpuinfo_value("model name");
  const std::string family = cpuinfo_value("cpu family");
  const std::string model = cpuinfo_value("model");
  if (name.empty() && family.empty()) {
    std::printf("machine: not named (no x86 /proc/cpuinfo)\n");
    return;
  }
  std::printf("machine: %s, family %s, model %s\n", name.empty() ? "unnamed CPU" : name.c_str(),
              family.empty() ? "?" : family.c_str(), model.empty() ? "?" : model.c_str());
}

void print_heading(const Options& options) {
  if (!options.header) {
    return;
  }
  if (options.csv) {
    std::printf(
        "implementation,hidden,activation,mode,epochs,seconds_per_epoch,samples_per_second,"
        "gflops,final_mse\n");
    return;
  }
  std::printf("%-22s %6s %-7s %-5s %8s %12s %12s %8s %7s %10s\n", "implementation", "hidden",
              "act.", "mode", "epochs", "s/epoch", "samples/s", "GFLOP/s", "spread",
              "final MSE");
}

void print_row(const Row& row, const Options& options) {
  const double samples_per_second = static_cast<double>(sample_count) / row.seconds_per_epoch;
  const double gflops = flops_per_epoch(row.config) / row.seconds_per_epoch * 1e-9;
  if (options.csv) {
    std::printf("%s,%zu,%s,%s,%zu,%.6g,%.6g,%.4g,%.6g\n", row.implementation, row.config.hidden,
                activation_name(row.config.activation), mode_name(row.config.mode), row.epochs,
                row.seconds_per_epoch, samples_per_second, gflops, row.final_mse);
  } else {
    std::printf("%-22s %6zu %-7s %-5s %8zu %12.4g %12.4g %8.3g %6.0f%% %10.4g\n",
                row.implementation, row.config.hidden, activation_name(row.config.activation),
                mode_name(row.config.mode), row.epochs, row.seconds_per_epoch, samples_per_second,
                gflops, 100 * row.spread, row.final_mse);
  }
  std::fflush(stdout);
}

// Float32 GFLOP/s of this build's widest multiply-adds on one core: 12 independent chains of
// a = a * m + c on vectors of native_lanes floats, two operations per lane and step. The native
// build contracts each step into one FMA instruction, so this is the core's FMA peak.
[[maybe_unused]] double measure_peak_gflops(std::size_t steps) {
  constexpr std::size_t lanes = staticmlp::detail::native_lanes<float>;
  using V = staticmlp::detail::Vector<float, lanes>;
  constexpr std::size_t chains = 12;
  V values[chains];
  for (std::size_t k = 0; k < chains; ++k) {
    values[k] = staticmlp::detail::broadcast<V>(1.0f + 0.001f * static_cast<float>(k));
  }
  const V factor = staticmlp::detail::broadcast<V>(0.999999f);
  const V offset = staticmlp::detail::broadcast<V>(1e-6f);
  const double start = thread_seconds();
  for (std::size_t step = 0; step < steps; ++step) {
    for (std::size_t k = 0; k < chains; ++k) {
      values[k] = values[k] * factor + offset;
    }
  }
  const double elapsed = thread_seconds() - start;
  float checksum = 0;
  for (std::size_t k = 0; k < chains; ++k) {
    checksum += staticmlp::detail::fold_lanes(values[k]);
  }
  // Keeps the chains from being optimized away.
  volatile float sink = checksum;
  static_cast<void>(sink);
  const auto flops = static_cast<double>(steps * chains * lanes * 2);
  return flops / elapsed * 1e-9;
}

// Prints the peak in builds with FMA instructions; without them the figure would measure a
// multiplication and an addition per step, not the core's peak.
void print_peak(const Options& options) {
#if defined(__FMA__)
  // 200 million steps take about 0.7 s at one vector multiply-add per cycle and 3.6 GHz.
  const std::size_t steps = options.epochs > 0 ? 1000000 : 200000000;
  std::printf("\nfloat32 peak of this build's vector multiply-adds (12 chains of %zu lanes): "
              "%.1f GFLOP/s\n",
              staticmlp::detail::native_lanes<float>, measure_peak_gflops(steps));
#else
  static_cast<void>(options);
#endif
}

// The cost of the hidden activation alone, which bounds the speed of the wide networks.
void print_activation_cost(const Options& options) {
  // 100 000 calls take 10 to 60 ms per activation on the machine of docs/performance.md; a run
  // with --epochs (as the CI smoke run) makes 1000.
  const std::size_t calls = options.epochs > 0 ? 1000 : 100000;
  std::printf(
      "\nactivation cost in ns per value, %zu values per call spread over [-4, 4), "
      "tanh also over [-0.75, 0.75) (staticmlp: vectors of %zu floats)\n",
      activation_values, staticmlp_float_lanes());
  std::printf("%-10s %10s %10s\n", "activation", "staticmlp", "eigen");
  struct CostRow {
    Activation activation;
    float spread;
    const char* label;
  };
  // Float tanh takes a shorter formula where every lane of a vector lies within 0.75.
  const CostRow rows[] = {{Activation::tanh, 4.0f, "tanh"},
                          {Activation::tanh, 0.75f, "tanh<0.75"},
                          {Activation::sigmoid, 4.0f, "sigmoid"},
                          {Activation::relu, 4.0f, "relu"}};
  for (const CostRow& row : rows) {
    const double staticmlp_seconds =
        staticmlp_activation_seconds(row.activation, calls, row.spread);
    const double eigen_seconds =
        options.eigen ? eigen_activation_seconds(row.activation, calls, row.spread) : -1;
    std::printf("%-10s %10.3f", row.label, staticmlp_seconds * 1e9);
    if (eigen_seconds >= 0) {
      std::printf(" %10.3f", eigen_seconds * 1e9);
    }
    std::printf("\n");
  }
}

template <class Net>
void print_footprint_row(const char* name) {
  using F = Footprint<Net>;
  std::printf("%-14s %10zu %9zu %9zu %10zu %5zu %9zu %6zu\n", name, Net::parameter_count,
              F::network_bytes, F::gradient_bytes, F::workspace_bytes, F::sgd_bytes,
              F::momentum_bytes, F::adam_bytes);
}

void print_footprint() {
  namespace sm = staticmlp;
  using Tanh4 = sm::Mlp<float, 1, sm::Dense<4, sm::Tanh>, sm::Dense<1, sm::Identity>>;
  using Tanh40 = sm::Mlp<float, 1, sm::Dense<40, sm::Tanh>, sm::Dense<1, sm::Identity>>;
  using Tanh400 = sm::Mlp<float, 1, sm::Dense<400, sm::Tanh>, sm::Dense<1, sm::Identity>>;
  using Double4 = sm::Mlp<double, 1, sm::Dense<4, sm::Tanh>, sm::Dense<1, sm::Identity>>;
  std::printf("\nmemory footprint in bytes (sizeof and constexpr state_bytes)\n");
  std::printf("%-14s %10s %9s %9s %10s %5s %9s %6s\n", "network", "parameters", "network",
              "gradient", "workspace", "Sgd", "Momentum", "Adam");
  print_footprint_row<Tanh4>("1-4-1 float");
  print_footprint_row<Tanh40>("1-40-1 float");
  print_footprint_row<Tanh400>("1-400-1 float");
  print_footprint_row<Double4>("1-4-1 double");
}

// The standard table: every activation per sample, and tanh full batch, at each width.
std::vector<Config> standard_configs() {
  std::vector<Config> configs;
  const Activation activations[] = {Activation::tanh, Activation::relu, Activation::sigmoid};
  const std::size_t widths[] = {4, 40, 400};
  for (const Activation activation : activations) {
    for (const std::size_t hidden : widths) {
      configs.push_back(Config{hidden, activation, Mode::sgd, Precision::float32});
    }
  }
  for (const std::size_t hidden : widths) {
    configs.push_back(Config{hidden, Activation::tanh, Mode::batch, Precision::float32});
  }
  return configs;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  if (!options.csv && options.header) {
    std::printf("staticmlp bench: 1-H-1 networks on 100 sine samples, learning rate 0.01, one "
                "thread, CPU time; staticmlp built with the %s flags, 1-H-1 kernels on "
                "vectors of up to %zu bytes\n",
                BENCH_FLAGS, staticmlp_training_vector_bytes());
    print_machine();
  }
  print_heading(options);

  const std::vector<Config> configs =
      options.single_run ? std::vector<Config>{options.config} : standard_configs();
  // The CSV has no precision column, so the implementation name of double rows ends in /double.
  const char* precision_suffix =
      options.config.precision == Precision::float64 ? "/double" : "";
  const std::string staticmlp_name = std::string("staticmlp/") + BENCH_FLAGS + precision_suffix;
  const std::string eigen_row_name =
      eigen_name() != nullptr ? std::string(eigen_name()) + precision_suffix : std::string();
  for (const Config& config : configs) {
    Row row;
    if (measure(staticmlp_name.c_str(), train_staticmlp, config, options, row)) {
      print_row(row, options);
    }
    if (options.eigen && eigen_name() != nullptr &&
        measure(eigen_row_name.c_str(), train_eigen, config, options, row)) {
      print_row(row, options);
    }
  }

  if (!options.csv && !options.single_run) {
    print_peak(options);
    print_activation_cost(options);
    if (options.footprint) {
      print_footprint();
    }
  }
  return command_line::finish_output(0);
}
