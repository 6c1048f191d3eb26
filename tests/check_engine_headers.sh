#!/bin/sh
# Fails when an engine header (every include/staticmlp/*.hpp but io.hpp) uses the heap,
# exceptions, RTTI, threads, locales or I/O. Comments are stripped first. With arguments it
# checks those files instead, which is how it proves that it can fail.
set -u
cd "$(dirname "$0")/.." || exit 2
if [ "$#" -gt 0 ]; then
  files="$*"
else
  files=$(ls include/staticmlp/*.hpp | grep -v '/io\.hpp$')
fi
forbidden='(\bnew\b|\bdelete\b|\bmalloc\b|\bcalloc\b|\brealloc\b|\bfree\(|std::vector|std::string|std::function|std::unique_ptr|std::shared_ptr|\bthrow\b|\btry\b|\bcatch\b|\btypeid\b|dynamic_cast|#include <(vector|string|functional|memory|iostream|fstream|sstream|cstdio|thread|mutex|locale|regex|exception|stdexcept|typeinfo)>)'
failed=0
for file in $files; do
  # Drop // comments and string literals so that prose and messages do not count, and deleted
  # functions (`= delete;`), which are not the delete operator.
  matches=$(sed -e 's|//.*$||' -e 's|"[^"]*"||g' -e 's|=[[:space:]]*delete[[:space:]]*;|;|g' \
    "$file" | grep -nE "$forbidden")
  if [ -n "$matches" ]; then
    echo "FAIL $file uses what engine headers must not:"
    printf '%s\n' "$matches" | sed 's/^/  line /'
    failed=$((failed + 1))
  fi
done
count=$(echo "$files" | wc -w)
echo "$((count - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
