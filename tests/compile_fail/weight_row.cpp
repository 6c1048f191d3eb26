// expected error: parameter_index_out_of_range
#include <staticmlp/staticmlp.hpp>
using Net = staticmlp::Mlp<float, 1, staticmlp::Dense<4, staticmlp::Relu>,
                           staticmlp::Dense<1, staticmlp::Identity>>;
// Row 4 of a 4-row layer would be the first bias.
constexpr Net net{};
static_assert(net.weight<0>(4, 0) == 0.0f);
