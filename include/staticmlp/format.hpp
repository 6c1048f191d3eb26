// Character sinks and locale-independent number formatting, with no I/O and no allocation.
// A sink is any object with `bool write(const char* data, std::size_t size)` that returns false
// when it could not store the bytes. Numbers go through std::to_chars: shortest round-trip text,
// a '.' decimal point whatever the process locale, and the same text on every target.
#pragma once

#include <array>
#include <charconv>
#include <cstddef>
#include <type_traits>

#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {

// A fixed-capacity text buffer: keeps the first Capacity characters, zero-terminated, and
// remembers whether anything did not fit.
template <std::size_t Capacity>
class BufferSink {
 public:
  constexpr bool write(const char* data, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) {
      if (size_ == Capacity) {
        overflowed_ = true;
        return false;
      }
      text_[size_++] = data[i];
      text_[size_] = '\0';
    }
    return true;
  }
  constexpr const char* c_str() const { return text_.data(); }
  constexpr std::size_t size() const { return size_; }
  constexpr bool overflowed() const { return overflowed_; }
  constexpr void clear() {
    size_ = 0;
    text_[0] = '\0';
    overflowed_ = false;
  }

 private:
  std::array<char, Capacity + 1> text_{};
  std::size_t size_ = 0;
  bool overflowed_ = false;
};

constexpr std::size_t text_length(const char* text) {
  std::size_t length = 0;
  while (text[length] != '\0') {
    ++length;
  }
  return length;
}

template <class Sink>
constexpr bool write_text(Sink& sink, const char* text) {
  return sink.write(text, text_length(text));
}

// Writes an integer or a floating-point number; floating-point values as the shortest text
// that parses back to the same bits ("0.1", "1e-45", "-0", "inf", "nan").
template <class Sink, class Number>
bool write_number(Sink& sink, Number value) {
  static_assert(std::is_arithmetic_v<Number> && !std::is_same_v<Number, bool>,
                "staticmlp: write_number takes an integer or a floating-point number");
  std::array<char, 32> digits{};
  const auto result = std::to_chars(digits.data(), digits.data() + digits.size(), value);
  return sink.write(digits.data(), static_cast<std::size_t>(result.ptr - digits.data()));
}

// Writes a floating-point number rounded to `digits` significant digits, in the shorter of
// fixed and scientific notation ("0.00084", "4.72e-06"): for people, not for reading back.
template <class Sink, class Number>
bool write_significant(Sink& sink, Number value, int digits) {
  static_assert(std::is_floating_point_v<Number>,
                "staticmlp: write_significant takes a floating-point number");
  std::array<char, 48> text{};
  const auto result = std::to_chars(text.data(), text.data() + text.size(), value,
                                    std::chars_format::general, digits);
  return sink.write(text.data(), static_cast<std::size_t>(result.ptr - text.data()));
}

// A character source is any object with `std::size_t read(char* data, std::size_t size)` that
// stores up to `size` bytes and returns how many it stored, fewer only at the end of the input
// or on a read error, and `bool failed() const`, true after a read error.
// TextSource reads from characters in memory that it does not own.
class TextSource {
 public:
  constexpr TextSource(const char* data, std::size_t size) : data_(data), size_(size) {}
  constexpr explicit TextSource(const char* text) : TextSource(text, text_length(text)) {}

  constexpr std::size_t read(char* data, std::size_t size) {
    std::size_t count = 0;
    while (count < size && position_ < size_) {
      data[count++] = data_[position_++];
    }
    return count;
  }
  constexpr bool failed() const { return false; }

 private:
  const char* data_;
  std::size_t size_;
  std::size_t position_ = 0;
};

}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
