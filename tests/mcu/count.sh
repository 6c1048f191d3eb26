#!/bin/sh
# Counts the instructions of one forward pass (predict) and one per-sample SGD step of the 1-4-1
# network on each core, unchecked (train_sample, in count.elf) and checked
# (train_sample_checked, in count-checked.elf). It runs each image under QEMU with one
# instruction per translation block and a log line for every block executed (-singlestep -d
# exec,nochain), so the log has exactly one line per executed instruction. Each image calls
# count_marker() around each region. The lines between a pair of marker entries, minus those of
# an empty pair (the marker's call), are the region's instructions: exact and deterministic,
# with no timing.
# Usage: count.sh BUILD_DIR [CORE...]. Uses QEMU 7.2's -singlestep, which QEMU 8.1 deprecated
# in favour of -accel tcg,one-insn-per-tb=on.
set -u
cd "$(dirname "$0")/../.."
. tests/mcu/qemu.sh

build=$1
shift
cores=${*:-m4f m3 m0}
trace=$(mktemp)
trap 'rm -f "$trace"' EXIT

# count_regions IMAGE CORE: prints the instructions of the forward pass and of the step.
count_regions() {
  marker=$(arm-none-eabi-nm "$1" | awk '$3 == "count_marker" { print $1 }')
  if [ -z "$marker" ] || ! run_image "$2" "$1" -singlestep -d exec,nochain -D "$trace"; then
    echo "error: $1 did not run to the end, or has no count_marker" >&2
    return 1
  fi
  # Log lines read "Trace 0: HOST [CS_BASE/PC/FLAGS/CFLAGS] SYMBOL"; the PC is the second field.
  awk -v marker="$marker" -v image="$1" '
    {
      split($4, fields, "/")
      if (fields[2] == marker) {
        if (hits % 2 == 1) { region[(hits - 1) / 2] = lines }
        hits++
        lines = 0
      } else {
        lines++
      }
    }
    END {
      if (hits != 6) {
        print "error: " image ": expected 6 marker calls, found " hits > "/dev/stderr"
        exit 1
      }
      print region[1] - region[0], region[2] - region[0]
    }' "$trace"
}

printf '| core | forward pass (predict) | per-sample SGD step | checked per-sample SGD step |\n'
printf '| --- | ---: | ---: | ---: |\n'
status=0
for core in $cores; do
  counts=$(count_regions "$build/$core/count.elf" "$core") || { status=1; continue; }
  checked=$(count_regions "$build/$core/count-checked.elf" "$core") || { status=1; continue; }
  set -- $counts $checked
  printf '| %s | %s | %s | %s |\n' "$core" "$1" "$2" "$4"
done
exit $status
