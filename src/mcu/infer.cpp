// Inference-only firmware: the 1-4-1 network with the weights that the training recipe gives,
// compiled in as a constexpr array (sine_weights.hpp). It predicts nine points of the sine curve,
// x = -0.5, -0.375, ..., 0.5, and exits with 0 if the MSE of those predictions is below
// sine_recipe::mse_threshold, 1 if not (3 on a fault, from startup.cpp). Nine points, not the
// 100 training samples: those would take 800 of the image's 2 KiB of flash.
#include <cstddef>

#include <staticmlp/dataset.hpp>
#include <staticmlp/mlp.hpp>

#include "../sine_recipe.hpp"
#include "report.hpp"
#include "semihosting.hpp"
#include "sine_weights.hpp"

using Net = sine_recipe::Net;

namespace {
constexpr Net trained_net(sine_weights::parameters);
constexpr auto points = staticmlp::sine_dataset<float, 9>();
}  // namespace

int main() {
  semihosting::LineSink out;
  staticmlp::write_text(out, "staticmlp firmware: predict with compiled-in 1-4-1 weights\n");

  // The compiler could otherwise evaluate this whole program at compile time: hiding where the
  // weights are makes the device do the arithmetic.
  const Net* hidden_net = &trained_net;
  asm volatile("" : "+r"(hidden_net));
  const Net& net = *hidden_net;

  float squared_error_sum = 0.0f;
  for (const auto& point : points) {
    const float prediction = net.predict(point.input)[0];
    const float error = prediction - point.target[0];
    squared_error_sum += error * error;
    staticmlp::write_text(out, "x ");
    report::write_decimal(out, point.input[0]);
    staticmlp::write_text(out, " sine ");
    report::write_decimal(out, point.target[0]);
    staticmlp::write_text(out, " prediction ");
    report::write_decimal(out, prediction);
    staticmlp::write_text(out, "\n");
  }

  const float mse = squared_error_sum / static_cast<float>(points.size());
  staticmlp::write_text(out, "mse over these points ");
  report::write_decimal(out, mse);
  staticmlp::write_text(out, "\n");
  return mse < sine_recipe::mse_threshold ? 0 : 1;
}
