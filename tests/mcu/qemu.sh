# Shell functions shared by the firmware scripts: the emulated board of each core and how to
# run an image on it with semihosting. Sourced, not run.

# The QEMU 7.2 machine for a core name (m4f, m3, m0).
board_of() {
  case $1 in
    m4f) echo mps2-an386 ;;  # Cortex-M4 with FPU
    m3) echo mps2-an385 ;;   # Cortex-M3
    m0) echo microbit ;;     # nRF51822, Cortex-M0
    *)
      echo "error: unknown core '$1': use m4f, m3 or m0" >&2
      return 1
      ;;
  esac
}

# run_image CORE IMAGE [QEMU OPTIONS...]: runs IMAGE on the core's board with semihosting on
# stdout, bounded by $MCU_TIMEOUT seconds (default 60). Its exit status is the firmware's exit
# code, 124 on a timeout, or QEMU's own error status.
run_image() {
  core=$1
  image=$2
  shift 2
  board=$(board_of "$core") || return 1
  # -nographic would claim stdio for the monitor, so the display is turned off instead.
  timeout "${MCU_TIMEOUT:-60}" qemu-system-arm -M "$board" -display none \
    -chardev stdio,id=semihosting -semihosting-config enable=on,target=native,chardev=semihosting \
    "$@" -kernel "$image" </dev/null
}
