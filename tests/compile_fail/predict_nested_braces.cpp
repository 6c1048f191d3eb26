// expected error: no matching
#include <staticmlp/staticmlp.hpp>
using Net = staticmlp::Mlp<float, 3, staticmlp::Dense<2, staticmlp::Tanh>,
                           staticmlp::Dense<1, staticmlp::Identity>>;
// Inner braces would initialize an Input of three values from two and pad it with a zero.
float two_of_three_inputs(const Net& net) { return net.predict({{1.0f, 2.0f}})[0]; }
