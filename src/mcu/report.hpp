// The lines that the training firmware and its host twin print, written through any character
// sink (bool write(const char*, std::size_t)) with integer arithmetic only: newlib's printf of
// floating-point values would link malloc. Host and firmware print through these same
// functions, so their outputs can be compared line by line.
#pragma once

#include <cstddef>
#include <cstdint>

#include <staticmlp/format.hpp>
#include <staticmlp/math.hpp>

namespace report {

template <class Sink>
void write_unsigned(Sink& sink, std::uint32_t value) {
  char digits[10] = {};
  std::size_t count = 0;
  do {
    digits[count++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);

  char text[10] = {};
  for (std::size_t i = 0; i < count; ++i) {
    text[i] = digits[count - 1 - i];
  }
  static_cast<void>(sink.write(text, count));
}

// Writes every bit of `value`, a std::uint32_t or std::uint64_t, as 0x followed by 8 or 16
// lowercase hex digits.
template <class Sink, class Unsigned>
void write_hex(Sink& sink, Unsigned value) {
  constexpr std::size_t digits = 2 * sizeof(Unsigned);
  char text[2 + digits] = {'0', 'x'};
  for (std::size_t i = 0; i < digits; ++i) {
    const auto nibble = static_cast<unsigned>((value >> (4 * (digits - 1 - i))) & 0xFu);
    text[2 + i] = static_cast<char>(nibble < 10 ? '0' + nibble : 'a' + (nibble - 10));
  }
  static_cast<void>(sink.write(text, sizeof text));
}

template <class Sink>
void write_bits(Sink& sink, float value) {
  write_hex(sink, staticmlp::detail::bit_cast<std::uint32_t>(value));
}

// Writes `value` with six decimals, rounded, for example "0.012345" or "-1.500000". For reading
// only: the bits (write_bits) are what the checks compare. Magnitudes of 2^32 and more, infinity
// and NaN are written as words.
template <class Sink>
void write_decimal(Sink& sink, float value) {
  if (!(value == value)) {
    static_cast<void>(staticmlp::write_text(sink, "nan"));
    return;
  }
  if (value < 0.0f) {
    static_cast<void>(sink.write("-", 1));
    value = -value;
  }
  if (!(value < 4294967296.0f)) {
    static_cast<void>(staticmlp::write_text(sink, "huge"));
    return;
  }

  // The fraction value - whole is exact in float, so only the scaling by 10^6 rounds.
  auto whole = static_cast<std::uint32_t>(value);
  const float fraction = value - static_cast<float>(whole);
  auto millionths = static_cast<std::uint32_t>(fraction * 1e6f + 0.5f);
  if (millionths >= 1000000u) {
    millionths -= 1000000u;
    whole += 1;
  }
  write_unsigned(sink, whole);
  char text[7] = {'.'};
  for (std::size_t i = 6; i >= 1; --i) {
    text[i] = static_cast<char>('0' + millionths % 10);
    millionths /= 10;
  }
  static_cast<void>(sink.write(text, sizeof text));
}

// "epoch 1000 loss 0.012345"
template <class Sink>
void write_progress(Sink& sink, std::size_t epoch, float loss) {
  static_cast<void>(staticmlp::write_text(sink, "epoch "));
  write_unsigned(sink, static_cast<std::uint32_t>(epoch));
  static_cast<void>(staticmlp::write_text(sink, " loss "));
  write_decimal(sink, loss);
  static_cast<void>(sink.write("\n", 1));
}

// "final mse 0.012345 bits 0x3c4a4a4a", then one "parameter I BITS" line per parameter,
// in the engine's parameter order.
template <class Sink, class Net>
void write_result(Sink& sink, const Net& net, float final_loss) {
  static_cast<void>(staticmlp::write_text(sink, "final mse "));
  write_decimal(sink, final_loss);
  static_cast<void>(staticmlp::write_text(sink, " bits "));
  write_bits(sink, final_loss);
  static_cast<void>(sink.write("\n", 1));
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    static_cast<void>(staticmlp::write_text(sink, "parameter "));
    write_unsigned(sink, static_cast<std::uint32_t>(i));
    static_cast<void>(sink.write(" ", 1));
    write_bits(sink, net.parameters()[i]);
    static_cast<void>(sink.write("\n", 1));
  }
}

}  // namespace report
