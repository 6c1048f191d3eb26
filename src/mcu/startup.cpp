// Vector table and reset handler for Cortex-M0, M3 and M4F: copy .data from flash, zero .bss,
// enable the FPU where there is one, paint the free stack, run static constructors, call main
// and pass its return value to the host. Symbols named mcu_* come from mcu.ld.
#include "startup.hpp"

#include <cstdint>

#include "semihosting.hpp"

extern "C" {
extern std::uint32_t mcu_data_start[], mcu_data_end[], mcu_data_load[];
extern std::uint32_t mcu_bss_start[], mcu_bss_end[];
extern std::uint32_t mcu_stack_top[];
using Constructor = void (*)();
extern Constructor mcu_init_array_start[], mcu_init_array_end[];

// main under another name: ISO C++ forbids calling main itself, and its symbol is unmangled.
int application_main() asm("main");
[[noreturn]] void reset_handler();
[[noreturn]] void fault_handler();
}

namespace {

constexpr std::uint32_t stack_pattern = 0x57ac4c0du;

// Exit code of an image that took a fault: distinct from main's own codes (0, 1, 2).
constexpr int fault_exit_code = 3;

// The core's own exceptions; no peripheral interrupt is enabled, so the table stops there.
using Handler = void (*)();
struct VectorTable {
  std::uint32_t* initial_stack;
  Handler handlers[15];
};

}  // namespace

[[gnu::section(".vectors"), gnu::used]] const VectorTable vector_table = {
    mcu_stack_top,
    {
        reset_handler,  // Reset
        fault_handler,  // NMI
        fault_handler,  // HardFault
        fault_handler,  // MemManage (M3, M4)
        fault_handler,  // BusFault (M3, M4)
        fault_handler,  // UsageFault (M3, M4)
        nullptr, nullptr, nullptr, nullptr,
        fault_handler,  // SVCall
        fault_handler,  // DebugMonitor (M3, M4)
        nullptr,
        fault_handler,  // PendSV
        fault_handler,  // SysTick
    }};

void reset_handler() {
#if defined(__ARM_FP)
  // Full access to CP10 and CP11, the FPU, in CPACR (the Coprocessor Access Control Register)
  // before the first floating-point instruction, which would otherwise raise a UsageFault. The
  // barriers make the change visible to the instructions that follow.
  auto& cpacr = *reinterpret_cast<volatile std::uint32_t*>(0xE000ED88u);
  cpacr = cpacr | (0xFu << 20);
  asm volatile("dsb\n isb" ::: "memory");
#endif

  const std::uint32_t* source = mcu_data_load;
  for (std::uint32_t* word = mcu_data_start; word < mcu_data_end; ++word) {
    *word = *source++;
  }
  for (std::uint32_t* word = mcu_bss_start; word < mcu_bss_end; ++word) {
    *word = 0;
  }

  // Everything below the current stack pointer is free: paint it to measure stack use later.
  std::uint32_t* stack_pointer = nullptr;
  asm volatile("mov %0, sp" : "=r"(stack_pointer));
  for (std::uint32_t* word = mcu_bss_end; word < stack_pointer; ++word) {
    *word = stack_pattern;
  }

  for (Constructor* constructor = mcu_init_array_start; constructor < mcu_init_array_end;
       ++constructor) {
    (*constructor)();
  }

  semihosting::exit(application_main());
}

void fault_handler() {
  semihosting::write_text("error: the processor took a fault (bad address or instruction)\n");
  semihosting::exit(fault_exit_code);
}

std::size_t startup::stack_used() {
  const std::uint32_t* word = mcu_bss_end;
  while (word < mcu_stack_top && *word == stack_pattern) {
    ++word;
  }
  return static_cast<std::size_t>(reinterpret_cast<const char*>(mcu_stack_top) -
                                  reinterpret_cast<const char*>(word));
}
