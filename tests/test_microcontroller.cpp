// The firmware's number formatting (src/mcu/report.hpp), run on the host: the firmware cannot
// use printf for floats, so these integer-only writers are all it has, and the host-firmware
// comparison relies on both sides printing the same text.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include <staticmlp/staticmlp.hpp>

#include "../src/mcu/report.hpp"

namespace {

namespace sm = staticmlp;

std::string decimal(float value) {
  sm::BufferSink<64> sink;
  report::write_decimal(sink, value);
  return sink.c_str();
}

template <class Unsigned>
std::string hex(Unsigned value) {
  sm::BufferSink<64> sink;
  report::write_hex(sink, value);
  return sink.c_str();
}

std::string unsigned_text(std::uint32_t value) {
  sm::BufferSink<64> sink;
  report::write_unsigned(sink, value);
  return sink.c_str();
}

}  // namespace

TEST_CASE("write_unsigned: zero and extremes") {
  CHECK(unsigned_text(0) == "0");
  CHECK(unsigned_text(7) == "7");
  CHECK(unsigned_text(1000) == "1000");
  CHECK(unsigned_text(4294967295u) == "4294967295");
}

TEST_CASE("write_decimal: six rounded decimals") {
  CHECK(decimal(0.0f) == "0.000000");
  CHECK(decimal(0.5f) == "0.500000");
  CHECK(decimal(12.25f) == "12.250000");
  CHECK(decimal(-1.5f) == "-1.500000");
  // 0.02f is 0.0199999995...: 0.0199999995 * 10^6 + 0.5 rounds to 20000.
  CHECK(decimal(0.02f) == "0.020000");
  // 0.0000004f * 10^6 + 0.5 = 0.9: below 1, so no millionth.
  CHECK(decimal(0.0000004f) == "0.000000");
}

TEST_CASE("write_decimal: rounding carries into the whole part") {
  // 0.9999996f * 10^6 + 0.5 = 1000000.08 rounds to 10^6 millionths, one whole.
  CHECK(decimal(0.9999996f) == "1.000000");
  // 2.9999996f: the fraction 0.9999995... also carries, giving 3.
  CHECK(decimal(2.9999996f) == "3.000000");
}

TEST_CASE("write_decimal: non-finite and huge values") {
  CHECK(decimal(std::numeric_limits<float>::quiet_NaN()) == "nan");
  CHECK(decimal(std::numeric_limits<float>::infinity()) == "huge");
  CHECK(decimal(-std::numeric_limits<float>::infinity()) == "-huge");
  // 2^32 is the first value the 32-bit whole part cannot hold.
  CHECK(decimal(4294967296.0f) == "huge");
  // 2^32 - 256, the largest float below 2^32, still fits.
  CHECK(decimal(4294967040.0f) == "4294967040.000000");
}

TEST_CASE("write_hex: every bit, 32 and 64 bits") {
  CHECK(hex(std::uint32_t{0}) == "0x00000000");
  CHECK(hex(std::uint32_t{0x3f800000u}) == "0x3f800000");
  CHECK(hex(std::uint32_t{0xdeadbeefu}) == "0xdeadbeef");
  CHECK(hex(std::uint64_t{0x400921fb54442d18u}) == "0x400921fb54442d18");
}

TEST_CASE("write_bits: float bit patterns") {
  sm::BufferSink<64> one;
  report::write_bits(one, 1.0f);
  CHECK(std::string(one.c_str()) == "0x3f800000");

  sm::BufferSink<64> negative_zero;
  report::write_bits(negative_zero, -0.0f);
  CHECK(std::string(negative_zero.c_str()) == "0x80000000");
}

TEST_CASE("write_progress: epoch and loss line") {
  sm::BufferSink<64> sink;
  report::write_progress(sink, 1000, 0.25f);
  CHECK(std::string(sink.c_str()) == "epoch 1000 loss 0.250000\n");
}

TEST_CASE("write_result: final MSE and parameter bits") {
  // The linear model: weight 1, bias -2.
  using Linear = sm::Mlp<float, 1, sm::Dense<1, sm::Identity>>;
  const Linear net(Linear::Parameters{1.0f, -2.0f});
  sm::BufferSink<128> sink;
  report::write_result(sink, net, 0.5f);
  CHECK(std::string(sink.c_str()) ==
        "final mse 0.500000 bits 0x3f000000\n"
        "parameter 0 0x3f800000\n"
        "parameter 1 0xc0000000\n");
}
