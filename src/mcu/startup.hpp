// Stack-use measurement: the reset handler paints the stack, and main reads how much was used.
#pragma once

#include <cstddef>

namespace startup {

// Bytes of the stack written so far, found by the first word below the top of RAM that still
// contains the pattern the reset handler painted. An estimate: a word written with the pattern's
// own value would not count.
std::size_t stack_used();

}  // namespace startup
