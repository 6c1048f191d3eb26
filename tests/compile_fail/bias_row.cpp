// expected error: parameter_index_out_of_range
#include <staticmlp/staticmlp.hpp>
using Net = staticmlp::Mlp<float, 1, staticmlp::Dense<4, staticmlp::Relu>,
                           staticmlp::Dense<1, staticmlp::Identity>>;
// Bias 4 of a 4-unit layer would be the next layer's first weight.
constexpr float read_past_the_biases() {
  Net net;
  net.bias<0>(4) = 1.0f;
  return net.parameters()[8];
}
static_assert(read_past_the_biases() == 1.0f);
