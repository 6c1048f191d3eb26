// Instruction-counting firmware: runs one forward pass and one per-sample SGD step of the 1-4-1
// network, each between a pair of count_marker() calls, so that a QEMU trace of every executed
// instruction (tests/mcu/count.sh) can count what lies inside each pair. The first pair is
// empty: it measures the markers' own cost, which the script subtracts. Built with
// COUNT_CHECKED_STEP (count-checked.elf), the step is train_sample_checked() instead. It is a
// separate image because a second call site would change how GCC inlines train_sample().
#include <staticmlp/staticmlp.hpp>

#include "../sine_recipe.hpp"

using Net = sine_recipe::Net;

// An opaque call (noipa: the optimizer may assume nothing about what it does), so the compiler
// must expect it to read and write every global below and can move no work across it.
extern "C" __attribute__((noipa, used)) void count_marker() {
  asm volatile("" ::: "memory");
}

// Globals with external linkage, so that nothing is evaluated at compile time or moved out of
// its region.
Net net;
Net::Input input = {0.25f};
Net::Output output{};
Net::SampleType sample = {{0.25f}, {1.0f}};
staticmlp::Workspace<Net> workspace{};
staticmlp::Sgd<Net> optimizer(sine_recipe::learning_rate);
float loss = 0.0f;

int main() {
  staticmlp::initialize(net, sine_recipe::seed);

  // Pair 0: nothing.
  count_marker();
  count_marker();

  // Pair 1: one forward pass through the public predict().
  count_marker();
  output = net.predict(input);
  count_marker();

  // Pair 2: one per-sample SGD step, as fit() does it with batch_size 1: the forward pass,
  // backpropagation and the update of every parameter, fused in train_sample().
  count_marker();
#ifdef COUNT_CHECKED_STEP
  // The same step with fit()'s checks and the copies that undo a failed update.
  const auto checked = staticmlp::train_sample_checked(net, optimizer, sample, workspace);
  count_marker();
  loss = checked.loss;
  return checked.ok() ? 0 : 1;
#else
  loss = staticmlp::train_sample(net, optimizer, sample, workspace);
  count_marker();
  return 0;
#endif
}
