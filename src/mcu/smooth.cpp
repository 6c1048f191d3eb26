// Smooth-activation firmware: trains Tanh and Sigmoid 1-4-1 networks (smooth_activations.hpp)
// and prints their parameter bits for comparison with the host. Exits with 0, or 2 if a fit
// returned an error status (3 on a fault, from startup.cpp).
#include "semihosting.hpp"
#include "smooth_activations.hpp"

int main() {
  semihosting::LineSink out;
  staticmlp::write_text(out, "staticmlp firmware: train Tanh and Sigmoid 1-4-1 networks\n");
  if (!smooth_activations::train_and_report_all(out)) {
    staticmlp::write_text(out, "error: a fit returned an error status\n");
    return 2;
  }
  return 0;
}
