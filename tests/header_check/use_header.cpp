// Prints the predictions of the networks compiled from the generated headers, in the format of
// expected.txt. Built with -I pointing at the directory that write_files wrote.
#include <cstdio>

#include "mixed_weights.hpp"
#include "predictions.hpp"
#include "sine_relu_weights.hpp"

// The generated networks are constant expressions.
static_assert(sine_relu::network.predict({0.25f})[0] == sine_relu::network.predict({0.25f})[0],
              "the generated network must predict in a constant expression");

int main() {
  header_check::print_sine_predictions(stdout, sine_relu::network);
  header_check::print_grid_predictions(stdout, mixed::network);
  return 0;
}
