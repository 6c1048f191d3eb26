#!/bin/sh
# Checks write_cpp_header() end to end. Builds write_files with $CXX (default g++) and runs it to
# write two generated headers and the original networks' predictions into BUILD_DIRECTORY. Then,
# with every compiler in $COMPILERS (default "g++ clang++"): compiles each header alone with
# the warning flags below and -Werror, builds use_header.cpp against the headers and compares
# its predictions with the originals' bit for bit. Usage: run.sh BUILD_DIRECTORY.
# Ends with "N passed, N failed".
set -u
out=${1:?usage: run.sh BUILD_DIRECTORY}
cxx=${CXX:-g++}
compilers=${COMPILERS:-g++ clang++}
here=$(cd "$(dirname "$0")" && pwd)
include="$here/../../include"
flags="-std=c++17 -O2 -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror -ffp-contract=off"
passed=0
failed=0
pass() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }

mkdir -p "$out"
# shellcheck disable=SC2086
if $cxx $flags -I"$include" "$here/write_files.cpp" -o "$out/write_files" &&
   "$out/write_files" "$out"; then
  pass "write_files ($cxx) wrote the headers"
else
  fail "write_files ($cxx) did not write the headers"
  echo "$passed passed, $failed failed"
  exit 1
fi

for compiler in $compilers; do
  if ! command -v "$compiler" >/dev/null 2>&1; then
    fail "$compiler not found: install it or set COMPILERS"
    continue
  fi
  for header in sine_relu_weights.hpp mixed_weights.hpp; do
    printf '#include "%s"\n' "$header" > "$out/alone_$header.cpp"
    # shellcheck disable=SC2086
    if $compiler $flags -I"$include" -I"$out" -fsyntax-only "$out/alone_$header.cpp"; then
      pass "$header compiles alone with $compiler"
    else
      fail "$header does not compile alone with $compiler"
    fi
  done
  name=$(basename "$compiler")
  # shellcheck disable=SC2086
  if $compiler $flags -I"$include" -I"$out" -I"$here" "$here/use_header.cpp" \
       -o "$out/use_header_$name" &&
     "$out/use_header_$name" > "$out/actual_$name.txt" &&
     cmp -s "$out/expected.txt" "$out/actual_$name.txt"; then
    pass "networks from the headers predict the original bits ($compiler)"
  else
    fail "networks from the headers do not predict the original bits ($compiler)"
    diff "$out/expected.txt" "$out/actual_$name.txt" | head -n 10
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
