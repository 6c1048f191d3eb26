// expected error: staticmlp: train_sample_checked() needs an optimizer made for this network
#include <staticmlp/staticmlp.hpp>
using Small = staticmlp::Mlp<float, 1, staticmlp::Dense<4, staticmlp::Relu>,
                             staticmlp::Dense<1, staticmlp::Identity>>;
using Wide = staticmlp::Mlp<float, 1, staticmlp::Dense<40, staticmlp::Relu>,
                            staticmlp::Dense<1, staticmlp::Identity>>;
bool check_with_the_wrong_optimizer(Wide& net, const Wide::SampleType& sample) {
  staticmlp::Adam<Small> adam(0.01f);
  staticmlp::Workspace<Wide> workspace{};
  return staticmlp::train_sample_checked(net, adam, sample, workspace).ok();
}
