#!/bin/sh
# Checks that firmware images reserve no static RAM: .data and .bss are both empty, so the
# network, the optimizer and every buffer live on the stack, as the README states. A C library
# function that keeps state (errno, for example, which a libm call can link) makes this fail.
# Usage: check_static_ram.sh IMAGE.elf...   Exit status 0 when every image has none, else 1.
set -u
status=0
for image in "$@"; do
  if ! sizes=$(arm-none-eabi-size "$image" | awk 'NR == 2 { print $2, $3 }'); then
    echo "FAIL $image: arm-none-eabi-size could not read it"
    status=1
    continue
  fi
  set -- $sizes
  if [ "$1" -eq 0 ] && [ "$2" -eq 0 ]; then
    echo "ok   $image: no static RAM (data 0, bss 0)"
  else
    echo "FAIL $image: static RAM in use: data $1 bytes, bss $2 bytes"
    status=1
  fi
done
exit $status
