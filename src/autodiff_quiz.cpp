// The lecture's backpropagation quiz: records f(x, y, z) = log(x * y + z) on a tape, prints
// the compute graph and the backward pass node by node, and ends with the gradient.
// Usage: autodiff_quiz [X Y Z] [--dot FILE]. The point defaults to (1, 2, -1); --dot also
// writes the graph as Graphviz DOT text to FILE.
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>

#include <staticmlp/io.hpp>
#include <staticmlp/staticmlp.hpp>

#include "command_line.hpp"

namespace sm = staticmlp;

namespace {

enum class Parsed { number, not_a_number, out_of_range, not_finite };

// Parses a whole argument as a finite number.
Parsed parse_number(const char* text, double& number) {
  const char* end = text + std::strlen(text);
  const auto result = std::from_chars(text, end, number);
  if (result.ec == std::errc::result_out_of_range && result.ptr == end) {
    return Parsed::out_of_range;
  }
  if (result.ec != std::errc{} || result.ptr != end || result.ptr == text) {
    return Parsed::not_a_number;
  }
  return sm::is_finite(number) ? Parsed::number : Parsed::not_finite;
}

void print_usage(std::FILE* out = stderr) {
  std::fprintf(out,
               "usage: autodiff_quiz [X Y Z] [--dot FILE]\n"
               "  X Y Z       the point at which to differentiate log(x * y + z); "
               "default 1 2 -1\n"
               "  --dot FILE  also write the compute graph as Graphviz DOT text to FILE\n");
}

}  // namespace

int main(int argc, char** argv) {
  double point[3] = {1.0, 2.0, -1.0};
  const char* names[3] = {"x", "y", "z"};
  const char* dot_path = nullptr;
  int numbers_given = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      print_usage(stdout);
      return command_line::finish_output(0);
    }
    if (std::strcmp(argv[i], "--dot") == 0) {
      if (i + 1 >= argc || argv[i + 1][0] == '\0') {
        std::fprintf(stderr, "error: --dot needs a file name, for example --dot graph.dot\n");
        return 2;
      }
      // A value starting with '-' is an option given by mistake, never a file name.
      if (argv[i + 1][0] == '-') {
        std::fprintf(stderr, "error: invalid file name '%s' for --dot: it starts with '-'\n",
                     argv[i + 1]);
        return 2;
      }
      if (dot_path != nullptr) {
        std::fprintf(stderr, "error: --dot given twice ('%s' and '%s'): give it once\n",
                     dot_path, argv[i + 1]);
        return 2;
      }
      dot_path = argv[++i];
      continue;
    }
    const Parsed parsed = numbers_given < 3 ? parse_number(argv[i], point[numbers_given])
                                            : Parsed::not_a_number;
    if (parsed == Parsed::number) {
      ++numbers_given;
      continue;
    }
    if (numbers_given >= 3) {
      std::fprintf(stderr, "error: unexpected argument '%s': X Y Z are already given\n", argv[i]);
    } else if (parsed == Parsed::out_of_range) {
      std::fprintf(stderr, "error: %s = '%s' is out of the range of double\n",
                   names[numbers_given], argv[i]);
    } else if (parsed == Parsed::not_finite) {
      std::fprintf(stderr, "error: %s = '%s' is not finite: give a finite number\n",
                   names[numbers_given], argv[i]);
    } else {
      std::fprintf(stderr, "error: invalid argument '%s': expected a number for %s or --dot FILE\n",
                   argv[i], names[numbers_given]);
    }
    print_usage();
    return 2;
  }
  if (numbers_given != 0 && numbers_given != 3) {
    std::fprintf(stderr, "error: give all three of X Y Z, or none for the point (1, 2, -1)\n");
    print_usage();
    return 2;
  }

  sm::StreamSink out(std::cout);
  sm::write_text(out, "staticmlp autodiff quiz: f(x, y, z) = log(x * y + z) at (x, y, z) = (");
  for (int i = 0; i < 3; ++i) {
    sm::write_text(out, i == 0 ? "" : ", ");
    sm::write_number(out, point[i]);
  }
  sm::write_text(out, ")\n\ncompute graph, one node per line in recording order:\n");

  sm::Tape<double, 12> tape;
  const auto x = tape.variable(point[0], names[0]);
  const auto y = tape.variable(point[1], names[1]);
  const auto z = tape.variable(point[2], names[2]);
  const auto f = log(x * y + z);
  sm::Status status = sm::write_graph(out, tape);

  if (status.ok()) {
    sm::write_text(out, "\n");
    status = sm::write_trace(out, tape, f);
  }
  if (!status.ok()) {
    std::cout.flush();
    std::fprintf(stderr, "error: the backward pass failed: %s\n", sm::describe(status).c_str());
    if (status.code == sm::StatusCode::domain_error) {
      std::fprintf(stderr, "choose a point where x * y + z > 0 (here, in double, it is %g)\n",
                   point[0] * point[1] + point[2]);
    }
    return 1;
  }
  // A finite point can still overflow double (x = y = 1e200): report it rather than print NaN.
  const sm::Node<double, 12> checked[4] = {f, x, y, z};
  for (const auto& node : checked) {
    if (!sm::is_finite(tape.value(node)) || !sm::is_finite(tape.gradient(node))) {
      std::cout.flush();
      std::fprintf(stderr,
                   "error: the result is not finite at this point (f = %g): x * y + z "
                   "overflows or its gradient does; choose a smaller point\n",
                   tape.value(f));
      return 1;
    }
  }

  if (dot_path != nullptr) {
    const sm::Status written =
        sm::write_file(dot_path, [&](auto& sink) { return sm::write_dot(sink, tape); });
    if (!written.ok()) {
      std::cout.flush();
      std::fprintf(stderr, "error: cannot write %s: %s\n", dot_path, sm::describe(written).c_str());
      return 1;
    }
    sm::write_text(out, "\nwrote ");
    sm::write_text(out, dot_path);
    sm::write_text(out, " (draw it with: dot -Tsvg ");
    sm::write_text(out, dot_path);
    sm::write_text(out, " -o graph.svg)\n");
  }

  sm::write_text(out, "\ngradient (df/dx, df/dy, df/dz) = (");
  const sm::Node<double, 12> variables[3] = {x, y, z};
  for (int i = 0; i < 3; ++i) {
    sm::write_text(out, i == 0 ? "" : ", ");
    sm::write_number(out, tape.gradient(variables[i]));
  }
  sm::write_text(out, ")\n");
  // The output is buffered: only a flush shows whether a full disk or closed pipe lost it.
  if (!std::cout.flush()) {
    std::fprintf(stderr, "error: writing the results to standard output failed\n");
    return 1;
  }
  return 0;
}
