// Training firmware: trains the desktop demo's 1-4-1 ReLU network on the sine data with the
// demo's own recipe, prints progress and the result by semihosting, and exits with
//   0  the training MSE is below sine_recipe::mse_threshold,
//   1  it is not,
//   2  fit() returned an error status,
//   3  the processor took a fault (set by the fault handler in startup.cpp).
// Built with -DMCU_REQUIRED_MSE=0.0f it demands an MSE below zero: that image must exit with 1.
#include <cstddef>

#include <staticmlp/staticmlp.hpp>

#include "../sine_recipe.hpp"
#include "report.hpp"
#include "semihosting.hpp"
#include "startup.hpp"

#ifndef MCU_REQUIRED_MSE
#define MCU_REQUIRED_MSE sine_recipe::mse_threshold
#endif

namespace {
constexpr float required_mse = MCU_REQUIRED_MSE;
constexpr std::size_t progress_interval = 1000;
}  // namespace

int main() {
  semihosting::LineSink out;
  staticmlp::write_text(out, "staticmlp firmware: train a 1-4-1 ReLU network on 100 sine points\n");

  const auto progress = [&out](std::size_t epoch, float loss) {
    if (epoch % progress_interval == 0) {
      report::write_progress(out, epoch, loss);
    }
  };
  sine_recipe::Net net;
  const auto result = sine_recipe::train(net, progress);
  if (!result.ok()) {
    // The code's number, not Status::message(): the message table is about 5 KB of flash.
    staticmlp::write_text(out, "error: training failed with staticmlp::StatusCode ");
    report::write_unsigned(out, static_cast<std::uint32_t>(result.status.code));
    staticmlp::write_text(out, " (index ");
    report::write_unsigned(out, static_cast<std::uint32_t>(result.status.index));
    staticmlp::write_text(out, ", value bits ");
    report::write_hex(out, staticmlp::detail::bit_cast<std::uint64_t>(result.status.value));
    staticmlp::write_text(out, ")\n");
    return 2;
  }

  report::write_result(out, net, result.final_loss);
  staticmlp::write_text(out, "stack used ");
  report::write_unsigned(out, static_cast<std::uint32_t>(startup::stack_used()));
  staticmlp::write_text(out, " bytes\n");

  if (!(result.final_loss < required_mse)) {
    staticmlp::write_text(out, "error: the training MSE is not below the required ");
    report::write_decimal(out, required_mse);
    staticmlp::write_text(out, "\n");
    return 1;
  }
  staticmlp::write_text(out, "ok: the training MSE is below ");
  report::write_decimal(out, required_mse);
  staticmlp::write_text(out, "\n");
  return 0;
}
