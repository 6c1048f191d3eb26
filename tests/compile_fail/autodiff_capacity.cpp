// expected error: tape_capacity_exceeded_in_constant_expression
// A third node on a tape of capacity 2, inside a constant expression.
#include <staticmlp/staticmlp.hpp>

constexpr double sum_on_full_tape() {
  staticmlp::Tape<double, 2> tape;
  const auto x = tape.variable(1.0);
  const auto y = tape.variable(2.0);
  return tape.value(x + y);
}
constexpr double sum = sum_on_full_tape();
