// Deliberately allocating firmware: `make mcu` requires that this image fails to link with the
// no-heap assertion of mcu.ld. The pointer is stored in a global so that it escapes and the
// compiler cannot remove the allocation.
#include <staticmlp/mlp.hpp>

#include "../sine_recipe.hpp"

float* escaped_parameters = nullptr;

int main() {
  escaped_parameters = new float[sine_recipe::Net::parameter_count];
  return escaped_parameters == nullptr ? 1 : 0;
}
