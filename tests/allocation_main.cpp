// Proves that the engine allocates nothing: malloc, calloc, realloc and every global operator
// new are replaced by counting versions, and the count must stay at zero across initialise,
// predict, gradient and a whole fit() in every batching mode. Built without sanitizers, which
// replace the same functions. Linked with the runner in catch_main.cpp.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdlib>
#include <new>

#include <staticmlp/staticmlp.hpp>

extern "C" void* __libc_malloc(std::size_t size);
extern "C" void* __libc_calloc(std::size_t count, std::size_t size);
extern "C" void* __libc_realloc(void* pointer, std::size_t size);
extern "C" void __libc_free(void* pointer);

namespace {
// Counts only while armed, so Catch2's own allocations outside the measured code do not count.
bool armed = false;
std::size_t allocations = 0;

void count_allocation() {
  if (armed) {
    ++allocations;
  }
}

template <class Body>
std::size_t allocations_during(Body&& body) {
  allocations = 0;
  armed = true;
  body();
  armed = false;
  return allocations;
}
}  // namespace

extern "C" void* malloc(std::size_t size) {
  count_allocation();
  return __libc_malloc(size);
}
extern "C" void* calloc(std::size_t count, std::size_t size) {
  count_allocation();
  return __libc_calloc(count, size);
}
extern "C" void* realloc(void* pointer, std::size_t size) {
  count_allocation();
  return __libc_realloc(pointer, size);
}
extern "C" void free(void* pointer) { __libc_free(pointer); }

void* operator new(std::size_t size) {
  count_allocation();
  void* pointer = __libc_malloc(size == 0 ? 1 : size);
  if (pointer == nullptr) {
    throw std::bad_alloc();
  }
  return pointer;
}
void* operator new[](std::size_t size) { return operator new(size); }
void operator delete(void* pointer) noexcept { __libc_free(pointer); }
void operator delete[](void* pointer) noexcept { __libc_free(pointer); }
void operator delete(void* pointer, std::size_t) noexcept { __libc_free(pointer); }
void operator delete[](void* pointer, std::size_t) noexcept { __libc_free(pointer); }

namespace sm = staticmlp;
using Net = sm::Mlp<float, 1, sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;
using Deep = sm::Mlp<double, 1, sm::Dense<40, sm::Tanh>, sm::Dense<40, sm::Sigmoid>,
                     sm::Dense<1, sm::Identity>>;

TEST_CASE("counting allocator sees an allocation") {
  // Guards the other tests: if the replacement were not in effect, they could not fail.
  const std::size_t count = allocations_during([] {
    void* volatile pointer = std::malloc(16);
    std::free(pointer);
    int* volatile number = new int(3);
    delete number;
  });
  CHECK(count == 2);
}

TEST_CASE("initialise predict gradient allocate nothing") {
  static const auto data = sm::sine_dataset<float, 100>();
  Net net;
  float output = 0;
  const std::size_t count = allocations_during([&] {
    sm::initialize(net, 7);
    output = net.predict({0.25f})[0];
    const auto g = sm::gradient(net, data);
    output += g[0] + sm::mean_squared_error(net, data);
  });
  CHECK(count == 0);
  CHECK(std::isfinite(output));
}

TEST_CASE("fit allocates nothing in any mode") {
  static const auto data = sm::sine_dataset<float, 100>();
  for (std::size_t batch : {sm::full_batch, std::size_t{1}, std::size_t{16}}) {
    Net net = sm::initialized<Net>(3);
    sm::Adam<Net> adam(0.01f);
    sm::FitOptions<float> options;
    options.epochs = 50;
    options.batch_size = batch;
    options.shuffle = true;
    float last_loss = 0;
    const std::size_t count = allocations_during([&] {
      const auto result = sm::fit(net, adam, data, options,
                                  [&](std::size_t, float loss) { last_loss = loss; });
      REQUIRE(result.ok());
    });
    CHECK(count == 0);
    CHECK(last_loss > 0);
  }
}

TEST_CASE("double network with sgd allocates nothing") {
  static const auto data = sm::sine_dataset<double, 100>();
  Deep net = sm::initialized<Deep>(11);
  sm::Sgd<Deep> sgd(0.05);
  sm::FitOptions<double> options;
  options.epochs = 5;
  options.batch_size = 1;
  const std::size_t count = allocations_during([&] {
    const auto result = sm::fit(net, sgd, data, options);
    REQUIRE(result.ok());
  });
  CHECK(count == 0);
}

TEST_CASE("checked sample steps allocate nothing") {
  static const auto data = sm::sine_dataset<float, 100>();
  Net net = sm::initialized<Net>(3);
  sm::Adam<Net> adam(0.01f);
  sm::Workspace<Net> workspace{};
  float loss_sum = 0;
  const std::size_t count = allocations_during([&] {
    for (const auto& sample : data) {
      const auto result = sm::train_sample_checked(net, adam, sample, workspace);
      REQUIRE(result.ok());
      loss_sum += result.loss;
    }
  });
  CHECK(count == 0);
  CHECK(loss_sum > 0);
  CHECK(adam.steps() == data.size());
}

TEST_CASE("autodiff tape allocates nothing") {
  double gradient_x = 0;
  const std::size_t count = allocations_during([&] {
    sm::Tape<double, 16> tape;
    auto x = tape.variable(1.0);
    auto y = tape.variable(2.0);
    auto z = tape.variable(-1.0);
    auto f = log(x * y + z);
    REQUIRE(tape.backward(f).ok());
    gradient_x = tape.gradient(x);
  });
  CHECK(count == 0);
  CHECK(gradient_x == 2.0);
}
