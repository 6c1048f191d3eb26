#!/bin/sh
# Compile-fail checks: every tests/compile_fail/*.cpp must fail to compile, and the compiler's
# output must contain the text of its "// expected error: TEXT" line.
# Uses $CXX (default g++) and $CXXFLAGS; ends with "N passed, N failed".
set -u
cxx=${CXX:-g++}
flags=${CXXFLAGS:--std=c++17 -Iinclude}
passed=0
failed=0
for source in "$(dirname "$0")"/*.cpp; do
  expected=$(sed -n 's|^// expected error: ||p' "$source" | head -n 1)
  if [ -z "$expected" ]; then
    echo "FAIL $source: no '// expected error:' line"
    failed=$((failed + 1))
    continue
  fi
  # shellcheck disable=SC2086
  if output=$($cxx $flags -fsyntax-only "$source" 2>&1); then
    echo "FAIL $source: compiled, but it must not"
    failed=$((failed + 1))
  elif printf '%s' "$output" | grep -qF -- "$expected"; then
    echo "ok   $source"
    passed=$((passed + 1))
  else
    echo "FAIL $source: the compiler's output lacks: $expected"
    printf '%s\n' "$output" | head -n 20
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
