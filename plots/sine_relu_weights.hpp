// sine_relu: a staticmlp network written by write_cpp_header(); regenerate it rather than edit it.
// Shape 1-4relu-1identity (float), 13 parameters.
// Trained from seed 1 to a training MSE of 0.0008396365.
// The parameters are hexadecimal floating literals: the exact trained bits.
#pragma once

#include <staticmlp/mlp.hpp>

namespace sine_relu {

using Net =
    staticmlp::Mlp<float, 1, staticmlp::Dense<4, staticmlp::Relu>, staticmlp::Dense<1, staticmlp::Identity>>;

inline constexpr Net::Parameters parameters = {{
    0x1.589812p+1f,  // layer 1 weight [0][0]
    0x1.4ed2eap+1f,  // layer 1 weight [1][0]
    0x1.8e5d7ap+1f,  // layer 1 weight [2][0]
    -0x1.4b3cd6p+1f,  // layer 1 weight [3][0]
    0x1.d95974p-2f,  // layer 1 bias [0]
    -0x1.a39e3p-1f,  // layer 1 bias [1]
    -0x1.0573e4p-1f,  // layer 1 bias [2]
    -0x1.abbfe2p-1f,  // layer 1 bias [3]
    -0x1.0b2a1cp+1f,  // layer 2 weight [0][0]
    0x1.114026p+1f,  // layer 2 weight [0][1]
    0x1.a62878p+0f,  // layer 2 weight [0][2]
    -0x1.021c2ap+1f,  // layer 2 weight [0][3]
    0x1.ece7ap-1f,  // layer 2 bias [0]
}};

inline constexpr Net network{parameters};

}  // namespace sine_relu
