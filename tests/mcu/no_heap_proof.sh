#!/bin/sh
# Shows that the no-heap checks can fail, for one core's build folder DIR:
#   - DIR/alloc.o, which allocates with new[], must fail to link with the firmware's own link
#     command, and the linker must name the reason with mcu.ld's assertion;
#   - check_symbols.sh must reject DIR/alloc-heap.elf (the same code linked with a heap) for its
#     heap symbols, and DIR/throw.elf (exceptions and RTTI on) for exception and RTTI symbols.
# Usage: no_heap_proof.sh DIR LINK_COMMAND...   Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
dir=$1
shift
passed=0
failed=0

check() {
  if [ "$1" = ok ]; then
    echo "ok   $2"
    passed=$((passed + 1))
  else
    echo "FAIL $2"
    failed=$((failed + 1))
  fi
}

log=$dir/alloc-link.log
rm -f "$dir/alloc.elf"
if "$@" "$dir/alloc.o" "$dir/startup.o" "$dir/semihosting.o" -o "$dir/alloc.elf" >"$log" 2>&1; then
  check fail "$dir/alloc.elf: the allocating image linked"
elif reason=$(grep -o 'the firmware must not allocate: malloc is linked in' "$log"); then
  check ok "$dir/alloc.elf: the allocating image fails to link: $reason"
else
  cat "$log"
  check fail "$dir/alloc.elf: the link failed, but without the no-heap assertion's message"
fi

# rejects IMAGE KIND...: check_symbols.sh must fail on IMAGE and name every KIND of symbol.
rejects() {
  image=$1
  shift
  if report=$(sh tests/mcu/check_symbols.sh "$image"); then
    check fail "$image: check_symbols.sh accepted it"
    return
  fi
  for kind in "$@"; do
    if printf '%s\n' "$report" | grep -q " $kind: "; then
      check ok "$image: check_symbols.sh rejects it for its $kind symbols"
    else
      printf '%s\n' "$report"
      check fail "$image: check_symbols.sh found no $kind symbols"
    fi
  done
}
rejects "$dir/alloc-heap.elf" heap
rejects "$dir/throw.elf" exception RTTI

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
