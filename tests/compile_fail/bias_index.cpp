// expected error: staticmlp: bias<L> needs L below layer_count
#include <staticmlp/staticmlp.hpp>
using Net = staticmlp::Mlp<float, 1, staticmlp::Dense<4, staticmlp::Relu>,
                           staticmlp::Dense<1, staticmlp::Identity>>;
void write_past_the_last_layer(Net& net) { net.bias<2>(0) = 5.0f; }
