// The training firmware's twin on the host: trains with the same recipe and prints the same
// progress, result and parameter lines through the same functions (src/mcu/report.hpp), so
// tests/mcu/run.sh can compare them with the firmware's output. With --header it prints
// src/mcu/sine_weights.hpp instead, the trained weights as a constexpr array, and with --smooth
// the output of the smooth-activation firmware (src/mcu/smooth_activations.hpp).
#include <cstddef>
#include <cstdio>
#include <cstring>

#include <staticmlp/staticmlp.hpp>

#include "../../src/command_line.hpp"
#include "../../src/mcu/report.hpp"
#include "../../src/mcu/smooth_activations.hpp"
#include "../../src/sine_recipe.hpp"

namespace {

struct StdoutSink {
  bool write(const char* data, std::size_t size) {
    return std::fwrite(data, 1, size, stdout) == size;
  }
};

void print_header(const sine_recipe::Net& net) {
  std::printf(
      "// The 1-4-1 ReLU network's parameters as sine_recipe::train() leaves them, written by\n"
      "// tests/mcu/host_train --header; `make mcu-run` checks that they are still current.\n"
      "#pragma once\n\n"
      "#include \"../sine_recipe.hpp\"\n\n"
      "namespace sine_weights {\n\n"
      "// W1[0..3], b1[0..3], W2[0..3], b2[0].\n"
      "inline constexpr sine_recipe::Net::Parameters parameters = {\n");
  for (const float value : net.parameters()) {
    std::printf("    %af,\n", static_cast<double>(value));
  }
  std::printf("};\n\n}  // namespace sine_weights\n");
}

}  // namespace

int main(int argc, char** argv) {
  const bool header = argc > 1 && std::strcmp(argv[1], "--header") == 0;
  const bool smooth = argc > 1 && std::strcmp(argv[1], "--smooth") == 0;
  const bool help = argc == 2 && command_line::is_help(argv[1]);
  if (help || argc > 2 || (argc > 1 && !header && !smooth)) {
    std::fprintf(help ? stdout : stderr,
                 "usage: %s [--header | --smooth]\n"
                 "  (none)    train as the firmware does and print its progress and result\n"
                 "  --header  print src/mcu/sine_weights.hpp for the trained network\n"
                 "  --smooth  print what the smooth-activation firmware prints\n",
                 argv[0]);
    return help ? command_line::finish_output(0) : 2;
  }

  StdoutSink out;
  if (smooth) {
    if (!smooth_activations::train_and_report_all(out)) {
      std::fprintf(stderr, "error: a fit of the smooth-activation networks failed\n");
      return 1;
    }
    return command_line::finish_output(0);
  }
  const auto progress = [&](std::size_t epoch, float loss) {
    if (epoch % 1000 == 0 && !header) {
      report::write_progress(out, epoch, loss);
    }
  };
  sine_recipe::Net net;
  const auto result = sine_recipe::train(net, progress);
  if (!result.ok()) {
    std::fprintf(stderr, "error: training failed: %s\n",
                 staticmlp::describe(result.status).c_str());
    return 1;
  }
  if (header) {
    print_header(net);
  } else {
    report::write_result(out, net, result.final_loss);
  }
  // run.sh compares this output with the firmware's and --header regenerates a source file,
  // so output lost to a full disk or a closed pipe must fail the run.
  return command_line::finish_output(0);
}
