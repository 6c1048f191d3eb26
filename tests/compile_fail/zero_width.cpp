// expected error: staticmlp: Dense<Width, Activation> needs Width > 0
#include <staticmlp/staticmlp.hpp>
using Net = staticmlp::Mlp<float, 1, staticmlp::Dense<0, staticmlp::Relu>,
                           staticmlp::Dense<1, staticmlp::Identity>>;
constexpr std::size_t count = Net::parameter_count;
