// expected error: PredictNeedsInputValues
#include <staticmlp/staticmlp.hpp>
using Net = staticmlp::Mlp<float, 2, staticmlp::Dense<3, staticmlp::Tanh>,
                           staticmlp::Dense<1, staticmlp::Identity>>;
float no_input_values(const Net& net) {
  return net.predict({})[0];
}
