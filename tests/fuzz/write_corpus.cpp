// Writes the fuzz target's seed corpus into DIRECTORY: valid files for both fuzzed network
// types and broken variants of each fault the loader reports. Usage: write_corpus DIRECTORY
#include <cstdio>
#include <limits>
#include <string>

#include <staticmlp/staticmlp.hpp>

namespace sm = staticmlp;
using Relu141 = sm::Mlp<float, 1, sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;
using Mixed = sm::Mlp<double, 2, sm::Dense<3, sm::LeakyRelu<1, 10>>, sm::Dense<1, sm::Sigmoid>>;

namespace {

template <class Net>
std::string saved(const Net& net) {
  sm::BufferSink<8192> text;
  static_cast<void>(sm::save_parameters(text, net));
  return text.c_str();
}

bool write(const std::string& path, const std::string& text) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) {
    std::fprintf(stderr, "error: cannot create %s\n", path.c_str());
    return false;
  }
  const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  return std::fclose(file) == 0 && written;
}

std::string replace_line(const std::string& text, std::size_t line, const std::string& with) {
  std::size_t start = 0;
  for (std::size_t i = 1; i < line; ++i) {
    start = text.find('\n', start) + 1;
  }
  return text.substr(0, start) + with + text.substr(text.find('\n', start) + 1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_corpus DIRECTORY\n");
    return 2;
  }
  const std::string dir = std::string(argv[1]) + "/";
  Relu141 relu = sm::initialized<Relu141>(1);
  relu.parameters()[0] = -0.0f;
  relu.parameters()[1] = std::numeric_limits<float>::denorm_min();
  relu.parameters()[2] = std::numeric_limits<float>::max();
  relu.parameters()[3] = 0.1f;
  const std::string valid = saved(relu);
  const std::string checksum = valid.substr(valid.rfind("checksum"));

  const bool ok = write(dir + "valid_float.txt", valid) &&
                  write(dir + "valid_double.txt", saved(sm::initialized<Mixed>(2))) &&
                  write(dir + "too_few_values.txt", replace_line(valid, 14, "")) &&
                  write(dir + "too_many_values.txt", replace_line(valid, 15, "0.5\n" + checksum)) &&
                  write(dir + "cut_by_one_byte.txt", valid.substr(0, valid.size() - 1)) &&
                  write(dir + "trailing_data.txt", valid + "0.5\n") &&
                  write(dir + "bad_checksum.txt", replace_line(valid, 5, "0.10000001\n")) &&
                  write(dir + "not_finite.txt", replace_line(valid, 3, "nan\n")) &&
                  write(dir + "decimal_comma.txt", replace_line(valid, 5, "0,1\n")) &&
                  write(dir + "wrong_type.txt",
                        replace_line(valid, 1, "staticmlp 1 double 1-4relu-1identity 13\n")) &&
                  write(dir + "wrong_shape.txt",
                        replace_line(valid, 1, "staticmlp 1 float 1-3relu-1identity 10\n")) &&
                  write(dir + "wrong_version.txt",
                        replace_line(valid, 1, "staticmlp 9 float 1-4relu-1identity 13\n")) &&
                  write(dir + "crlf.txt", replace_line(valid, 2, "-0\r\n"));
  return ok ? 0 : 1;
}
