// Persistence firmware: writes the compiled-in 1-4-1 network (sine_weights.hpp) as a binary
// parameter image into a buffer that stands for a flash page, and reads it back into another
// network. It also checks that a corrupted byte and a network of another shape are rejected with
// the right status, with the target network unchanged. Exits with 0 when every check passes, 1
// when one fails (3 on a fault, from startup.cpp). It shows that the binary image links without
// a heap, where the text model format's floating-point to_chars does not.
#include <array>
#include <cstddef>
#include <cstdint>

#include <staticmlp/export.hpp>
#include <staticmlp/mlp.hpp>

#include "../sine_recipe.hpp"
#include "report.hpp"
#include "semihosting.hpp"
#include "sine_weights.hpp"

using Net = sine_recipe::Net;
using TanhNet = staticmlp::Mlp<float, 1, staticmlp::Dense<4, staticmlp::Tanh>,
                               staticmlp::Dense<1, staticmlp::Identity>>;

namespace {

constexpr Net trained_net(sine_weights::parameters);

template <class Parameters>
bool same_bits(const Parameters& a, const Parameters& b) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (staticmlp::detail::bit_cast<std::uint32_t>(a[i]) !=
        staticmlp::detail::bit_cast<std::uint32_t>(b[i])) {
      return false;
    }
  }
  return true;
}

// Prints "ok   DESCRIPTION" or "FAIL DESCRIPTION" and returns `passed`.
bool check(semihosting::LineSink& out, bool passed, const char* description) {
  staticmlp::write_text(out, passed ? "ok   " : "FAIL ");
  staticmlp::write_text(out, description);
  staticmlp::write_text(out, "\n");
  return passed;
}

}  // namespace

int main() {
  semihosting::LineSink out;
  staticmlp::write_text(out, "staticmlp firmware: binary parameter image of the 1-4-1 network\n");

  // As in infer.cpp: hiding where the weights are keeps the compiler from doing the work.
  const Net* hidden_net = &trained_net;
  asm volatile("" : "+r"(hidden_net));
  const Net& net = *hidden_net;

  // A page of erased flash reads as 0xff; the image takes its first bytes.
  std::array<unsigned char, 128> page{};
  page.fill(0xff);
  static_assert(staticmlp::parameter_image_size<Net> <= 128, "the image fits the page");
  staticmlp::write_text(out, "image bytes ");
  report::write_unsigned(out, static_cast<std::uint32_t>(staticmlp::parameter_image_size<Net>));
  staticmlp::write_text(out, "\n");

  bool passed = check(out, staticmlp::write_parameter_image(net, page).ok(), "write the image");

  Net loaded{};
  passed = check(out, staticmlp::read_parameter_image(page, loaded).ok(), "read it back") && passed;
  passed = check(out, same_bits(loaded.parameters(), net.parameters()),
                 "the parameters read back have the written bits") &&
           passed;

  // One flipped bit in the fifth parameter: the checksum catches it, and `untouched` keeps its
  // zero parameters.
  page[24 + 4 * 4] ^= 0x01;
  Net untouched{};
  const staticmlp::Status corrupted = staticmlp::read_parameter_image(page, untouched);
  passed = check(out, corrupted.code == staticmlp::StatusCode::image_checksum_mismatch,
                 "a flipped bit gives image_checksum_mismatch") &&
           passed;
  passed = check(out, same_bits(untouched.parameters(), Net::Parameters{}),
                 "the rejected image leaves the network unchanged") &&
           passed;
  page[24 + 4 * 4] ^= 0x01;

  TanhNet other{};
  const staticmlp::Status shape = staticmlp::read_parameter_image(page, other);
  passed =
      check(out, shape.code == staticmlp::StatusCode::image_header_mismatch && shape.index == 16,
            "a Tanh network rejects the ReLU image at the shape hash (byte 16)") &&
      passed;
  return passed ? 0 : 1;
}
