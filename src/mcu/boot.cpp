// Start-up check: shows that the reset handler copies .data from flash, clears .bss and runs
// the static constructors before main. QEMU's RAM starts out zeroed, which would hide a missing
// clear, so the first boot overwrites a .data and a .bss variable and requests a system reset.
// RAM keeps its contents across the reset, and the second boot checks that the reset handler
// restored both. Exits with 0 if it did, 1 if not.
#include <cstdint>

#include "semihosting.hpp"

namespace {

constexpr std::uint32_t initial_value = 0x5eed1234u;
constexpr std::uint32_t garbage = 0xdeadbeefu;
constexpr std::uint32_t second_boot = 0xb007b007u;

volatile std::uint32_t copied = initial_value;  // .data
volatile std::uint32_t cleared;                 // .bss
// In .noinit, which the reset handler leaves alone: distinguishes the second boot from the first.
__attribute__((section(".noinit"))) volatile std::uint32_t boot_stage;

struct Constructed {
  // Reads a volatile, so the compiler cannot turn this into a constant in .data.
  Constructed() : value(copied + 1) {}
  std::uint32_t value;
};
Constructed constructed;

[[noreturn]] void request_system_reset() {
  // AIRCR, the Application Interrupt and Reset Control Register: key 0x05FA and SYSRESETREQ.
  *reinterpret_cast<volatile std::uint32_t*>(0xE000ED0Cu) = 0x05FA0004u;
  asm volatile("dsb" ::: "memory");
  for (;;) {
  }
}

}  // namespace

int main() {
  if (boot_stage != second_boot) {
    semihosting::write_text("first boot: overwriting .data and .bss, then resetting\n");
    boot_stage = second_boot;
    copied = garbage;
    cleared = garbage;
    request_system_reset();
  }
  boot_stage = 0;

  const bool data_copied = copied == initial_value;
  const bool bss_cleared = cleared == 0;
  const bool constructor_ran = constructed.value == initial_value + 1;
  semihosting::write_text(data_copied ? "second boot: .data was copied\n"
                                      : "error: .data was not copied from flash\n");
  semihosting::write_text(bss_cleared ? "second boot: .bss was cleared\n"
                                      : "error: .bss was not cleared\n");
  semihosting::write_text(constructor_ran ? "second boot: the static constructor ran\n"
                                          : "error: the static constructor did not run\n");
  return data_copied && bss_cleared && constructor_ran ? 0 : 1;
}
