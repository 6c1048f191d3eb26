#!/usr/bin/env bash
# Runs the firmware under QEMU and checks what it does, for each core (m4f, m3, m0):
#   - boot.elf exits 0: the reset handler copied .data, cleared .bss and ran constructors;
#   - fault.elf, which executes an undefined instruction, exits with 3 from the fault handler;
#   - the training image exits 0, and its progress, final MSE and parameter lines are
#     bit-identical to those of the same recipe trained on the host (HOST_TRAIN);
#   - the inference image exits 0;
#   - the persistence image exits 0: the binary parameter image round-trips without a heap,
#     and a flipped bit or a network of another shape is rejected;
#   - the smooth-activation image exits 0 and its Tanh and Sigmoid parameters are bit-identical
#     to the host's;
#   - the image built to fail (train-fail.elf, which requires an MSE below zero) exits with 1,
#     the code for "MSE not below the threshold", and prints that error;
# and that src/mcu/sine_weights.hpp still contains the weights the recipe gives.
# Usage: run.sh BUILD_DIR HOST_TRAIN [CORE...]. Each run is bounded by $MCU_TIMEOUT seconds.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
. tests/mcu/qemu.sh

build=$1
host_train=$2
shift 2
cores=${*:-m4f m3 m0}
passed=0
failed=0
compared='^(epoch|final mse|parameter) '

check() {
  if [ "$1" = ok ]; then
    echo "ok   $2"
    passed=$((passed + 1))
  else
    echo "FAIL $2"
    failed=$((failed + 1))
  fi
}

host_log=$build/host_train.log
if "$host_train" >"$host_log"; then
  check ok "host: the recipe trains on the host"
else
  check fail "host: $host_train exited with $?"
fi
host_smooth_log=$build/host_smooth.log
if "$host_train" --smooth >"$host_smooth_log"; then
  check ok "host: the Tanh and Sigmoid networks train on the host"
else
  check fail "host: $host_train --smooth exited with $?"
fi

for core in $cores; do
  echo "---- $core on $(board_of "$core")"
  run_image "$core" "$build/$core/boot.elf"
  status=$?
  if [ "$status" -eq 0 ]; then
    check ok "$core: the start-up image exits with 0"
  else
    check fail "$core: the start-up image exited with $status"
  fi

  run_image "$core" "$build/$core/fault.elf"
  status=$?
  if [ "$status" -eq 3 ]; then
    check ok "$core: the faulting image exits with 3"
  else
    check fail "$core: the faulting image exited with $status, not 3"
  fi

  log=$build/$core/train.log
  start=$(date +%s%N)
  run_image "$core" "$build/$core/train.elf" | tee "$log"
  status=${PIPESTATUS[0]}
  milliseconds=$((($(date +%s%N) - start) / 1000000))
  echo "$core: the training run took $((milliseconds / 1000)).$((milliseconds % 1000 / 100)) s"
  if [ "$status" -eq 0 ]; then
    check ok "$core: the training image exits with 0"
  else
    check fail "$core: the training image exited with $status (1: MSE too high, 2: fit error," \
      "3: fault, 124: timed out after ${MCU_TIMEOUT:-60} s)"
  fi

  if difference=$(diff <(grep -E "$compared" "$host_log") <(grep -E "$compared" "$log")); then
    check ok "$core: progress, final MSE and parameters are bit-identical to the host's"
  else
    printf '%s\n' "$difference" | head -n 20
    check fail "$core: the firmware's lines differ from the host's (< host, > firmware)"
  fi

  run_image "$core" "$build/$core/infer.elf"
  status=$?
  if [ "$status" -eq 0 ]; then
    check ok "$core: the inference image exits with 0"
  else
    check fail "$core: the inference image exited with $status"
  fi

  output=$(run_image "$core" "$build/$core/persist.elf")
  status=$?
  if [ "$status" -eq 0 ]; then
    check ok "$core: the parameter image round-trips and rejects corruption"
  else
    printf '%s\n' "$output" | grep -E '^(FAIL|error)' | head -n 5
    check fail "$core: the persistence image exited with $status"
  fi

  log=$build/$core/smooth.log
  run_image "$core" "$build/$core/smooth.elf" >"$log"
  status=$?
  if [ "$status" -eq 0 ]; then
    check ok "$core: the smooth-activation image exits with 0"
  else
    check fail "$core: the smooth-activation image exited with $status"
  fi
  smooth_lines='^(activation|final mse|parameter) '
  if difference=$(diff <(grep -E "$smooth_lines" "$host_smooth_log") \
    <(grep -E "$smooth_lines" "$log")); then
    check ok "$core: the Tanh and Sigmoid networks are bit-identical to the host's"
  else
    printf '%s\n' "$difference" | head -n 20
    check fail "$core: the Tanh or Sigmoid network differs from the host's (< host, > firmware)"
  fi

  output=$(run_image "$core" "$build/$core/train-fail.elf")
  status=$?
  if [ "$status" -eq 1 ]; then
    check ok "$core: the image built to fail exits with 1"
  else
    check fail "$core: the image built to fail exited with $status, not 1"
  fi
  if printf '%s\n' "$output" | grep -q '^error: the training MSE is not below '; then
    check ok "$core: the image built to fail prints its error"
  else
    printf '%s\n' "$output" | tail -n 5
    check fail "$core: the image built to fail printed no 'error: the training MSE' line"
  fi
done

if "$host_train" --header | diff - src/mcu/sine_weights.hpp >/dev/null; then
  check ok "src/mcu/sine_weights.hpp holds the weights the recipe gives"
else
  check fail "src/mcu/sine_weights.hpp is stale: regenerate it with" \
    "$host_train --header > src/mcu/sine_weights.hpp"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
