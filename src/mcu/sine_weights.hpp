// The 1-4-1 ReLU network's parameters as sine_recipe::train() leaves them, written by
// tests/mcu/host_train --header; `make mcu-run` checks that they are still current.
#pragma once

#include "../sine_recipe.hpp"

namespace sine_weights {

// W1[0..3], b1[0..3], W2[0..3], b2[0].
inline constexpr sine_recipe::Net::Parameters parameters = {
    0x1.589812p+1f,
    0x1.4ed2eap+1f,
    0x1.8e5d7ap+1f,
    -0x1.4b3cd6p+1f,
    0x1.d95974p-2f,
    -0x1.a39e3p-1f,
    -0x1.0573e4p-1f,
    -0x1.abbfe2p-1f,
    -0x1.0b2a1cp+1f,
    0x1.114026p+1f,
    0x1.a62878p+0f,
    -0x1.021c2ap+1f,
    0x1.ece7ap-1f,
};

}  // namespace sine_weights
