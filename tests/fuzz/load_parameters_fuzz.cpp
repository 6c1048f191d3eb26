// libFuzzer target for load_parameters(): every input is loaded into a float and a double
// network. A failed load must leave the network's bits unchanged; a successful one must save
// back to text that loads to the same bits. Any violation aborts, which libFuzzer reports.
// Build: clang++ -std=c++17 -fsanitize=fuzzer,address,undefined -Iinclude (make fuzz).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <staticmlp/staticmlp.hpp>

namespace {

namespace sm = staticmlp;
using Relu141 = sm::Mlp<float, 1, sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;
using Mixed = sm::Mlp<double, 2, sm::Dense<3, sm::LeakyRelu<1, 10>>, sm::Dense<1, sm::Sigmoid>>;

template <class Net>
bool same_bits(const Net& a, const Net& b) {
  return std::memcmp(a.parameters().data(), b.parameters().data(),
                     sizeof(typename Net::Parameters)) == 0;
}

template <class Net>
void check_load(const std::uint8_t* data, std::size_t size) {
  const Net original = sm::initialized<Net>(5);
  Net net = original;
  sm::TextSource source(reinterpret_cast<const char*>(data), size);
  const sm::Status status = sm::load_parameters(source, net);
  if (!status.ok()) {
    if (!same_bits(net, original)) {
      std::abort();  // a failed load changed the network
    }
    static_cast<void>(sm::describe(status));
    return;
  }

  sm::BufferSink<8192> text;
  if (!sm::save_parameters(text, net).ok()) {
    std::abort();  // a loaded network contains a non-finite value or does not fit the buffer
  }
  Net reloaded;
  sm::TextSource saved(text.c_str(), text.size());
  if (!sm::load_parameters(saved, reloaded).ok() || !same_bits(reloaded, net)) {
    std::abort();  // save after load does not round trip
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  check_load<Relu141>(data, size);
  check_load<Mixed>(data, size);
  return 0;
}
