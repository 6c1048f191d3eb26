// dense_forward() at run time folds several rows' partial sums at once and applies the activation
// to whole vectors. Each output must keep the bits of the scalar formula it replaces,
// y[o] = f(b[o] + dot<In>(row o, x)), for row lengths that fill, pad or overrun the vectors, for
// widths that leave rows to the scalar loop, and for signed zeros, which padding could flip.
// The data has no NaN: the sign and payload of a NaN result depend on the compiler's order of
// operands, which vector and scalar code may choose differently.
#include <catch2/catch.hpp>

#include <array>
#include <cstddef>
#include <cstdint>

#include "test_support.hpp"

namespace sm = staticmlp;
using test_support::same_bits;

namespace {

template <class T, std::size_t In, std::size_t Out>
struct Layer {
  std::array<T, In * Out> w{};
  std::array<T, Out> b{};
  std::array<T, In> x{};
};

// Weights and inputs of both signs and of several magnitudes, so that the partial sums round
// differently when added in another order. Row 0's products and bias are -0, so its sum stays
// -0 only if every padding lane adds nothing, and becomes +0 if one adds +0.
template <class T, std::size_t In, std::size_t Out>
Layer<T, In, Out> spread_layer(std::uint64_t seed) {
  sm::SplitMix64 random(seed);
  const auto next = [&random](T scale) {
    const auto bits = static_cast<std::int64_t>(random.next() >> 40) - (std::int64_t{1} << 23);
    return static_cast<T>(bits) * scale / static_cast<T>(std::int64_t{1} << 23);
  };
  Layer<T, In, Out> layer;
  for (std::size_t i = 0; i < In; ++i) {
    layer.x[i] = T(0.25) + next(T(2)) * next(T(2));
  }
  for (std::size_t i = 0; i < In * Out; ++i) {
    // Row 0's zeros take the sign that makes each product -0.
    layer.w[i] = i >= In ? next(T(3) / static_cast<T>(In)) : layer.x[i] < T(0) ? T(0) : -T(0);
  }
  for (std::size_t o = 0; o < Out; ++o) {
    layer.b[o] = o == 0 ? -T(0) : next(T(1));
  }
  return layer;
}

// Computes the scalar formula one output at a time.
template <std::size_t In, std::size_t Out, class Activation, class T>
std::array<T, Out> reference(const Layer<T, In, Out>& layer) {
  std::array<T, Out> y{};
  for (std::size_t o = 0; o < Out; ++o) {
    y[o] = Activation::value(layer.b[o] +
                             sm::detail::dot<In>(layer.w.data() + o * In, layer.x.data()));
  }
  return y;
}

template <std::size_t In, std::size_t Out, class Activation, class T>
void check_layer(std::uint64_t seed) {
  const Layer<T, In, Out> layer = spread_layer<T, In, Out>(seed);
  std::array<T, Out> y{};
  sm::detail::dense_forward<In, Out, Activation>(layer.w.data(), layer.b.data(), layer.x.data(),
                                                 y.data());
  const std::array<T, Out> expected = reference<In, Out, Activation>(layer);
  for (std::size_t o = 0; o < Out; ++o) {
    INFO("In " << In << ", Out " << Out << ", output " << o << ": " << y[o] << " against "
               << expected[o]);
    CHECK(same_bits(y[o], expected[o]));
  }
}

template <class T, class Activation>
void check_shapes() {
  // Rows shorter than a vector (1, 3), one vector (4, 8, 16), one round of dot's 32 sums with
  // a remainder of a power of two (40, 48) or not (35, 37), many rounds (100, 400).
  check_layer<1, 17, Activation, T>(1);
  check_layer<3, 5, Activation, T>(2);
  check_layer<4, 4, Activation, T>(3);
  check_layer<8, 9, Activation, T>(4);
  check_layer<16, 16, Activation, T>(5);
  check_layer<35, 7, Activation, T>(6);
  check_layer<37, 33, Activation, T>(7);
  check_layer<40, 40, Activation, T>(8);
  check_layer<48, 3, Activation, T>(9);
  check_layer<100, 20, Activation, T>(10);
  check_layer<400, 19, Activation, T>(11);
  // Rows of 2 sums, and fewer rows than a vector (3), which the scalar loop takes alone.
  check_layer<2, 6, Activation, T>(12);
  check_layer<400, 3, Activation, T>(13);
}

}  // namespace

TEST_CASE("dense_forward matches the scalar formula") {
  SECTION("float, tanh") {
    check_shapes<float, sm::Tanh>();
  }
  SECTION("double, sigmoid") {
    check_shapes<double, sm::Sigmoid>();
  }
  // The other activations on a few shapes: a padded short row, a remainder, and rows left over.
  SECTION("float, relu and leaky relu") {
    check_layer<3, 5, sm::Relu, float>(16);
    check_layer<40, 40, sm::Relu, float>(17);
    check_layer<3, 5, sm::LeakyRelu<>, float>(18);
    check_layer<40, 40, sm::LeakyRelu<>, float>(19);
    check_layer<400, 3, sm::LeakyRelu<>, float>(20);
  }
  SECTION("double, tanh") {
    check_layer<3, 5, sm::Tanh, double>(21);
    check_layer<37, 33, sm::Tanh, double>(22);
  }
}

TEST_CASE("dense_forward keeps -0 past padding") {
  // Row 0 alone, under the identity, which passes -0 through. A padding lane of +0 would turn
  // it into +0.
  const Layer<float, 40, 4> layer = spread_layer<float, 40, 4>(14);
  std::array<float, 4> y{};
  sm::detail::dense_forward<40, 4, sm::Identity>(layer.w.data(), layer.b.data(), layer.x.data(),
                                                 y.data());
  CHECK(same_bits(y[0], -0.0f));
  // A row shorter than dot's sums starts them at +0, so -0 products give +0 there.
  const Layer<float, 3, 4> short_rows = spread_layer<float, 3, 4>(15);
  sm::detail::dense_forward<3, 4, sm::Identity>(short_rows.w.data(), short_rows.b.data(),
                                                short_rows.x.data(), y.data());
  CHECK(same_bits(y[0], 0.0f));
}

TEST_CASE("dense_forward matches constant evaluation") {
  constexpr std::size_t in = 37;
  constexpr std::size_t out = 6;
  struct Values {
    std::array<float, in * out> w{};
    std::array<float, out> b{};
    std::array<float, in> x{};
    std::array<float, out> y{};
  };
  // Made and run inside a constant expression, where dense_forward takes the scalar loop.
  constexpr Values at_compile_time = [] {
    Values v;
    for (std::size_t i = 0; i < in * out; ++i) {
      v.w[i] = static_cast<float>(static_cast<int>(i * 7919 % 201) - 100) / 170.0f;
    }
    for (std::size_t o = 0; o < out; ++o) {
      v.b[o] = static_cast<float>(o) / 7.0f - 0.4f;
    }
    for (std::size_t i = 0; i < in; ++i) {
      v.x[i] = static_cast<float>(static_cast<int>(i * 104729 % 97) - 48) / 31.0f;
    }
    sm::detail::dense_forward<in, out, sm::Tanh>(v.w.data(), v.b.data(), v.x.data(), v.y.data());
    return v;
  }();
  std::array<float, out> y{};
  sm::detail::dense_forward<in, out, sm::Tanh>(at_compile_time.w.data(), at_compile_time.b.data(),
                                               at_compile_time.x.data(), y.data());
  for (std::size_t o = 0; o < out; ++o) {
    INFO("output " << o << ": " << y[o] << " against " << at_compile_time.y[o]);
    CHECK(same_bits(y[o], at_compile_time.y[o]));
  }
}
