// expected error: staticmlp: Mlp<T, Inputs, Layers...> needs at least one Dense layer
#include <staticmlp/staticmlp.hpp>
staticmlp::Mlp<float, 1> net;
