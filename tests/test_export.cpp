// The text model format (save_parameters, load_parameters) and the C++ header export
// (write_cpp_header): exact round trips, all-or-nothing loading with a distinct status per
// fault, and independence from the process locale.
#include <catch2/catch.hpp>

#include <algorithm>
#include <charconv>
#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <locale>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include <staticmlp/io.hpp>
#include <staticmlp/staticmlp.hpp>

#include "test_support.hpp"

namespace {

namespace sm = staticmlp;
using test_support::Relu141;
using test_support::same_bits;
using Relu141Double = sm::Mlp<double, 1, sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;
using Mixed = sm::Mlp<double, 2, sm::Dense<3, sm::LeakyRelu<1, 10>>, sm::Dense<1, sm::Sigmoid>>;

// 13 values that stress shortest round-trip text: thirds, non-terminating binary fractions,
// negative zero, the smallest subnormal, the largest finite value and its negative.
template <class Net>
Net network_of_hard_values() {
  using T = typename Net::Scalar;
  using Limits = std::numeric_limits<T>;
  Net net;
  net.parameters() = {T(1) / T(3),   T(0.1),         -T(0),         Limits::denorm_min(),
                      Limits::max(), -Limits::max(), Limits::min(), -T(1) / T(3),
                      T(1),          T(-2.5),        T(0),          T(1e-7),
                      T(123456.789)};
  return net;
}

template <class Net>
std::string saved_text(const Net& net) {
  sm::BufferSink<4096> text;
  const sm::Status status = sm::save_parameters(text, net);
  REQUIRE(status.ok());
  return text.c_str();
}

template <class Net>
sm::Status load_text(const std::string& text, Net& net) {
  sm::TextSource source(text.data(), text.size());
  return sm::load_parameters(source, net);
}

template <class Net>
bool same_parameters(const Net& a, const Net& b) {
  for (std::size_t i = 0; i < Net::parameter_count; ++i) {
    if (!same_bits(a.parameters()[i], b.parameters()[i])) {
      return false;
    }
  }
  return true;
}

std::string description(const sm::Status& status) {
  return sm::describe(status).c_str();
}

// The text with line `line` (1-based) replaced by `replacement`, which may hold several lines
// or none; each line of `replacement` ends in '\n'.
std::string replace_line(const std::string& text, std::size_t line,
                         const std::string& replacement) {
  std::size_t start = 0;
  for (std::size_t i = 1; i < line; ++i) {
    start = text.find('\n', start) + 1;
  }
  const std::size_t end = text.find('\n', start) + 1;
  return text.substr(0, start) + replacement + text.substr(end);
}

// Loads `text` into a trained 1-4-1 network and checks that it failed with `code` at `line`
// and left every parameter and a prediction as they were.
void check_rejected(const std::string& text, sm::StatusCode code, std::size_t line) {
  const Relu141 original = sm::initialized<Relu141>(7);
  Relu141 net = original;
  const sm::Status status = load_text(text, net);
  INFO(description(status));
  CHECK(status.code == code);
  CHECK(status.index == line);
  CHECK(same_parameters(net, original));
  CHECK(same_bits(net.predict({0.25f})[0], original.predict({0.25f})[0]));
}

// FNV-1a (64 bit) over the parameters' bytes in memory: on a little-endian host these are the
// bytes that the format hashes, least significant first.
template <class Net>
std::uint64_t fnv1a_of_memory(const Net& net) {
  unsigned char bytes[sizeof(typename Net::Parameters)] = {};
  std::memcpy(bytes, net.parameters().data(), sizeof bytes);
  std::uint64_t hash = 14695981039346656037ULL;  // FNV offset basis
  for (const unsigned char byte : bytes) {
    hash = (hash ^ byte) * 1099511628211ULL;  // FNV prime
  }
  return hash;
}

// A source whose read fails after two lines.
class FailingSource {
 public:
  std::size_t read(char* data, std::size_t size) { return source_.read(data, size); }
  bool failed() const { return true; }

 private:
  sm::TextSource source_{"staticmlp 1 float 1-4relu-1identity 13\n0.5\n"};
};

// A source that never ends: `first` once, then `filler` for ever. It counts what it gave.
class EndlessSource {
 public:
  EndlessSource(std::string first, char filler) : first_(std::move(first)), filler_(filler) {}
  std::size_t read(char* data, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) {
      data[i] = given_ < first_.size() ? first_[given_] : filler_;
      ++given_;
    }
    return size;
  }
  bool failed() const { return false; }
  std::size_t given() const { return given_; }

 private:
  std::string first_;
  char filler_;
  std::size_t given_ = 0;
};

}  // namespace

TEST_CASE("load_parameters stops at an overlong line", "[export]") {
  // Like /dev/zero, or a value line of endless digits: the loader must give up after about
  // one line's capacity, not read for ever.
  Relu141 net = sm::initialized<Relu141>(7);
  const Relu141 original = net;
  EndlessSource zeros("", '\0');
  const sm::Status endless_header = sm::load_parameters(zeros, net);
  CHECK(endless_header.code == sm::StatusCode::model_header_invalid);
  CHECK(zeros.given() < 4096);
  EndlessSource digits("staticmlp 1 float 1-4relu-1identity 13\n1", '1');
  const sm::Status endless_value = sm::load_parameters(digits, net);
  CHECK(endless_value.code == sm::StatusCode::model_value_invalid);
  CHECK(endless_value.index == 2);
  CHECK(digits.given() < 4096);
  CHECK(same_parameters(net, original));
}

TEST_CASE("save_parameters first line names format, type, shape, count", "[export]") {
  const std::string text = saved_text(sm::initialized<Relu141>(1));
  CHECK(text.substr(0, text.find('\n')) == "staticmlp 1 float 1-4relu-1identity 13");
  const std::string mixed = saved_text(sm::initialized<Mixed>(1));
  // 2 inputs; 3 * 2 + 3 = 9 and 1 * 3 + 1 = 4 parameters, 13 in all.
  CHECK(mixed.substr(0, mixed.find('\n')) == "staticmlp 1 double 2-3leaky_relu(1/10)-1sigmoid 13");
}

TEST_CASE("save_parameters writes one shortest value per line", "[export]") {
  const std::string text = saved_text(network_of_hard_values<Relu141>());
  // Line 1 is the header, lines 2 to 14 the values, line 15 the checksum.
  CHECK(text.find("\n0.33333334\n0.1\n-0\n1e-45\n3.4028235e+38\n") != std::string::npos);
  CHECK(std::count(text.begin(), text.end(), '\n') == 15);
}

TEST_CASE("save_parameters checksum is FNV-1a of the parameter bytes", "[export]") {
  const Relu141 net = network_of_hard_values<Relu141>();
  const std::string text = saved_text(net);
  char expected[40] = {};
  std::snprintf(expected, sizeof expected, "checksum fnv1a64 %016llx\n",
                static_cast<unsigned long long>(fnv1a_of_memory(net)));
  CHECK(text.substr(text.rfind("checksum")) == expected);
}

TEMPLATE_TEST_CASE("save then load round trips every bit", "[export]", Relu141, Relu141Double) {
  const TestType original = network_of_hard_values<TestType>();
  TestType loaded;
  const sm::Status status = load_text(saved_text(original), loaded);
  INFO(description(status));
  REQUIRE(status.ok());
  for (std::size_t i = 0; i < TestType::parameter_count; ++i) {
    INFO("parameter " << i);
    CHECK(same_bits(loaded.parameters()[i], original.parameters()[i]));
  }
  CHECK(std::signbit(loaded.parameters()[2]));
}

TEST_CASE("load_parameters twice equals once", "[export]") {
  const std::string text = saved_text(network_of_hard_values<Relu141>());
  Relu141 once;
  Relu141 twice;
  REQUIRE(load_text(text, once).ok());
  REQUIRE(load_text(text, twice).ok());
  REQUIRE(load_text(text, twice).ok());
  CHECK(same_parameters(once, twice));
}

TEST_CASE("load_parameters reads CRLF line ends", "[export]") {
  std::string text = saved_text(network_of_hard_values<Relu141>());
  std::string crlf;
  for (const char c : text) {
    crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  }
  Relu141 net;
  REQUIRE(load_text(crlf, net).ok());
  CHECK(same_parameters(net, network_of_hard_values<Relu141>()));
}

TEST_CASE("load_parameters with 12 of 13 values", "[export]") {
  const std::string text = replace_line(saved_text(network_of_hard_values<Relu141>()), 14, "");
  // The checksum line moves up to line 14, after 12 values.
  check_rejected(text, sm::StatusCode::model_too_few_values, 14);
  Relu141 net;
  const sm::Status status = load_text(text, net);
  CHECK(status.value == 12.0);
  CHECK(description(status).find("(line 14, values read 12)") != std::string::npos);
}

TEST_CASE("load_parameters with a value added", "[export]") {
  const std::string text = saved_text(network_of_hard_values<Relu141>());
  const std::string fourteen =
      replace_line(text, 15, "0.5\n" + text.substr(text.rfind("checksum")));
  check_rejected(fourteen, sm::StatusCode::model_too_many_values, 15);
  check_rejected(text + "0.5\n", sm::StatusCode::model_trailing_data, 16);
}

TEST_CASE("load_parameters with the file cut short", "[export]") {
  const std::string text = saved_text(network_of_hard_values<Relu141>());
  // Cut by one byte: the checksum line, line 15, loses its newline.
  check_rejected(text.substr(0, text.size() - 1), sm::StatusCode::model_truncated, 15);
  // Cut after the 13th value: line 15 is missing.
  check_rejected(text.substr(0, text.rfind("checksum")), sm::StatusCode::model_truncated, 15);
  check_rejected(text.substr(0, 20), sm::StatusCode::model_truncated, 1);
  check_rejected("", sm::StatusCode::model_truncated, 1);
  // A short file that is not the start of this network's header is no model file at all.
  check_rejected("hello", sm::StatusCode::model_header_invalid, 1);
  check_rejected("staticmlp 1 float 1-4relu-1identity 13\r", sm::StatusCode::model_truncated, 1);
  check_rejected("staticmlp 1 double", sm::StatusCode::model_header_invalid, 1);
  check_rejected("staticmlp 1 float 1-4tanh-1identity 13", sm::StatusCode::model_shape_mismatch,
                 1);
}

TEST_CASE("load_parameters rejects a wrong first line", "[export]") {
  const std::string text = saved_text(network_of_hard_values<Relu141>());
  const auto with_header = [&](const std::string& header) {
    return replace_line(text, 1, header + "\n");
  };
  check_rejected(with_header("hello"), sm::StatusCode::model_header_invalid, 1);
  check_rejected(with_header("staticmlp 1 float 1-4relu-1identity"),
                 sm::StatusCode::model_header_invalid, 1);
  check_rejected(with_header("staticmlp 1  float 1-4relu-1identity 13"),
                 sm::StatusCode::model_header_invalid, 1);
  check_rejected(with_header("staticmlp 2 float 1-4relu-1identity 13"),
                 sm::StatusCode::model_version_unsupported, 1);
  check_rejected(with_header("staticmlp 1 double 1-4relu-1identity 13"),
                 sm::StatusCode::model_type_mismatch, 1);
  check_rejected(with_header("staticmlp 1 float 1-4tanh-1identity 13"),
                 sm::StatusCode::model_shape_mismatch, 1);
  check_rejected(with_header("staticmlp 1 float 1-4relu-1identity 14"),
                 sm::StatusCode::model_count_mismatch, 1);
  check_rejected(with_header("staticmlp 1 float 1-4relu-1identity 13 " + std::string(400, 'x')),
                 sm::StatusCode::model_header_invalid, 1);
  // A count that is not plain decimal digits is no count: not a mismatch "of 13".
  for (const std::string count : {"13x", "013", "+13", "13\r\r", "1 3", ""}) {
    INFO("count '" << count << "'");
    check_rejected(with_header("staticmlp 1 float 1-4relu-1identity " + count),
                   sm::StatusCode::model_header_invalid, 1);
  }
  // The right shape with a count too long for the line is an invalid header, not another shape.
  check_rejected(with_header("staticmlp 1 float 1-4relu-1identity 13" + std::string(300, '0')),
                 sm::StatusCode::model_header_invalid, 1);
}

TEST_CASE("load_parameters names the wrong count", "[export]") {
  const std::string text = replace_line(saved_text(network_of_hard_values<Relu141>()), 1,
                                        "staticmlp 1 float 1-4relu-1identity 14\n");
  Relu141 net;
  const sm::Status status = load_text(text, net);
  CHECK(status.code == sm::StatusCode::model_count_mismatch);
  CHECK(status.value == 14.0);
  CHECK(std::string(sm::describe(status).c_str()).find("(line 1, count 14)") != std::string::npos);
}

TEST_CASE("load_parameters tells out of range from invalid", "[export]") {
  const std::string text = saved_text(network_of_hard_values<Relu141>());
  Relu141 net;
  // 1e99 is a decimal number, but beyond float's maximum of about 3.4e38.
  const sm::Status too_large = load_text(replace_line(text, 4, "1e99\n"), net);
  CHECK(too_large.code == sm::StatusCode::model_value_out_of_range);
  CHECK(too_large.index == 4);
  CHECK(too_large.value == 1e99);
  // 1e-50 is below float's smallest subnormal, about 1.4e-45.
  const sm::Status too_small = load_text(replace_line(text, 4, "1e-50\n"), net);
  CHECK(too_small.code == sm::StatusCode::model_value_out_of_range);
  CHECK(too_small.value == 1e-50);
  CHECK(std::string(sm::describe(too_small).c_str()).find("(line 4, value 1e-50)") !=
        std::string::npos);
  // 1e-400 is beyond even double: the description names the line, not a NaN the file lacks.
  const sm::Status beyond_double = load_text(replace_line(text, 4, "1e-400\n"), net);
  CHECK(beyond_double.code == sm::StatusCode::model_value_out_of_range);
  const std::string beyond_text = sm::describe(beyond_double).c_str();
  CHECK(beyond_text.find("(line 4)") != std::string::npos);
  CHECK(beyond_text.find("nan") == std::string::npos);
  CHECK(load_text(replace_line(text, 4, "1e99x\n"), net).code ==
        sm::StatusCode::model_value_invalid);
}

TEST_CASE("load_parameters rejects a network of another type", "[export]") {
  const std::string text = saved_text(network_of_hard_values<Relu141>());
  Relu141Double wrong_type;
  CHECK(load_text(text, wrong_type).code == sm::StatusCode::model_type_mismatch);
  sm::Mlp<float, 1, sm::Dense<3, sm::Relu>, sm::Dense<1, sm::Identity>> wrong_shape;
  CHECK(load_text(text, wrong_shape).code == sm::StatusCode::model_shape_mismatch);
}

TEST_CASE("load_parameters rejects a bad value line", "[export]") {
  const std::string text = saved_text(network_of_hard_values<Relu141>());
  // Line 3 is the second parameter.
  check_rejected(replace_line(text, 3, "0,1\n"), sm::StatusCode::model_value_invalid, 3);
  check_rejected(replace_line(text, 3, "\n"), sm::StatusCode::model_value_invalid, 3);
  check_rejected(replace_line(text, 3, " 0.1\n"), sm::StatusCode::model_value_invalid, 3);
  check_rejected(replace_line(text, 3, "0.1 \n"), sm::StatusCode::model_value_invalid, 3);
  check_rejected(replace_line(text, 3, "0x1p-3\n"), sm::StatusCode::model_value_invalid, 3);
  // 1e999 is a number, but beyond even double: out of range, with a NaN value.
  check_rejected(replace_line(text, 3, "1e999\n"), sm::StatusCode::model_value_out_of_range, 3);
  check_rejected(replace_line(text, 3, std::string(300, '1') + "\n"),
                 sm::StatusCode::model_value_invalid, 3);
  check_rejected(replace_line(text, 3, "inf\n"), sm::StatusCode::model_value_not_finite, 3);
  check_rejected(replace_line(text, 3, "-nan\n"), sm::StatusCode::model_value_not_finite, 3);
}

TEST_CASE("load_parameters rejects a bad checksum", "[export]") {
  const std::string text = saved_text(network_of_hard_values<Relu141>());
  // 0.10000001 is a valid float one ulp above 0.1, so only the checksum can catch it.
  check_rejected(replace_line(text, 3, "0.10000001\n"), sm::StatusCode::model_checksum_mismatch,
                 15);
  check_rejected(replace_line(text, 15, "checksum fnv1a64 0\n"),
                 sm::StatusCode::model_checksum_mismatch, 15);
  check_rejected(replace_line(text, 15, "garbage\n"), sm::StatusCode::model_checksum_mismatch, 15);
}

TEST_CASE("load_parameters accepts the same value in other text", "[export]") {
  const std::string text = saved_text(network_of_hard_values<Relu141>());
  // 0.1000000000 and 1e-1 parse to the same float as 0.1, so the checksum still matches.
  Relu141 net;
  CHECK(load_text(replace_line(text, 3, "0.1000000000\n"), net).ok());
  CHECK(load_text(replace_line(text, 3, "1e-1\n"), net).ok());
}

TEST_CASE("load_parameters reports a failing source", "[export]") {
  FailingSource source;
  const Relu141 original = sm::initialized<Relu141>(7);
  Relu141 net = original;
  const sm::Status status = sm::load_parameters(source, net);
  CHECK(status.code == sm::StatusCode::input_read_failed);
  CHECK(status.index == 3);
  CHECK(same_parameters(net, original));
}

TEST_CASE("save_parameters rejects a non-finite parameter", "[export]") {
  Relu141 net = sm::initialized<Relu141>(1);
  net.parameters()[2] = std::numeric_limits<float>::infinity();
  sm::BufferSink<4096> text;
  const sm::Status status = sm::save_parameters(text, net);
  CHECK(status.code == sm::StatusCode::parameter_not_finite);
  CHECK(status.index == 2);
  CHECK(text.size() == 0);
  CHECK(std::string(sm::describe(status).c_str()).find("(parameter 2, value inf)") !=
        std::string::npos);
}

TEST_CASE("save_parameters reports a full sink", "[export]") {
  sm::BufferSink<40> text;
  CHECK(sm::save_parameters(text, sm::initialized<Relu141>(1)).code ==
        sm::StatusCode::output_failed);
}

TEST_CASE("save and load through files and streams", "[export]") {
  const Relu141 original = network_of_hard_values<Relu141>();
  const char* directory = std::getenv("TMPDIR");
  const std::string path =
      std::string(directory != nullptr ? directory : "/tmp") + "/staticmlp_test_export_model.txt";
  REQUIRE(sm::write_file(path.c_str(), [&](auto& sink) {
            return sm::save_parameters(sink, original);
          }).ok());
  Relu141 from_file;
  const sm::Status read = sm::read_file(
      path.c_str(), [&](auto& source) { return sm::load_parameters(source, from_file); });
  std::remove(path.c_str());
  CHECK(read.ok());
  CHECK(same_parameters(from_file, original));

  std::istringstream stream(saved_text(original));
  sm::StreamSource source(stream);
  Relu141 from_stream;
  CHECK(sm::load_parameters(source, from_stream).ok());
  CHECK(same_parameters(from_stream, original));

  Relu141 untouched;
  CHECK(sm::read_file((path + ".missing").c_str(), [&](auto& missing) {
          return sm::load_parameters(missing, untouched);
        }).code == sm::StatusCode::file_not_readable);
}

TEST_CASE("decimal-comma locale changes neither writing nor reading", "[export]") {
  const Relu141 original = network_of_hard_values<Relu141>();
  const std::string in_c_locale = saved_text(original);
  if (std::setlocale(LC_ALL, "de_DE.UTF-8") == nullptr) {
    WARN("locale de_DE.UTF-8 is not installed (locale-gen de_DE.UTF-8): test skipped");
    return;
  }
  try {
    std::locale::global(std::locale("de_DE.UTF-8"));
  } catch (const std::runtime_error&) {
    // The C locale is set; the C++ global locale stays classic.
  }
  const bool decimal_comma = std::strcmp(std::localeconv()->decimal_point, ",") == 0;
  const std::string in_german_locale = saved_text(original);
  Relu141 loaded;
  const sm::Status status = load_text(in_c_locale, loaded);
  std::locale::global(std::locale::classic());
  std::setlocale(LC_ALL, "C");
  REQUIRE(decimal_comma);
  CHECK(in_german_locale == in_c_locale);
  CHECK(status.ok());
  CHECK(same_parameters(loaded, original));
}

TEST_CASE("write_cpp_header writes every parameter as an exact hex literal", "[export]") {
  const Relu141 net = network_of_hard_values<Relu141>();
  sm::BufferSink<8192> header;
  REQUIRE(sm::write_cpp_header(header, net, "hard_values").ok());
  const std::string text = header.c_str();
  std::size_t position = text.find("parameters = {{\n");
  REQUIRE(position != std::string::npos);
  for (std::size_t i = 0; i < Relu141::parameter_count; ++i) {
    INFO("parameter " << i);
    position = text.find('\n', position) + 1;
    // A line reads "    -0x1.8p+0f,  // layer 1 weight [0][0]".
    const std::size_t start = text.find_first_not_of(' ', position);
    const bool negative = text[start] == '-';
    const std::size_t digits = start + (negative ? 3 : 2);
    REQUIRE(text.compare(start + (negative ? 1 : 0), 2, "0x") == 0);
    const std::size_t suffix = text.find("f,", digits);
    float value = 0;
    const auto parsed =
        std::from_chars(text.data() + digits, text.data() + suffix, value, std::chars_format::hex);
    CHECK(parsed.ptr == text.data() + suffix);
    CHECK(same_bits(negative ? -value : value, net.parameters()[i]));
  }
}

TEST_CASE("write_cpp_header comment names shape, count, seed and MSE", "[export]") {
  const Mixed net = sm::initialized<Mixed>(3);
  sm::BufferSink<8192> header;
  REQUIRE(sm::write_cpp_header(header, net, "mixed", sm::training_info<double>(3, 0.25)).ok());
  const std::string text = header.c_str();
  CHECK(text.find("// Shape 2-3leaky_relu(1/10)-1sigmoid (double), 13 parameters.\n") !=
        std::string::npos);
  CHECK(text.find("// Trained from seed 3 to a training MSE of 0.25.\n") != std::string::npos);
  CHECK(text.find("namespace mixed {") != std::string::npos);
  CHECK(text.find("staticmlp::Mlp<double, 2, staticmlp::Dense<3, staticmlp::LeakyRelu<1, 10>>, "
                  "staticmlp::Dense<1, staticmlp::Sigmoid>>;") != std::string::npos);
  // Doubles carry no 'f' suffix; the last parameter is layer 2's bias.
  CHECK(text.find("0x0p+0,  // layer 2 bias [0]\n") != std::string::npos);

  sm::BufferSink<8192> unrecorded;
  REQUIRE(sm::write_cpp_header(unrecorded, net, "mixed").ok());
  CHECK(std::string(unrecorded.c_str()).find("not recorded") != std::string::npos);
}

TEST_CASE("write_cpp_header rejects bad names and values", "[export]") {
  Relu141 net = sm::initialized<Relu141>(1);
  sm::BufferSink<8192> header;
  CHECK(sm::write_cpp_header(header, net, "").code == sm::StatusCode::name_invalid);
  CHECK(sm::write_cpp_header(header, net, "1net").code == sm::StatusCode::name_invalid);
  CHECK(sm::write_cpp_header(header, net, "sine-relu").code == sm::StatusCode::name_invalid);
  // Identifiers that cannot name the generated namespace, each into a fresh buffer.
  const auto status_for = [&](const char* name) {
    sm::BufferSink<8192> fresh;
    return sm::write_cpp_header(fresh, net, name);
  };
  for (const char* taken : {"int", "namespace", "std", "staticmlp", "__net", "_Net", "a__b",
                            "requires", "co_await", "main", "linux", "unix", "errno", "NULL",
                            "math_errhandling", "stdin", "stdout", "stderr",
                            "SIZE_MAX", "INT64_MAX", "NET2", "_", "size_t", "uint64_t",
                            "int8_t", "ptrdiff_t", "max_align_t", "nullptr_t", "net_t"}) {
    INFO("name " << taken);
    CHECK(status_for(taken).code == sm::StatusCode::name_invalid);
  }
  CHECK(status_for("_net").ok());
  CHECK(status_for("integer").ok());
  CHECK(status_for("Net").ok());
  CHECK(status_for("linux_net").ok());
  CHECK(status_for("t").ok());
  CHECK(status_for("net_ts").ok());
  CHECK(sm::write_cpp_header(header, net, "_sine_relu2").ok());
  net.parameters()[12] = std::numeric_limits<float>::quiet_NaN();
  const sm::Status status = sm::write_cpp_header(header, net, "sine_relu");
  CHECK(status.code == sm::StatusCode::parameter_not_finite);
  CHECK(status.index == 12);
}

// ---------------------------------------------------------------- binary parameter images

using Line = sm::Mlp<float, 1, sm::Dense<1, sm::Identity>>;

TEST_CASE("parameter image of a line has the documented bytes", "[export][image]") {
  static_assert(sm::parameter_image_size<Line> == 40, "24 header bytes, 2 floats, 8 checksum");
  static_assert(sm::parameter_image_size<Relu141Double> == 24 + 13 * 8 + 8, "13 doubles");
  Line line;
  line.parameters() = {1.0f, -2.0f};
  std::array<unsigned char, 40> image{};
  REQUIRE(sm::write_parameter_image(line, image).ok());
  // Worked out with Python's struct module and a separate FNV-1a loop: the magic, version 1,
  // 4-byte scalars, 2 parameters, FNV-1a of "1-1identity", 1.0f and -2.0f little-endian, and
  // FNV-1a of those 8 bytes.
  const std::array<unsigned char, 40> expected = {
      0x53, 0x4d, 0x4c, 0x50, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x02, 0x00,
      0x00, 0x00, 0xb4, 0x79, 0x59, 0x6b, 0xff, 0xa6, 0xc3, 0x62, 0x00, 0x00, 0x80, 0x3f,
      0x00, 0x00, 0x00, 0xc0, 0x58, 0x28, 0xa2, 0x2d, 0xee, 0xe9, 0x79, 0x09};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("byte " << i);
    CHECK(image[i] == expected[i]);
  }
}

TEST_CASE("parameter image round-trips exactly", "[export][image]") {
  const Relu141 original = network_of_hard_values<Relu141>();
  std::array<unsigned char, sm::parameter_image_size<Relu141> + 5> image{};
  image.fill(0xa5);
  REQUIRE(sm::write_parameter_image(original, image).ok());
  // Bytes past the image are left alone, and reading ignores them.
  for (std::size_t i = sm::parameter_image_size<Relu141>; i < image.size(); ++i) {
    CHECK(image[i] == 0xa5);
  }
  Relu141 copy;
  REQUIRE(sm::read_parameter_image(image, copy).ok());
  CHECK(same_bits(copy.parameters(), original.parameters()));

  const Mixed mixed = sm::initialized<Mixed>(7);
  std::array<unsigned char, sm::parameter_image_size<Mixed>> mixed_image{};
  REQUIRE(sm::write_parameter_image(mixed, mixed_image).ok());
  Mixed mixed_copy;
  REQUIRE(sm::read_parameter_image(mixed_image, mixed_copy).ok());
  CHECK(same_bits(mixed_copy.parameters(), mixed.parameters()));
}

TEST_CASE("parameter image write rejects and writes nothing", "[export][image]") {
  Relu141 net = sm::initialized<Relu141>(1);
  std::array<unsigned char, sm::parameter_image_size<Relu141>> image{};
  image.fill(0x5a);
  const sm::Status small = sm::write_parameter_image(net, image.data(), image.size() - 1);
  CHECK(small.code == sm::StatusCode::image_too_small);
  CHECK(small.index == sm::parameter_image_size<Relu141>);
  CHECK(small.value == static_cast<double>(image.size() - 1));
  CHECK(std::string(sm::describe(small).c_str()).find("(bytes needed 84, bytes given 83)") !=
        std::string::npos);
  // Byte counts read as whole numbers, not as 1e+06.
  const sm::Status large_count = sm::make_status(sm::StatusCode::image_too_small, 2000000, 1000000);
  CHECK(std::string(sm::describe(large_count).c_str())
            .find("(bytes needed 2000000, bytes given 1000000)") != std::string::npos);
  net.parameters()[6] = std::numeric_limits<float>::infinity();
  const sm::Status infinite = sm::write_parameter_image(net, image);
  CHECK(infinite.code == sm::StatusCode::parameter_not_finite);
  CHECK(infinite.index == 6);
  CHECK(std::all_of(image.begin(), image.end(), [](unsigned char b) { return b == 0x5a; }));
}

TEST_CASE("parameter image read names each fault", "[export][image]") {
  const Relu141 source = network_of_hard_values<Relu141>();
  std::array<unsigned char, sm::parameter_image_size<Relu141>> good{};
  REQUIRE(sm::write_parameter_image(source, good).ok());
  const Relu141 before = sm::initialized<Relu141>(3);

  const auto read_changed = [&](std::size_t byte, unsigned char value) {
    auto image = good;
    image[byte] = value;
    Relu141 net = before;
    const sm::Status status = sm::read_parameter_image(image, net);
    CHECK(same_bits(net.parameters(), before.parameters()));
    return status;
  };
  SECTION("too small") {
    Relu141 net = before;
    const sm::Status status = sm::read_parameter_image(good.data(), good.size() - 1, net);
    CHECK(status.code == sm::StatusCode::image_too_small);
    CHECK(same_bits(net.parameters(), before.parameters()));
  }
  SECTION("magic and version") {
    CHECK(read_changed(0, 0xff).code == sm::StatusCode::image_magic_invalid);
    CHECK(read_changed(3, 'p').code == sm::StatusCode::image_magic_invalid);
    const sm::Status version = read_changed(4, 2);
    CHECK(version.code == sm::StatusCode::image_version_unsupported);
    CHECK(version.value == 2.0);
    CHECK(std::string(sm::describe(version).c_str()).find("(version 2)") != std::string::npos);
    // Erased flash: every byte 0xff.
    std::array<unsigned char, sm::parameter_image_size<Relu141>> erased{};
    erased.fill(0xff);
    Relu141 net = before;
    CHECK(sm::read_parameter_image(erased, net).code == sm::StatusCode::image_magic_invalid);
    CHECK(same_bits(net.parameters(), before.parameters()));
  }
  SECTION("header fields") {
    // Scalar size, count and shape hash: the status names the field's first byte.
    const std::array<std::pair<std::size_t, std::size_t>, 4> changes = {
        {{8, 8}, {13, 12}, {16, 16}, {23, 16}}};
    for (const auto& [byte, field] : changes) {
      INFO("byte " << byte);
      const sm::Status status = read_changed(byte, static_cast<unsigned char>(good[byte] ^ 1));
      CHECK(status.code == sm::StatusCode::image_header_mismatch);
      CHECK(status.index == field);
    }
  }
  SECTION("a parameter byte") {
    const sm::Status status =
        read_changed(24 + 4 * 5 + 2, static_cast<unsigned char>(good[46] ^ 0x10));
    CHECK(status.code == sm::StatusCode::image_checksum_mismatch);
  }
  SECTION("a checksum byte") {
    const std::size_t last = good.size() - 1;
    CHECK(read_changed(last, static_cast<unsigned char>(good[last] ^ 0x80)).code ==
          sm::StatusCode::image_checksum_mismatch);
  }
}

TEST_CASE("parameter image rejects another network", "[export][image]") {
  std::array<unsigned char, sm::parameter_image_size<Relu141Double>> image{};
  REQUIRE(sm::write_parameter_image(network_of_hard_values<Relu141>(), image).ok());
  // Same count and scalar type, other activation: only the shape hash differs.
  using Tanh141 = sm::Mlp<float, 1, sm::Dense<4, sm::Tanh>, sm::Dense<1, sm::Identity>>;
  Tanh141 tanh_net;
  const sm::Status shape = sm::read_parameter_image(image, tanh_net);
  CHECK(shape.code == sm::StatusCode::image_header_mismatch);
  CHECK(shape.index == 16);
  // The float image is shorter than a double network's.
  Relu141Double wide;
  CHECK(sm::read_parameter_image(image.data(), sm::parameter_image_size<Relu141>, wide).code ==
        sm::StatusCode::image_too_small);
  // Given enough bytes, the scalar size differs first.
  const sm::Status type = sm::read_parameter_image(image, wide);
  CHECK(type.code == sm::StatusCode::image_header_mismatch);
  CHECK(type.index == 8);
}

TEST_CASE("parameter image rejects a non-finite value", "[export][image]") {
  // An image whose checksum matches a NaN parameter, as a faulty writer could produce.
  Relu141 net = sm::initialized<Relu141>(1);
  std::array<unsigned char, sm::parameter_image_size<Relu141>> image{};
  REQUIRE(sm::write_parameter_image(net, image).ok());
  auto values = net.parameters();
  values[9] = std::numeric_limits<float>::quiet_NaN();
  const std::uint32_t nan_bits = 0x7fc00000U;
  for (std::size_t i = 0; i < 4; ++i) {
    image[24 + 4 * 9 + i] = static_cast<unsigned char>(nan_bits >> (8 * i));
  }
  const std::uint64_t checksum = sm::detail::parameter_checksum(values);
  for (std::size_t i = 0; i < 8; ++i) {
    image[image.size() - 8 + i] = static_cast<unsigned char>(checksum >> (8 * i));
  }
  const Relu141 before = sm::initialized<Relu141>(4);
  Relu141 target = before;
  const sm::Status status = sm::read_parameter_image(image, target);
  CHECK(status.code == sm::StatusCode::image_value_not_finite);
  CHECK(status.index == 9);
  CHECK(same_bits(target.parameters(), before.parameters()));
}

TEST_CASE("parameter image may overlap the network", "[export][image]") {
  // The image written over the network's own storage: the header's 24 bytes replace the first
  // parameters before they would be read, unless the writer copies them first.
  const Relu141 trained = network_of_hard_values<Relu141>();
  std::array<unsigned char, sm::parameter_image_size<Relu141>> expected{};
  REQUIRE(sm::write_parameter_image(trained, expected).ok());
  alignas(Relu141) std::array<unsigned char, sm::parameter_image_size<Relu141>> page{};
  Relu141* in_page = new (page.data()) Relu141(trained);
  REQUIRE(sm::write_parameter_image(*in_page, page.data(), page.size()).ok());
  CHECK(page == expected);
}
