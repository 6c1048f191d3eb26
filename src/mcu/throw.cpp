// Deliberately throwing firmware, built with exceptions and RTTI and with the heap allowed:
// `make mcu` requires tests/mcu/check_symbols.sh to reject it, which shows that the check
// detects exception and RTTI symbols and not only the heap.
#include <typeinfo>

struct TrainingError {
  int code;
};

volatile int error_code = 1;

int main() {
  try {
    if (error_code != 0) {
      throw TrainingError{error_code};
    }
  } catch (const TrainingError& error) {
    return typeid(error) == typeid(TrainingError) ? error.code : 0;
  }
  return 0;
}
