// expected error: staticmlp: predict() needs exactly input_size values
#include <staticmlp/staticmlp.hpp>
using Net = staticmlp::Mlp<float, 2, staticmlp::Dense<3, staticmlp::Tanh>,
                           staticmlp::Dense<1, staticmlp::Identity>>;
float one_of_two_inputs(const Net& net) { return net.predict({1.0f})[0]; }
