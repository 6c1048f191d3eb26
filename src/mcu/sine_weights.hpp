// The 1-4-1 ReLU network's parameters as sine_recipe::train() leaves them, written by
// tests/mcu/host_train --header; `make mcu-run` checks that they are still current.
#pragma once

#include "../sine_recipe.hpp"

namespace sine_weights {

// W1[0..3], b1[0..3], W2[0..3], b2[0].
inline constexpr sine_recipe::Net::Parameters parameters = {
    0x1.58991ep+1f,
    0x1.4ed1fcp+1f,
    0x1.8e5ccp+1f,
    -0x1.4b3cccp+1f,
    0x1.d97dd4p-2f,
    -0x1.a3a068p-1f,
    -0x1.057586p-1f,
    -0x1.abbd08p-1f,
    -0x1.0b2b8p+1f,
    0x1.113f98p+1f,
    0x1.a627bep+0f,
    -0x1.021c4ap+1f,
    0x1.ece282p-1f,
};

}  // namespace sine_weights
