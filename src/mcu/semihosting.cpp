// Semihosting calls for ARMv6-M and ARMv7-M (Thumb): `bkpt 0xab`, operation in r0, argument
// in r1, result in r0.
#include "semihosting.hpp"

#include <cstdint>

namespace semihosting {
namespace {

enum Operation : std::uint32_t {
  sys_write0 = 0x04,
  sys_exit_extended = 0x20,
};

// ADP_Stopped_ApplicationExit: the reason code of a normal program exit.
constexpr std::uint32_t application_exit = 0x20026;

std::uint32_t call(Operation operation, const void* argument) {
  std::uint32_t result = 0;
  asm volatile(
      "mov r0, %1\n"
      "mov r1, %2\n"
      "bkpt 0xab\n"
      "mov %0, r0"
      : "=r"(result)
      : "r"(static_cast<std::uint32_t>(operation)), "r"(argument)
      : "r0", "r1", "memory");
  return result;
}

}  // namespace

void write_text(const char* text) {
  call(sys_write0, text);
}

void exit(int code) {
  // SYS_EXIT_EXTENDED takes a block of two words: the reason and the exit code. The older
  // SYS_EXIT (0x18) can only report success or failure on 32-bit targets.
  const std::uint32_t block[2] = {application_exit, static_cast<std::uint32_t>(code)};
  call(sys_exit_extended, block);
  for (;;) {
  }
}

bool LineSink::write(const char* data, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) {
    line_[size_++] = data[i];
    if (data[i] == '\n' || size_ == capacity) {
      flush();
    }
  }
  return true;
}

void LineSink::flush() {
  if (size_ == 0) {
    return;
  }
  line_[size_] = '\0';
  write_text(line_);
  size_ = 0;
}

}  // namespace semihosting
