// Predictions of the two networks that the header check exports, printed as hexadecimal
// floating-point text (%a) so that comparing the text compares the bits.
#pragma once

#include <cstddef>
#include <cstdio>

#include <staticmlp/mlp.hpp>

namespace header_check {

// The sine network on the 100 inputs of the sine data set.
template <class Net>
void print_sine_predictions(std::FILE* out, const Net& net) {
  for (std::size_t i = 0; i < 100; ++i) {
    const float x = -0.5f + static_cast<float>(i) / 99.0f;
    std::fprintf(out, "%a %a\n", static_cast<double>(x), static_cast<double>(net.predict({x})[0]));
  }
}

// The two-input network on an 11 x 11 grid over [-1, 1]^2.
template <class Net>
void print_grid_predictions(std::FILE* out, const Net& net) {
  for (int i = 0; i <= 10; ++i) {
    for (int j = 0; j <= 10; ++j) {
      const double x0 = -1.0 + 0.2 * i;
      const double x1 = -1.0 + 0.2 * j;
      std::fprintf(out, "%a %a %a\n", x0, x1, net.predict({x0, x1})[0]);
    }
  }
}

}  // namespace header_check
