// expected error: staticmlp: every layer of Mlp<T, Inputs, Layers...> must be a Dense<Width, Activation>
#include <staticmlp/staticmlp.hpp>
staticmlp::Mlp<float, 1, staticmlp::Relu, staticmlp::Dense<1, staticmlp::Identity>> net;
