// expected error: staticmlp: fit() needs an optimizer made for this network
#include <staticmlp/staticmlp.hpp>
using Small = staticmlp::Mlp<float, 1, staticmlp::Dense<4, staticmlp::Relu>,
                             staticmlp::Dense<1, staticmlp::Identity>>;
using Wide = staticmlp::Mlp<float, 1, staticmlp::Dense<40, staticmlp::Relu>,
                            staticmlp::Dense<1, staticmlp::Identity>>;
void train_with_the_wrong_optimizer(Small& net) {
  staticmlp::Adam<Wide> adam(0.01f);
  static_cast<void>(staticmlp::fit(net, adam, staticmlp::sine_dataset<float, 10>()));
}
