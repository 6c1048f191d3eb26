// Trains the demo's sine network, builds a double network with awkward values, and writes
// into DIRECTORY their C++ headers (sine_relu_weights.hpp, mixed_weights.hpp) and
// expected.txt, the originals' predictions. Usage: write_files DIRECTORY
#include <cstdio>
#include <limits>
#include <string>

#include <staticmlp/io.hpp>
#include <staticmlp/staticmlp.hpp>

#include "../../src/sine_recipe.hpp"
#include "predictions.hpp"

namespace sm = staticmlp;

using Mixed = sm::Mlp<double, 2, sm::Dense<3, sm::LeakyRelu<1, 10>>, sm::Dense<1, sm::Sigmoid>>;

template <class Net>
bool write_header(const std::string& path, const Net& net, const char* name,
                  const sm::TrainingInfo<typename Net::Scalar>& training) {
  const sm::Status status = sm::write_file(
      path.c_str(), [&](auto& sink) { return sm::write_cpp_header(sink, net, name, training); });
  if (!status.ok()) {
    std::fprintf(stderr, "error: cannot write %s: %s\n", path.c_str(),
                 sm::describe(status).c_str());
  }
  return status.ok();
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_files DIRECTORY\n");
    return 2;
  }
  const std::string directory = argv[1];

  sine_recipe::Net sine;
  const auto result = sine_recipe::train(sine);
  if (!result.ok()) {
    std::fprintf(stderr, "error: training failed: %s\n", sm::describe(result.status).c_str());
    return 1;
  }

  // Negative zero, the smallest subnormal, 1/3 and 0.1 among the initial weights: the literals
  // must carry all of them exactly. The largest finite value would saturate the sigmoid and
  // hide every other parameter; test_export.cpp checks its literal.
  Mixed mixed = sm::initialized<Mixed>(11);
  mixed.parameters()[6] = -0.0;
  mixed.parameters()[7] = std::numeric_limits<double>::denorm_min();
  mixed.parameters()[8] = 1.0 / 3.0;
  mixed.parameters()[12] = 0.1;

  if (!write_header(directory + "/sine_relu_weights.hpp", sine, "sine_relu",
                    sm::training_info(sine_recipe::seed, result.final_loss)) ||
      !write_header(directory + "/mixed_weights.hpp", mixed, "mixed", {})) {
    return 1;
  }

  const std::string expected_path = directory + "/expected.txt";
  std::FILE* expected = std::fopen(expected_path.c_str(), "w");
  if (expected == nullptr) {
    std::fprintf(stderr, "error: cannot create %s\n", expected_path.c_str());
    return 1;
  }
  header_check::print_sine_predictions(expected, sine);
  header_check::print_grid_predictions(expected, mixed);
  return std::fclose(expected) == 0 ? 0 : 1;
}
