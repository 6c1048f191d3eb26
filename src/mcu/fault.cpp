// Fault check: executes a permanently undefined instruction, so the processor takes a fault and
// the fault handler must exit with 3. Shows that a crash reaches the shell as an error, not a hang.
#include "semihosting.hpp"

int main() {
  semihosting::write_text("executing an undefined instruction\n");
  asm volatile("udf #0");
  semihosting::write_text("error: the undefined instruction did not fault\n");
  return 0;
}
