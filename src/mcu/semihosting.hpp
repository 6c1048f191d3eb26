// ARM semihosting: the debugger or emulator (here QEMU with -semihosting-config) performs an
// operation for the firmware when it executes `bkpt 0xab` with the operation in r0 and its
// argument in r1. Output goes to the host's terminal and the exit code to the host's shell.
// Without a host that handles semihosting the breakpoint faults: QEMU stops with an error.
#pragma once

#include <cstddef>

namespace semihosting {

// Writes a zero-terminated string to the host's console (SYS_WRITE0).
void write_text(const char* text);

// Ends the program and passes `code` to the host, which exits with it (SYS_EXIT_EXTENDED).
[[noreturn]] void exit(int code);

// A character sink (bool write(const char*, std::size_t)) that sends whole lines to the host.
// It buffers up to 80 characters and flushes on a newline, when full, and on flush().
class LineSink {
 public:
  bool write(const char* data, std::size_t size);
  void flush();

 private:
  static constexpr std::size_t capacity = 80;
  char line_[capacity + 1];
  std::size_t size_ = 0;
};

}  // namespace semihosting
