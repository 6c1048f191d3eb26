// expected error: staticmlp: LeakyRelu's slope must lie in [0, 1)
#include <staticmlp/staticmlp.hpp>
using Net = staticmlp::Mlp<float, 1, staticmlp::Dense<4, staticmlp::LeakyRelu<3, 2>>,
                           staticmlp::Dense<1, staticmlp::Identity>>;
constexpr std::size_t count = Net::parameter_count;
