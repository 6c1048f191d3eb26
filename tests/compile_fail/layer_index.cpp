// expected error: staticmlp: weight<L> needs L below layer_count
#include <staticmlp/staticmlp.hpp>
using Net = staticmlp::Mlp<float, 1, staticmlp::Dense<4, staticmlp::Relu>,
                           staticmlp::Dense<1, staticmlp::Identity>>;
float read_past_the_last_layer(const Net& net) { return net.weight<2>(0, 0); }
