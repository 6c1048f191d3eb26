#!/bin/sh
# Counts the instructions of one forward pass (predict) and one per-sample SGD step of the 1-4-1
# network on each core. It runs BUILD_DIR/CORE/count.elf under QEMU with one instruction per
# translation block and a log line for every block executed (-singlestep -d exec,nochain), so
# the log has exactly one line per executed instruction. The image calls count_marker() around
# each region. The lines between a pair of marker entries, minus those of an empty pair (the
# marker's call), are the region's instructions: exact and deterministic, with no timing.
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

printf '| core | forward pass (predict) | per-sample SGD step |\n| --- | ---: | ---: |\n'
status=0
for core in $cores; do
  image=$build/$core/count.elf
  marker=$(arm-none-eabi-nm "$image" | awk '$3 == "count_marker" { print $1 }')
  if [ -z "$marker" ] || ! run_image "$core" "$image" -singlestep -d exec,nochain -D "$trace"; then
    echo "error: $image did not run to the end, or has no count_marker" >&2
    status=1
    continue
  fi
  # Log lines read "Trace 0: HOST [CS_BASE/PC/FLAGS/CFLAGS] SYMBOL"; the PC is the second field.
  counts=$(awk -v marker="$marker" '
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
      if (hits != 6) { print "error: expected 6 marker calls, found " hits > "/dev/stderr"; exit 1 }
      print region[1] - region[0], region[2] - region[0]
    }' "$trace") || { status=1; continue; }
  set -- $counts
  printf '| %s | %s | %s |\n' "$core" "$1" "$2"
done
exit $status
