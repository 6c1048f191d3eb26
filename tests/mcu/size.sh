#!/bin/sh
# Prints, for each core and firmware image, the section sizes of BUILD_DIR/CORE/IMAGE.elf
# (arm-none-eabi-size) and the largest stack frame that GCC reported for the image's own code
# (-fstack-usage, the .su files next to the objects), as a Markdown table.
# Flash is text + data, because the initial values of data are stored in flash. Static RAM is
# data + bss, and the stack comes on top of it. The training image prints its measured stack use.
# Usage: size.sh BUILD_DIR [CORE...].
set -u
build=$1
shift
cores=${*:-m4f m3 m0}
images="train infer persist"

printf '| core | image | text | data | bss | flash | static RAM | largest stack frame |\n'
printf '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |\n'
status=0
for core in $cores; do
  for image in $images; do
    elf=$build/$core/$image.elf
    if ! sizes=$(arm-none-eabi-size "$elf" | awk 'NR == 2 { print $1, $2, $3 }'); then
      status=1
      continue
    fi
    set -- $sizes
    # .su lines: "FILE:LINE:COLUMN:FUNCTION<tab>BYTES<tab>KIND"; keep the function's bare name.
    frame=$(cat "$build/$core/$image.su" "$build/$core/startup.su" "$build/$core/semihosting.su" |
      sort -t "$(printf '\t')" -k 2 -n | tail -n 1 |
      awk -F '\t' '{
        name = $1
        sub(/\(.*/, "", name)
        sub(/.*[: ]/, "", name)
        print $2 " B (" name ")"
      }')
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$core" "$image" "$1" "$2" "$3" \
      $(($1 + $2)) $(($2 + $3)) "$frame"
  done
done
exit $status
