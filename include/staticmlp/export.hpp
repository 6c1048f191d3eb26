// Trained networks out of the engine and back in, exactly, for float and double.
// write_cpp_header(sink, net, name, training) writes a C++ header that defines NAME::Net, the
// network's type, and NAME::parameters and NAME::network as constexpr values, with every
// parameter a hexadecimal floating literal, so the compiled network has the original bits.
// save_parameters(sink, net) writes the text model format below. load_parameters(source, net)
// reads it into a temporary and replaces the parameters of `net` only if the whole input is
// valid. Otherwise it returns a Status whose index is the 1-based line that failed.
//
// Text model format, version 1. One item per line; each line ends in '\n' ("\r\n" is read too):
//   staticmlp 1 float 1-4relu-1identity 13      format name, version, scalar type, shape, count
//   2.6921728                                   one parameter per line in parameter order, as
//   ...                                         std::to_chars writes it: shortest exact text
//   checksum fnv1a64 369fdccba164eeb9           FNV-1a (64 bit) of the parameters' bit patterns
// The shape is the input size, then each layer's width and activation name, joined by '-';
// LeakyRelu is written with its slope, as leaky_relu(1/100). The checksum hashes each
// parameter's IEEE bit pattern, least significant byte first, whatever the host's byte order.
// Nothing here allocates or depends on the locale: numbers go through std::to_chars and
// std::from_chars. Sinks and sources are described in format.hpp.
// NOTE: libstdc++ for arm-none-eabi implements floating-point to_chars and from_chars with code
// that needs malloc and about 115 KB of Ryu tables, so on a microcontroller the text format,
// write_cpp_header() and describe() belong on the host. The binary parameter image below uses
// no floating-point text and links on a core without a heap.
//
// Binary parameter image, version 1: parameter_image_size<Net> bytes, every field little-endian
// whatever the host's byte order.
//   byte 0    "SMLP"                       magic
//   byte 4    uint32 format version (1)
//   byte 8    uint32 scalar size           4 for float, 8 for double
//   byte 12   uint32 parameter count
//   byte 16   uint64 shape hash            FNV-1a (64 bit) of the shape text, "1-4relu-1identity"
//   byte 24   the parameters               each one's IEEE bit pattern, in parameter order
//   last 8    uint64 checksum              FNV-1a (64 bit), as in the text format
// write_parameter_image() and read_parameter_image() copy it to and from a caller's buffer, such
// as a flash page; the network is replaced only when the whole image is valid.
#pragma once

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <system_error>
#include <type_traits>
#include <utility>

#include "activation.hpp"
#include "format.hpp"
#include "math.hpp"
#include "mlp.hpp"
#include "status.hpp"
#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {

inline constexpr int model_format_version = 1;

// What write_cpp_header() records about training in the header's comment.
template <class T>
struct TrainingInfo {
  bool recorded = false;  // false: the comment states that training is not recorded
  std::uint64_t seed = 0;
  T training_mse = T(0);
};

template <class T>
constexpr TrainingInfo<T> training_info(std::uint64_t seed, T training_mse) {
  return TrainingInfo<T>{true, seed, training_mse};
}

namespace detail {

template <class T>
constexpr const char* scalar_name() {
  return std::is_same_v<T, float> ? "float" : "double";
}

// An activation's name in the shape text (Cpp false) or its C++ type (Cpp true).
template <bool Cpp, class Sink>
bool write_activation(Sink& sink, Identity) {
  return write_text(sink, Cpp ? "staticmlp::Identity" : "identity");
}
template <bool Cpp, class Sink>
bool write_activation(Sink& sink, Relu) {
  return write_text(sink, Cpp ? "staticmlp::Relu" : "relu");
}
template <bool Cpp, class Sink>
bool write_activation(Sink& sink, Sigmoid) {
  return write_text(sink, Cpp ? "staticmlp::Sigmoid" : "sigmoid");
}
template <bool Cpp, class Sink>
bool write_activation(Sink& sink, Tanh) {
  return write_text(sink, Cpp ? "staticmlp::Tanh" : "tanh");
}
template <bool Cpp, class Sink, int Numerator, int Denominator>
bool write_activation(Sink& sink, LeakyRelu<Numerator, Denominator>) {
  return write_text(sink, Cpp ? "staticmlp::LeakyRelu<" : "leaky_relu(") &&
         write_number(sink, Numerator) && write_text(sink, Cpp ? ", " : "/") &&
         write_number(sink, Denominator) && write_text(sink, Cpp ? ">" : ")");
}

template <bool Cpp, class Sink, class Activation>
bool write_activation(Sink&, Activation) {
  static_assert(sizeof(Activation) == 0,
                "staticmlp: model export names only the engine's activations: Identity, Relu, "
                "LeakyRelu<N, D>, Sigmoid and Tanh");
  return false;
}

template <class Net, class Sink, std::size_t... Ls>
bool write_layers_shape(Sink& sink, std::index_sequence<Ls...>) {
  return ((write_text(sink, "-") && write_number(sink, Net::widths[Ls + 1]) &&
           write_activation<false>(sink, typename Net::template LayerActivation<Ls>{})) &&
          ...);
}

template <class Net, class Sink, std::size_t... Ls>
bool write_layers_type(Sink& sink, std::index_sequence<Ls...>) {
  return ((write_text(sink, ", staticmlp::Dense<") && write_number(sink, Net::widths[Ls + 1]) &&
           write_text(sink, ", ") &&
           write_activation<true>(sink, typename Net::template LayerActivation<Ls>{}) &&
           write_text(sink, ">")) &&
          ...);
}

// The shape as in the text format's first line, for example "1-4relu-1identity".
template <class Net, class Sink>
bool write_shape(Sink& sink) {
  return write_number(sink, Net::input_size) &&
         write_layers_shape<Net>(sink, std::make_index_sequence<Net::layer_count>{});
}

// The C++ type, for example "staticmlp::Mlp<float, 1, staticmlp::Dense<4, staticmlp::Relu>>".
template <class Net, class Sink>
bool write_type(Sink& sink) {
  using T = typename Net::Scalar;
  return write_text(sink, "staticmlp::Mlp<") && write_text(sink, scalar_name<T>()) &&
         write_text(sink, ", ") && write_number(sink, Net::input_size) &&
         write_layers_type<Net>(sink, std::make_index_sequence<Net::layer_count>{}) &&
         write_text(sink, ">");
}

// Characters enough for the shape text: the input size, then per layer '-', a width of up to
// 20 digits and the longest activation name, "leaky_relu(2147483647/2147483647)".
template <class Net>
inline constexpr std::size_t shape_capacity = 20 + (1 + 20 + 33) * Net::layer_count;

// The format's first line without its newline, for example
// "staticmlp 1 float 1-4relu-1identity 13".
template <class Net, class Sink>
bool write_model_header(Sink& sink) {
  return write_text(sink, "staticmlp ") && write_number(sink, model_format_version) &&
         write_text(sink, " ") && write_text(sink, scalar_name<typename Net::Scalar>()) &&
         write_text(sink, " ") && write_shape<Net>(sink) && write_text(sink, " ") &&
         write_number(sink, Net::parameter_count);
}

// An FNV-1a (64 bit) hash, fed one byte at a time or, as a sink (format.hpp), with the text
// written to it, of which it stores nothing.
struct Fnv1aSink {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  constexpr void add_byte(std::uint64_t byte) { hash = (hash ^ byte) * 0x100000001b3ULL; }
  constexpr bool write(const char* data, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) {
      add_byte(static_cast<unsigned char>(data[i]));
    }
    return true;
  }
};

// FNV-1a (64 bit) over each parameter's bit pattern, least significant byte first.
template <class Parameters>
constexpr std::uint64_t parameter_checksum(const Parameters& parameters) {
  using T = typename Parameters::value_type;
  Fnv1aSink checksum;
  for (const T value : parameters) {
    const auto bits = static_cast<std::uint64_t>(bit_cast<Bits<T>>(value));
    for (std::size_t byte = 0; byte < sizeof(T); ++byte) {
      checksum.add_byte((bits >> (8 * byte)) & 0xffU);
    }
  }
  return checksum.hash;
}

// Sixteen lowercase hexadecimal digits.
template <class Sink>
bool write_hex64(Sink& sink, std::uint64_t value) {
  std::array<char, 16> digits{};
  for (std::size_t i = 0; i < digits.size(); ++i) {
    digits[digits.size() - 1 - i] = "0123456789abcdef"[(value >> (4 * i)) & 0xfU];
  }
  return sink.write(digits.data(), digits.size());
}

// A C++ hexadecimal floating literal with the exact value, for example -0x1.8p+0f.
template <class Sink, class T>
bool write_hex_literal(Sink& sink, T value) {
  std::array<char, 32> digits{};
  const bool negative = bit_cast<Bits<T>>(value) >> (sizeof(T) * 8 - 1) != 0;
  const T magnitude = negative ? -value : value;
  const auto result = std::to_chars(digits.data(), digits.data() + digits.size(), magnitude,
                                    std::chars_format::hex);
  return write_text(sink, negative ? "-0x" : "0x") &&
         sink.write(digits.data(), static_cast<std::size_t>(result.ptr - digits.data())) &&
         write_text(sink, std::is_same_v<T, float> ? "f" : "");
}

// The first parameter that is infinite or NaN: parameter_not_finite with its index, else ok.
template <class Parameters>
constexpr Status check_parameters_finite(const Parameters& parameters) {
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (!is_finite(parameters[i])) {
      return make_status(StatusCode::parameter_not_finite, i,
                         static_cast<double>(parameters[i]));
    }
  }
  return ok_status();
}

constexpr bool is_identifier(const char* name) {
  const auto is_letter = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (name == nullptr || !is_letter(name[0])) {
    return false;
  }
  for (std::size_t i = 1; name[i] != '\0'; ++i) {
    if (!is_letter(name[i]) && !(name[i] >= '0' && name[i] <= '9')) {
      return false;
    }
  }
  return true;
}

constexpr bool same_name(const char* a, const char* b) {
  std::size_t i = 0;
  while (a[i] != '\0' && a[i] == b[i]) {
    ++i;
  }
  return a[i] == b[i];
}

// True for an identifier that can name the generated namespace: not a keyword of C++17 or
// C++20, an alternative token, std, staticmlp or main, and not reserved (a double underscore,
// or an underscore and a capital letter at the start). Names of likely macros are rejected
// too: a name without a lowercase letter (NULL, SIZE_MAX), errno, math_errhandling, stdin,
// stdout, stderr, and GCC's linux, unix, i386. So are names ending in "_t", which POSIX reserves
// for types and which the headers under mlp.hpp declare globally (size_t, uint64_t, max_align_t).
constexpr bool is_namespace_name(const char* name) {
  if (!is_identifier(name)) {
    return false;
  }
  constexpr const char* taken[] = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break",
      "case", "catch", "char", "char16_t", "char32_t", "class", "compl", "const", "constexpr",
      "const_cast", "continue", "decltype", "default", "delete", "do", "double", "dynamic_cast",
      "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto",
      "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
      "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
      "reinterpret_cast", "return", "short", "signed", "sizeof", "static", "static_assert",
      "static_cast", "struct", "switch", "template", "this", "thread_local", "throw", "true",
      "try", "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual", "void",
      "volatile", "wchar_t", "while", "xor", "xor_eq", "std", "staticmlp",
      // C++20 keywords, so that the header also compiles there.
      "char8_t", "concept", "consteval", "constinit", "co_await", "co_return", "co_yield",
      "requires",
      // A namespace named main makes every program that includes it ill-formed.
      "main",
      // Object-like macros of the C library and of GCC's GNU dialects.
      "errno", "math_errhandling", "stdin", "stdout", "stderr", "linux", "unix", "i386"};
  for (const char* word : taken) {
    if (same_name(name, word)) {
      return false;
    }
  }
  if (name[0] == '_' && name[1] >= 'A' && name[1] <= 'Z') {
    return false;
  }
  bool has_lowercase = false;
  for (std::size_t i = 0; name[i] != '\0'; ++i) {
    has_lowercase = has_lowercase || (name[i] >= 'a' && name[i] <= 'z');
  }
  if (!has_lowercase) {
    return false;
  }
  std::size_t length = 0;
  for (; name[length] != '\0'; ++length) {
    if (name[length] == '_' && name[length + 1] == '_') {
      return false;
    }
  }
  return !(length >= 2 && name[length - 2] == '_' && name[length - 1] == 't');
}

// A comment naming parameter i's place, for example "layer 1 weight [0][2]" or "layer 2 bias [0]".
template <class Net, class Sink>
bool write_parameter_place(Sink& sink, std::size_t i) {
  std::size_t layer = 0;
  while (layer + 1 < Net::layer_count && i >= Net::layer_offsets[layer + 1]) {
    ++layer;
  }
  const std::size_t in_size = Net::widths[layer];
  const std::size_t offset = i - Net::layer_offsets[layer];
  const std::size_t weight_count = Net::widths[layer + 1] * in_size;
  bool stored = write_text(sink, "layer ") && write_number(sink, layer + 1);
  if (offset < weight_count) {
    return stored && write_text(sink, " weight [") && write_number(sink, offset / in_size) &&
           write_text(sink, "][") && write_number(sink, offset % in_size) && write_text(sink, "]");
  }
  return stored && write_text(sink, " bias [") && write_number(sink, offset - weight_count) &&
         write_text(sink, "]");
}

// The generated header's opening comment: name, shape, parameter count and training.
template <class Net, class Sink>
bool write_header_comment(Sink& sink, const char* name,
                          const TrainingInfo<typename Net::Scalar>& training) {
  bool stored = write_text(sink, "// ") && write_text(sink, name) &&
                write_text(sink, ": a staticmlp network written by write_cpp_header(); ") &&
                write_text(sink, "regenerate it rather than edit it.\n");

  stored = stored && write_text(sink, "// Shape ") && write_shape<Net>(sink) &&
           write_text(sink, " (") && write_text(sink, scalar_name<typename Net::Scalar>()) &&
           write_text(sink, "), ") && write_number(sink, Net::parameter_count) &&
           write_text(sink, " parameters.\n");

  if (training.recorded) {
    stored = stored && write_text(sink, "// Trained from seed ") &&
             write_number(sink, training.seed) && write_text(sink, " to a training MSE of ") &&
             write_number(sink, training.training_mse) && write_text(sink, ".\n");
  } else {
    stored = stored && write_text(sink, "// Training seed and MSE: not recorded.\n");
  }
  return stored && write_text(sink, "// The parameters are hexadecimal floating literals: ") &&
         write_text(sink, "the exact trained bits.\n");
}

// The generated header's code: namespace `name` with Net, parameters and network.
template <class Sink, class Net>
bool write_header_code(Sink& sink, const Net& net, const char* name) {
  bool stored = write_text(sink, "#pragma once\n\n#include <staticmlp/mlp.hpp>\n\n") &&
                write_text(sink, "namespace ") && write_text(sink, name) &&
                write_text(sink, " {\n\nusing Net =\n    ") && write_type<Net>(sink) &&
                write_text(sink, ";\n\n");

  stored = stored && write_text(sink, "inline constexpr Net::Parameters parameters = {{\n");
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    stored = stored && write_text(sink, "    ") && write_hex_literal(sink, net.parameters()[i]) &&
             write_text(sink, ",  // ") && write_parameter_place<Net>(sink, i) &&
             write_text(sink, "\n");
  }
  stored = stored && write_text(sink, "}};\n\n");

  return stored && write_text(sink, "inline constexpr Net network{parameters};\n\n") &&
         write_text(sink, "}  // namespace ") && write_text(sink, name) && write_text(sink, "\n");
}

}  // namespace detail

// Writes a header defining namespace `name` with Net (the type of `net`), parameters (a
// constexpr Net::Parameters of hexadecimal floating literals) and network (a constexpr Net built
// from them), and a comment with the shape, parameter count and `training`. Returns
// name_invalid unless `name` is a C++ identifier that may name a namespace,
// parameter_not_finite (index: the parameter) for an infinite or NaN parameter and
// output_failed when the sink fails.
template <class Sink, class Net>
Status write_cpp_header(Sink& sink, const Net& net, const char* name,
                        const TrainingInfo<typename Net::Scalar>& training = {}) {
  static_assert(is_mlp_v<Net>, "staticmlp: write_cpp_header() needs an Mlp");
  if (!detail::is_namespace_name(name)) {
    return make_status(StatusCode::name_invalid);
  }
  const Status finite = detail::check_parameters_finite(net.parameters());
  if (!finite.ok()) {
    return finite;
  }

  const bool stored = detail::write_header_comment<Net>(sink, name, training) &&
                      detail::write_header_code(sink, net, name);
  return stored ? ok_status() : make_status(StatusCode::output_failed);
}

// Writes `net` in the text model format (see the top of this header). Returns
// parameter_not_finite (index: the parameter) for an infinite or NaN parameter and
// output_failed when the sink fails.
template <class Sink, class Net>
Status save_parameters(Sink& sink, const Net& net) {
  static_assert(is_mlp_v<Net>, "staticmlp: save_parameters() needs an Mlp");
  const Status finite = detail::check_parameters_finite(net.parameters());
  if (!finite.ok()) {
    return finite;
  }
  bool stored = detail::write_model_header<Net>(sink) && write_text(sink, "\n");
  for (const auto value : net.parameters()) {
    stored = stored && write_number(sink, value) && write_text(sink, "\n");
  }
  stored = stored && write_text(sink, "checksum fnv1a64 ") &&
           detail::write_hex64(sink, detail::parameter_checksum(net.parameters())) &&
           write_text(sink, "\n");
  return stored ? ok_status() : make_status(StatusCode::output_failed);
}

namespace detail {

// Splits a source into lines of at most Capacity characters, without their "\n" or "\r\n".
template <class Source, std::size_t Capacity>
class LineReader {
 public:
  enum class End { newline, end_of_input, read_error };
  struct Line {
    const char* text;
    std::size_t size;
    bool too_long;  // the line has more than Capacity characters; `text` contains the first ones
    End end;
  };

  constexpr explicit LineReader(Source& source) : source_(source) {}

  // A line longer than Capacity comes back with too_long set as soon as that is known, with
  // `end` newline: every caller rejects such a line, so the rest of it (perhaps endless, as
  // from /dev/zero) is not read.
  constexpr Line next() {
    std::size_t size = 0;
    int c = get();
    while (c >= 0 && c != '\n') {
      if (size == Capacity) {
        return Line{line_.data(), size, true, End::newline};
      }
      line_[size++] = static_cast<char>(c);
      c = get();
    }
    if (c == '\n' && size > 0 && line_[size - 1] == '\r') {
      --size;
    }
    const End end =
        c == '\n' ? End::newline : (c == read_error ? End::read_error : End::end_of_input);
    return Line{line_.data(), size, false, end};
  }

  // True when at least one more character follows; false at the end of the input.
  constexpr bool more() {
    const int c = get();
    if (c >= 0) {
      --position_;
      return true;
    }
    return false;
  }

  constexpr bool failed() const { return failed_; }

 private:
  static constexpr int end_of_input = -1;
  static constexpr int read_error = -2;

  // The next character as 0..255, or end_of_input or read_error.
  constexpr int get() {
    if (position_ == size_) {
      if (done_) {
        return failed_ ? read_error : end_of_input;
      }
      size_ = source_.read(chunk_.data(), chunk_.size());
      position_ = 0;
      if (size_ < chunk_.size()) {
        done_ = true;
        failed_ = source_.failed();
      }
      if (size_ == 0) {
        return failed_ ? read_error : end_of_input;
      }
    }
    return static_cast<unsigned char>(chunk_[position_++]);
  }

  Source& source_;
  std::array<char, 256> chunk_{};
  std::size_t size_ = 0;
  std::size_t position_ = 0;
  bool done_ = false;
  bool failed_ = false;
  std::array<char, Capacity> line_{};
};

constexpr bool same_text(const char* a, std::size_t a_size, const char* b, std::size_t b_size) {
  if (a_size != b_size) {
    return false;
  }
  for (std::size_t i = 0; i < a_size; ++i) {
    if (a[i] != b[i]) {
      return false;
    }
  }
  return true;
}

constexpr bool starts_with(const char* text, std::size_t size, const char* prefix,
                           std::size_t length) {
  return size >= length && same_text(text, length, prefix, length);
}

constexpr bool starts_with(const char* text, std::size_t size, const char* prefix) {
  return starts_with(text, size, prefix, text_length(prefix));
}

// Checks the first line, "staticmlp VERSION TYPE SHAPE COUNT", against the network's.
template <class Net>
Status check_model_header(const char* line, std::size_t size, bool too_long) {
  std::array<const char*, 5> fields{};
  std::array<std::size_t, 5> sizes{};
  std::size_t field = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= size; ++i) {
    if (i < size && line[i] != ' ') {
      continue;
    }
    if (field == fields.size() || i == start) {
      return make_status(StatusCode::model_header_invalid, 1);
    }
    fields[field] = line + start;
    sizes[field] = i - start;
    ++field;
    start = i + 1;
  }
  if (field != fields.size() || !same_text(fields[0], sizes[0], "staticmlp", 9)) {
    return make_status(StatusCode::model_header_invalid, 1);
  }

  long long version = 0;
  const auto parsed = std::from_chars(fields[1], fields[1] + sizes[1], version);
  if (parsed.ec != std::errc() || parsed.ptr != fields[1] + sizes[1]) {
    return make_status(StatusCode::model_header_invalid, 1);
  }
  if (version != model_format_version) {
    return make_status(StatusCode::model_version_unsupported, 1, static_cast<double>(version));
  }

  const char* type = scalar_name<typename Net::Scalar>();
  if (!same_text(fields[2], sizes[2], type, text_length(type))) {
    return make_status(StatusCode::model_type_mismatch, 1);
  }

  BufferSink<shape_capacity<Net>> shape;
  static_cast<void>(write_shape<Net>(shape));
  if (!same_text(fields[3], sizes[3], shape.c_str(), shape.size())) {
    return make_status(StatusCode::model_shape_mismatch, 1);
  }
  // The count is written without sign or leading zeros. So "13x", "013", "13\r\r" or a number
  // cut off by the line's length is not a count at all.
  bool digits_only = sizes[4] > 0 && (fields[4][0] != '0' || sizes[4] == 1);
  for (std::size_t i = 0; i < sizes[4]; ++i) {
    digits_only = digits_only && fields[4][i] >= '0' && fields[4][i] <= '9';
  }
  if (too_long || !digits_only) {
    return make_status(StatusCode::model_header_invalid, 1);
  }
  BufferSink<20> count;
  static_cast<void>(write_number(count, Net::parameter_count));
  if (!same_text(fields[4], sizes[4], count.c_str(), count.size())) {
    double file_count = std::numeric_limits<double>::quiet_NaN();
    static_cast<void>(std::from_chars(fields[4], fields[4] + sizes[4], file_count));
    return make_status(StatusCode::model_count_mismatch, 1, file_count);
  }
  return ok_status();
}

// Checks "checksum fnv1a64 " followed by exactly 16 hexadecimal digits equal to `expected`.
constexpr bool checksum_matches(const char* line, std::size_t size, std::uint64_t expected) {
  constexpr const char* prefix = "checksum fnv1a64 ";
  const std::size_t length = text_length(prefix);
  if (size != length + 16 || !starts_with(line, size, prefix)) {
    return false;
  }
  std::uint64_t value = 0;
  for (std::size_t i = length; i < size; ++i) {
    const char c = line[i];
    std::uint64_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<std::uint64_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<std::uint64_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<std::uint64_t>(c - 'A' + 10);
    } else {
      return false;
    }
    value = value << 4 | digit;
  }
  return value == expected;
}

// Parses a whole line as one number; false when anything else is on it.
template <class T>
bool parse_value(const char* line, std::size_t size, T& value) {
  const auto parsed = std::from_chars(line, line + size, value, std::chars_format::general);
  return parsed.ec == std::errc() && parsed.ptr == line + size;
}

// Tells a number outside T's range (1e99 for float) from text that is not a number at all.
template <class T>
Status value_error(const char* line, std::size_t size, bool too_long, std::size_t line_number) {
  T ignored{};
  const auto parsed = std::from_chars(line, line + size, ignored, std::chars_format::general);
  if (too_long || parsed.ec != std::errc::result_out_of_range || parsed.ptr != line + size) {
    return make_status(StatusCode::model_value_invalid, line_number);
  }
  double wide = std::numeric_limits<double>::quiet_NaN();
  if (!parse_value(line, size, wide)) {
    wide = std::numeric_limits<double>::quiet_NaN();
  }
  return make_status(StatusCode::model_value_out_of_range, line_number, wide);
}

}  // namespace detail

// Reads the text model format (see the top of this header) from a character source and, only
// if all of it is valid, stores the parameters in `net`. Any failure leaves `net` unchanged
// and returns a model_* status whose index is the 1-based line, or input_read_failed.
template <class Source, class Net>
Status load_parameters(Source& source, Net& net) {
  static_assert(!std::is_const_v<Net>, "staticmlp: load_parameters() needs a non-const network");
  static_assert(is_mlp_v<std::remove_const_t<Net>>, "staticmlp: load_parameters() needs an Mlp");
  using T = typename Net::Scalar;
  // Long enough for the expected first line plus one character, so a longer line is detected.
  constexpr std::size_t capacity = detail::shape_capacity<Net> + 64;
  using Reader = detail::LineReader<Source, capacity>;
  Reader reader(source);

  auto line = reader.next();
  std::size_t line_number = 1;
  const auto unfinished = [&](const typename Reader::Line& current) -> Status {
    return make_status(current.end == Reader::End::read_error ? StatusCode::input_read_failed
                                                              : StatusCode::model_truncated,
                       line_number);
  };
  if (line.end != Reader::End::newline) {
    // A first line cut short of the header this network expects is a truncated file. One that
    // already differs from it ("hello") is not a model file, and the header check names why.
    BufferSink<capacity> expected;
    static_cast<void>(detail::write_model_header<Net>(expected));
    // A CRLF file cut between "\r" and "\n" ends in "\r", which the header lacks.
    const std::size_t size =
        line.size > 0 && line.text[line.size - 1] == '\r' ? line.size - 1 : line.size;
    if (line.end == Reader::End::read_error ||
        detail::starts_with(expected.c_str(), expected.size(), line.text, size)) {
      return unfinished(line);
    }
  }
  Status status = detail::check_model_header<Net>(line.text, line.size, line.too_long);
  if (!status.ok()) {
    return status;
  }

  typename Net::Parameters values{};
  std::size_t count = 0;
  for (;;) {
    line = reader.next();
    ++line_number;
    if (line.end != Reader::End::newline) {
      return unfinished(line);
    }
    if (!line.too_long && detail::starts_with(line.text, line.size, "checksum")) {
      break;
    }
    T value{};
    const bool parsed = !line.too_long && detail::parse_value(line.text, line.size, value);
    if (count == Net::parameter_count) {
      return parsed ? make_status(StatusCode::model_too_many_values, line_number,
                                  static_cast<double>(count + 1))
                    : make_status(StatusCode::model_checksum_mismatch, line_number);
    }
    if (!parsed) {
      return detail::value_error<T>(line.text, line.size, line.too_long, line_number);
    }
    if (!is_finite(value)) {
      return make_status(StatusCode::model_value_not_finite, line_number,
                         static_cast<double>(value));
    }
    values[count++] = value;
  }

  if (count < Net::parameter_count) {
    return make_status(StatusCode::model_too_few_values, line_number, static_cast<double>(count));
  }
  if (!detail::checksum_matches(line.text, line.size, detail::parameter_checksum(values))) {
    return make_status(StatusCode::model_checksum_mismatch, line_number);
  }
  if (reader.more()) {
    return make_status(StatusCode::model_trailing_data, line_number + 1);
  }
  if (reader.failed()) {
    return make_status(StatusCode::input_read_failed, line_number + 1);
  }
  net.parameters() = values;
  return ok_status();
}

inline constexpr std::uint32_t parameter_image_version = 1;

// Bytes of a network's binary parameter image (see the top of this header).
template <class Net>
inline constexpr std::size_t parameter_image_size =
    std::size_t{24} + Net::parameter_count * sizeof(typename Net::Scalar) + std::size_t{8};

namespace detail {

template <class Net>
std::uint64_t shape_hash() {
  Fnv1aSink sink;
  static_cast<void>(write_shape<Net>(sink));
  return sink.hash;
}

template <class Unsigned>
void store_little_endian(unsigned char* bytes, Unsigned value) {
  for (std::size_t i = 0; i < sizeof(Unsigned); ++i) {
    bytes[i] = static_cast<unsigned char>((value >> (8 * i)) & 0xffU);
  }
}

template <class Unsigned>
Unsigned load_little_endian(const unsigned char* bytes) {
  Unsigned value = 0;
  for (std::size_t i = 0; i < sizeof(Unsigned); ++i) {
    value = static_cast<Unsigned>(value | static_cast<Unsigned>(Unsigned{bytes[i]} << (8 * i)));
  }
  return value;
}

// The 24 header bytes this network's image starts with.
template <class Net>
std::array<unsigned char, 24> parameter_image_header() {
  std::array<unsigned char, 24> header{};
  header[0] = 'S';
  header[1] = 'M';
  header[2] = 'L';
  header[3] = 'P';
  store_little_endian(&header[4], parameter_image_version);
  store_little_endian(&header[8], static_cast<std::uint32_t>(sizeof(typename Net::Scalar)));
  store_little_endian(&header[12], static_cast<std::uint32_t>(Net::parameter_count));
  store_little_endian(&header[16], shape_hash<Net>());
  return header;
}

}  // namespace detail

// Writes the binary parameter image of `net` into bytes[0 .. parameter_image_size<Net>) and
// leaves the rest of the buffer alone. Returns image_too_small when `size` is smaller, and
// parameter_not_finite (index: the parameter) for an infinite or NaN parameter; either way
// nothing is written. The buffer may overlap `net`: the parameters are copied first.
template <class Net>
Status write_parameter_image(const Net& net, unsigned char* bytes, std::size_t size) {
  static_assert(is_mlp_v<Net>, "staticmlp: write_parameter_image() needs an Mlp");
  static_assert(Net::parameter_count <= 0xffffffffU,
                "staticmlp: a parameter image counts parameters in 32 bits");
  using T = typename Net::Scalar;
  constexpr std::size_t needed = parameter_image_size<Net>;
  if (size < needed) {
    return make_status(StatusCode::image_too_small, needed, static_cast<double>(size));
  }
  // A copy, because the first bytes written could be the network's own storage.
  const typename Net::Parameters values = net.parameters();
  const Status finite = detail::check_parameters_finite(values);
  if (!finite.ok()) {
    return finite;
  }
  const auto header = detail::parameter_image_header<Net>();
  for (std::size_t i = 0; i < header.size(); ++i) {
    bytes[i] = header[i];
  }
  unsigned char* place = bytes + header.size();
  for (const T value : values) {
    detail::store_little_endian(place, detail::bit_cast<detail::Bits<T>>(value));
    place += sizeof(T);
  }
  detail::store_little_endian(place, detail::parameter_checksum(values));
  return ok_status();
}

template <class Net, std::size_t Size>
Status write_parameter_image(const Net& net, std::array<unsigned char, Size>& bytes) {
  static_assert(Size >= parameter_image_size<Net>,
                "staticmlp: the array is smaller than parameter_image_size<Net>");
  return write_parameter_image(net, bytes.data(), Size);
}

// Reads a binary parameter image from bytes[0 .. size) and, only if it is valid, stores its
// parameters in `net`; bytes beyond the image are ignored. Returns, checked in this order,
// image_too_small, image_magic_invalid, image_version_unsupported, image_header_mismatch
// (index: the byte offset of the first field that is not this network's),
// image_checksum_mismatch or image_value_not_finite (index: the parameter).
template <class Net>
Status read_parameter_image(const unsigned char* bytes, std::size_t size, Net& net) {
  static_assert(!std::is_const_v<Net>,
                "staticmlp: read_parameter_image() needs a non-const network");
  static_assert(is_mlp_v<std::remove_const_t<Net>>,
                "staticmlp: read_parameter_image() needs an Mlp");
  using T = typename Net::Scalar;
  constexpr std::size_t needed = parameter_image_size<Net>;
  if (size < needed) {
    return make_status(StatusCode::image_too_small, needed, static_cast<double>(size));
  }

  const auto header = detail::parameter_image_header<Net>();
  for (std::size_t i = 0; i < 4; ++i) {
    if (bytes[i] != header[i]) {
      return make_status(StatusCode::image_magic_invalid);
    }
  }

  const auto version = detail::load_little_endian<std::uint32_t>(bytes + 4);
  if (version != parameter_image_version) {
    return make_status(StatusCode::image_version_unsupported, 0, static_cast<double>(version));
  }

  // Fields of 4 bytes, then the 8-byte shape hash: the status names the field's first byte.
  for (std::size_t i = 8; i < header.size(); ++i) {
    if (bytes[i] != header[i]) {
      return make_status(StatusCode::image_header_mismatch, i < 16 ? i - i % 4 : 16);
    }
  }

  typename Net::Parameters values{};
  const unsigned char* place = bytes + header.size();
  for (T& value : values) {
    value = detail::bit_cast<T>(detail::load_little_endian<detail::Bits<T>>(place));
    place += sizeof(T);
  }
  if (detail::load_little_endian<std::uint64_t>(place) != detail::parameter_checksum(values)) {
    return make_status(StatusCode::image_checksum_mismatch);
  }

  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!is_finite(values[i])) {
      return make_status(StatusCode::image_value_not_finite, i, static_cast<double>(values[i]));
    }
  }
  net.parameters() = values;
  return ok_status();
}

template <class Net, std::size_t Size>
Status read_parameter_image(const std::array<unsigned char, Size>& bytes, Net& net) {
  static_assert(Size >= parameter_image_size<std::remove_const_t<Net>>,
                "staticmlp: the array is smaller than parameter_image_size<Net>");
  return read_parameter_image(bytes.data(), Size, net);
}

}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
