#!/bin/sh
# No-heap, no-exception, no-RTTI check of linked firmware images, independent of the linker
# script's assertions. It lists every symbol of each ELF with arm-none-eabi-nm (defined or not).
# It fails if any belongs to the heap (malloc and friends, _sbrk, operator new and delete), to
# exception handling (__cxa_throw, the personality routines, _Unwind_*) or to RTTI (typeinfo
# objects and names, __dynamic_cast).
# Usage: check_symbols.sh IMAGE.elf...   Exit status 0 when every image is clean, else 1.
set -u
nm=${NM:-arm-none-eabi-nm}
heap='malloc|calloc|realloc|free|_malloc_r|_calloc_r|_realloc_r|_free_r|_sbrk|_sbrk_r'
heap="$heap|_Znw.*|_Zna.*|_Zdl.*|_Zda.*"
exceptions='__cxa_throw|__cxa_allocate_exception|__cxa_begin_catch|__cxa_rethrow'
exceptions="$exceptions|__gxx_personality_v0|__aeabi_unwind_cpp_pr[0-9]|_Unwind_.*"
rtti='_ZTI.*|_ZTS.*|__dynamic_cast'
# Prints "KIND: up to four of the symbols [and N more]; " for the names of $names matching $2.
list_kind() {
  matches=$(printf '%s\n' "$names" | grep -E -x "$2" | sort -u)
  [ -z "$matches" ] && return
  count=$(printf '%s\n' "$matches" | wc -l)
  shown=$(printf '%s\n' "$matches" | head -n 4 | tr '\n' ' ')
  if [ "$count" -gt 4 ]; then
    printf '%s: %sand %d more; ' "$1" "$shown" $((count - 4))
  else
    printf '%s: %s; ' "$1" "$shown"
  fi
}

status=0
for image in "$@"; do
  if ! symbols=$($nm "$image" 2>&1); then
    echo "FAIL $image: $nm could not read it: $symbols"
    status=1
    continue
  fi
  names=$(printf '%s\n' "$symbols" | awk '{ print $NF }')
  found="$(list_kind heap "$heap")$(list_kind exception "$exceptions")$(list_kind RTTI "$rtti")"
  if [ -n "$found" ]; then
    echo "FAIL $image: forbidden symbols linked in: ${found%; }"
    status=1
  else
    echo "ok   $image: no heap, exception or RTTI symbols"
  fi
done
exit $status
