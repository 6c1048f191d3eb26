// expected error: staticmlp: Mlp<T, Inputs, Layers...> needs Inputs > 0
#include <staticmlp/staticmlp.hpp>
staticmlp::Mlp<float, 0, staticmlp::Dense<1, staticmlp::Identity>> net;
