// expected error: staticmlp: the Activation of Dense<Width, Activation> must be an activation type
#include <staticmlp/staticmlp.hpp>
struct Softplus {};
using Net = staticmlp::Mlp<float, 1, staticmlp::Dense<4, Softplus>,
                           staticmlp::Dense<1, staticmlp::Identity>>;
constexpr std::size_t count = Net::parameter_count;
