// expected error: staticmlp: Mlp<T, Inputs, Layers...> needs T = float or double
#include <staticmlp/staticmlp.hpp>
staticmlp::Mlp<int, 1, staticmlp::Dense<1, staticmlp::Identity>> net;
