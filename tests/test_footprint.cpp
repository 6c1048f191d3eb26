// Memory footprint of the lecture's networks as compile-time byte counts: the network is exactly
// its parameters, the gradient is shaped like them, the workspace contains every layer output and
// two delta buffers, and the optimizers keep 0, 1 or 2 values per parameter.
#include <catch2/catch.hpp>

#include <cstddef>

#include "test_support.hpp"

namespace sm = staticmlp;

namespace {

using Tanh4 = sm::Mlp<float, 1, sm::Dense<4, sm::Tanh>, sm::Dense<1, sm::Identity>>;
using Tanh40 = sm::Mlp<float, 1, sm::Dense<40, sm::Tanh>, sm::Dense<1, sm::Identity>>;
using Tanh400 = sm::Mlp<float, 1, sm::Dense<400, sm::Tanh>, sm::Dense<1, sm::Identity>>;
using Double4 = sm::Mlp<double, 1, sm::Dense<4, sm::Tanh>, sm::Dense<1, sm::Identity>>;
using Deep =
    sm::Mlp<float, 2, sm::Dense<8, sm::Relu>, sm::Dense<3, sm::Tanh>, sm::Dense<1, sm::Identity>>;

// 1-H-1 has H weights, H biases, H weights and 1 bias: 3H + 1 parameters.
static_assert(Tanh4::parameter_count == 13, "1-4-1: 3 * 4 + 1");
static_assert(Tanh40::parameter_count == 121, "1-40-1: 3 * 40 + 1");
static_assert(Tanh400::parameter_count == 1201, "1-400-1: 3 * 400 + 1");

// sizeof(network) = parameter_count * sizeof(T), with nothing else stored.
static_assert(sizeof(Tanh4) == 52, "13 floats");
static_assert(sizeof(Tanh40) == 484, "121 floats");
static_assert(sizeof(Tanh400) == 4804, "1201 floats");
static_assert(sizeof(Double4) == 104, "13 doubles");
static_assert(sizeof(Deep) == Deep::parameter_count * sizeof(float), "2-8-3-1");

// The gradient has the parameters' shape.
static_assert(sizeof(Tanh4::Parameters) == 52, "13 floats");
static_assert(sizeof(Tanh400::Parameters) == 4804, "1201 floats");

// Workspace of 1-H-1: H + 1 layer outputs and two one-value delta buffers, because the hidden
// layer's delta never leaves the sweep that updates it.
static_assert(sizeof(sm::Workspace<Tanh4>) == (5 + 2) * 4, "7 floats = 28 bytes");
static_assert(sizeof(sm::Workspace<Tanh40>) == (41 + 2) * 4, "43 floats = 172 bytes");
static_assert(sizeof(sm::Workspace<Tanh400>) == (401 + 2) * 4, "403 floats = 1612 bytes");
static_assert(sizeof(sm::Workspace<Double4>) == (5 + 2) * 8, "7 doubles = 56 bytes");
// 2-8-3-1: outputs 8 + 3 + 1 = 12, the widest layer has 8 outputs.
static_assert(sizeof(sm::Workspace<Deep>) == (12 + 2 * 8) * 4, "28 floats = 112 bytes");

// Per-parameter optimizer state.
static_assert(sm::Sgd<Tanh400>::state_bytes == 0, "Sgd keeps no state");
static_assert(sm::Momentum<Tanh400>::state_bytes == 4804, "one velocity per parameter");
static_assert(sm::Adam<Tanh400>::state_bytes == 9608, "two moments per parameter");
static_assert(sm::Momentum<Tanh4>::state_bytes == 52, "13 floats");
static_assert(sm::Adam<Tanh4>::state_bytes == 104, "26 floats");
static_assert(sm::Adam<Double4>::state_bytes == 208, "26 doubles");

}  // namespace

TEST_CASE("footprint byte counts are constants") {
  // The byte counts above are static_asserts; here the same values at run time, so that a
  // failure prints the number.
  CHECK(sizeof(Tanh400) == Tanh400::parameter_count * sizeof(float));
  CHECK(sizeof(sm::Workspace<Tanh400>) ==
        (Tanh400::activation_count + 2 * Tanh400::output_size) * sizeof(float));
  CHECK(sizeof(sm::Workspace<Deep>) ==
        (Deep::activation_count + 2 * Deep::max_width) * sizeof(float));
  CHECK(sm::Adam<Tanh400>::state_bytes == 2 * sizeof(Tanh400::Parameters));
}

TEST_CASE("optimizer objects add only their settings") {
  // Sgd: the learning rate, 4 bytes. Momentum: 4804 bytes of velocities and two settings,
  // 4812. Adam: 9608 bytes of moments, four settings, the running powers of beta1 and beta2,
  // two per-step factors (8 floats, 32 bytes) and an 8-byte step count: 9648.
  CHECK(sizeof(sm::Sgd<Tanh400>) == 4);
  CHECK(sizeof(sm::Momentum<Tanh400>) == 4812);
  CHECK(sizeof(sm::Adam<Tanh400>) == 9648);
}
