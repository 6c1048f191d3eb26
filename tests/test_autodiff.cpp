// Reverse-mode differentiation on the tape. Covers the lecture's quiz log(x*y+z) at compile
// time and at run time, shared nodes, every operation's local gradient, and domain and
// capacity failures. Checks the trace against a golden file and the DOT output, and checks
// the handwritten backpropagation of two networks against their loss recorded on a tape.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>

#include <staticmlp/io.hpp>
#include <staticmlp/staticmlp.hpp>

#include "test_support.hpp"

namespace sm = staticmlp;

namespace {

template <class T>
struct Evaluation {
  T value;
  std::array<T, 3> gradient;
  sm::StatusCode code;
  std::size_t failed_node;
};

// f(x, y, z) = log(x * y + z) and its gradient, at compile time or at run time.
template <class T>
constexpr Evaluation<T> quiz(T x_value, T y_value, T z_value) {
  sm::Tape<T, 16> tape;
  const auto x = tape.variable(x_value);
  const auto y = tape.variable(y_value);
  const auto z = tape.variable(z_value);
  const auto f = log(x * y + z);
  const sm::Status status = tape.backward(f);
  return {tape.value(f),
          {tape.gradient(x), tape.gradient(y), tape.gradient(z)},
          status.code,
          status.index};
}

// The README's example, with the status checked.
constexpr std::array<double, 3> quiz_gradient() {
  sm::Tape<double, 16> tape;
  auto x = tape.variable(1.0), y = tape.variable(2.0), z = tape.variable(-1.0);
  auto f = log(x * y + z);
  if (!tape.backward(f).ok()) {
    return {};
  }
  return {tape.gradient(x), tape.gradient(y), tape.gradient(z)};
}

// f = 3 x^2 a0 built with the shared node a = x * a0 read twice; returns {df/dx, df/da0}.
constexpr std::array<double, 2> shared_node_gradient(double x_value, double a0_value) {
  sm::Tape<double, 16> tape;
  const auto x = tape.variable(x_value);
  const auto a0 = tape.variable(a0_value);
  const auto a = x * a0;
  const auto f = x * a + (x * x) * a0 + x * a;
  if (!tape.backward(f).ok()) {
    return {};
  }
  return {tape.gradient(x), tape.gradient(a0)};
}

std::string read_text_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

std::string source_path(const std::string& relative) {
#ifdef STATICMLP_SOURCE_DIR
  return std::string(STATICMLP_SOURCE_DIR) + "/" + relative;
#else
  return relative;
#endif
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++count;
  }
  return count;
}

}  // namespace

// ---------------------------------------------------------------- the quiz

static_assert(quiz_gradient()[0] == 2.0, "df/dx = y / (x y + z) = 2 / 1");
static_assert(quiz_gradient()[1] == 1.0, "df/dy = x / (x y + z) = 1 / 1");
static_assert(quiz_gradient()[2] == 1.0, "df/dz = 1 / (x y + z) = 1 / 1");
static_assert(quiz(1.0, 2.0, -1.0).value == 0.0, "log(1 * 2 - 1) = log 1 = 0");
static_assert(quiz(1.0f, 2.0f, -1.0f).gradient[0] == 2.0f, "float gives the same gradient");

TEST_CASE("autodiff quiz at (1, 2, -1) at run time", "[autodiff]") {
  // Values the compiler cannot fold, so the tape runs at run time.
  volatile double inputs[3] = {1.0, 2.0, -1.0};
  const auto result = quiz<double>(inputs[0], inputs[1], inputs[2]);
  CHECK(result.code == sm::StatusCode::ok);
  CHECK(result.value == 0.0);        // log(1 * 2 - 1) = 0
  CHECK(result.gradient[0] == 2.0);  // y / 1
  CHECK(result.gradient[1] == 1.0);  // x / 1
  CHECK(result.gradient[2] == 1.0);  // 1 / 1
}

TEST_CASE("autodiff quiz at (2, 3, 1)", "[autodiff]") {
  // x y + z = 7, so f = ln 7 and the gradient is (y, x, 1) / 7 = (3/7, 2/7, 1/7).
  const auto result = quiz(2.0, 3.0, 1.0);
  CHECK(result.code == sm::StatusCode::ok);
  CHECK(result.value == Approx(std::log(7.0)).epsilon(1e-15));
  CHECK(result.gradient[0] == Approx(3.0 / 7.0).epsilon(1e-15));
  CHECK(result.gradient[1] == Approx(2.0 / 7.0).epsilon(1e-15));
  CHECK(result.gradient[2] == Approx(1.0 / 7.0).epsilon(1e-15));
}

TEST_CASE("autodiff quiz compile time equals run time", "[autodiff]") {
  constexpr auto at_compile_time = quiz(2.0, 3.0, 1.0);
  volatile double inputs[3] = {2.0, 3.0, 1.0};
  const auto at_run_time = quiz<double>(inputs[0], inputs[1], inputs[2]);
  CHECK(test_support::same_bits(at_compile_time.value, at_run_time.value));
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("gradient component " << i);
    CHECK(test_support::same_bits(at_compile_time.gradient[i], at_run_time.gradient[i]));
  }
}

// ---------------------------------------------------------------- shared nodes and repeats

static_assert(shared_node_gradient(1.0, 1.0)[0] == 6.0, "df/dx = 6 x a0");
static_assert(shared_node_gradient(1.0, 1.0)[1] == 3.0, "df/da0 = 3 x^2");

TEST_CASE("autodiff shared node accumulates", "[autodiff]") {
  // f = x (x a0) + (x x) a0 + x (x a0) = 3 x^2 a0, with a = x a0 read by two products.
  const auto at_one = shared_node_gradient(1.0, 1.0);
  CHECK(at_one[0] == 6.0);  // 6 x a0
  CHECK(at_one[1] == 3.0);  // 3 x^2
  const auto at_two_three = shared_node_gradient(2.0, 3.0);
  CHECK(at_two_three[0] == 36.0);  // 6 * 2 * 3
  CHECK(at_two_three[1] == 12.0);  // 3 * 2^2
}

TEST_CASE("autodiff variable read twice by one node", "[autodiff]") {
  // f = log(x^2 + x), f' = (2x + 1) / (x^2 + x) = 3 / 2 at x = 1.
  sm::Tape<double, 8> tape;
  const auto x = tape.variable(1.0);
  const auto f = log(x * x + x);
  REQUIRE(tape.backward(f).ok());
  CHECK(tape.value(f) == Approx(std::log(2.0)).epsilon(1e-15));
  CHECK(tape.gradient(x) == 1.5);
}

TEST_CASE("autodiff backward twice gives the same gradients", "[autodiff]") {
  // c = a + b = 5, e = c d = 5: de/da = d = 1, de/db = d = 1, de/dd = c = 5.
  sm::Tape<double, 8> tape;
  const auto a = tape.variable(3.0);
  const auto b = tape.variable(2.0);
  const auto d = tape.variable(1.0);
  const auto c = a + b;
  const auto e = c * d;
  for (int pass = 1; pass <= 2; ++pass) {
    INFO("pass " << pass);
    REQUIRE(tape.backward(e).ok());
    CHECK(tape.value(e) == 5.0);
    CHECK(tape.gradient(a) == 1.0);
    CHECK(tape.gradient(b) == 1.0);
    CHECK(tape.gradient(d) == 5.0);
    CHECK(tape.gradient(c) == 1.0);
  }
}

TEST_CASE("autodiff backward from an inner node", "[autodiff]") {
  // From c = a + b: dc/da = dc/db = 1, d and e do not take part, so their gradients are 0.
  sm::Tape<double, 8> tape;
  const auto a = tape.variable(3.0);
  const auto b = tape.variable(2.0);
  const auto d = tape.variable(4.0);
  const auto c = a + b;
  const auto e = c * d;
  REQUIRE(tape.backward(e).ok());
  REQUIRE(tape.backward(c).ok());
  CHECK(tape.gradient(a) == 1.0);
  CHECK(tape.gradient(b) == 1.0);
  CHECK(tape.gradient(d) == 0.0);
  CHECK(tape.gradient(e) == 0.0);
}

// ---------------------------------------------------------------- local gradients

namespace {
// d op(a)/da at a, from the tape.
template <class Function>
double tape_derivative(Function function, double a_value) {
  sm::Tape<double, 8> tape;
  const auto a = tape.variable(a_value);
  const auto f = function(a);
  return tape.backward(f).ok() ? tape.gradient(a) : std::numeric_limits<double>::quiet_NaN();
}
}  // namespace

TEST_CASE("autodiff unary local gradients", "[autodiff]") {
  using N = sm::Node<double, 8>;
  // exp' = exp, exp(0) = 1.
  CHECK(tape_derivative([](N a) { return exp(a); }, 0.0) == 1.0);
  CHECK(tape_derivative([](N a) { return exp(a); }, 0.5) == sm::exp(0.5));
  // tanh' = 1 - tanh^2: 1 at 0.
  CHECK(tape_derivative([](N a) { return tanh(a); }, 0.0) == 1.0);
  CHECK(tape_derivative([](N a) { return tanh(a); }, 0.5) ==
        Approx(1.0 - std::tanh(0.5) * std::tanh(0.5)).epsilon(1e-14));
  // sigmoid' = s (1 - s): 0.5 * 0.5 at 0.
  CHECK(tape_derivative([](N a) { return sigmoid(a); }, 0.0) == 0.25);
  // relu' = 1 above 0, else 0, and 0 at the kink as Relu::derivative.
  CHECK(tape_derivative([](N a) { return relu(a); }, 2.0) == 1.0);
  CHECK(tape_derivative([](N a) { return relu(a); }, -2.0) == 0.0);
  CHECK(tape_derivative([](N a) { return relu(a); }, 0.0) == 0.0);
  // log' = 1/a.
  CHECK(tape_derivative([](N a) { return log(a); }, 4.0) == 0.25);
  // -a: -1.
  CHECK(tape_derivative([](N a) { return -a; }, 3.0) == -1.0);
}

TEST_CASE("autodiff integer power local gradients", "[autodiff]") {
  using N = sm::Node<double, 8>;
  // (a^3)' = 3 a^2 = 12 at 2; (a^-2)' = -2 a^-3 = -0.25 at 2; (a^0)' = 0; (a^1)' = 1.
  CHECK(tape_derivative([](N a) { return pow(a, 3); }, 2.0) == 12.0);
  CHECK(tape_derivative([](N a) { return pow(a, -2); }, 2.0) == -0.25);
  CHECK(tape_derivative([](N a) { return pow(a, 0); }, 5.0) == 0.0);
  CHECK(tape_derivative([](N a) { return pow(a, 1); }, 5.0) == 1.0);

  sm::Tape<double, 8> tape;
  const auto a = tape.variable(-3.0);
  CHECK(tape.value(pow(a, 2)) == 9.0);
  CHECK(tape.value(pow(a, 3)) == -27.0);
  CHECK(tape.value(pow(a, 0)) == 1.0);
  CHECK(tape.value(pow(a, -1)) == Approx(-1.0 / 3.0).epsilon(1e-15));
}

TEST_CASE("autodiff binary local gradients", "[autodiff]") {
  sm::Tape<double, 16> tape;
  const auto a = tape.variable(3.0);
  const auto b = tape.variable(2.0);

  // d(a/b)/da = 1/b = 0.5; d(a/b)/db = -a/b^2 = -0.75.
  REQUIRE(tape.backward(a / b).ok());
  CHECK(tape.gradient(a) == 0.5);
  CHECK(tape.gradient(b) == -0.75);

  // d(a - b)/da = 1, d(a - b)/db = -1.
  REQUIRE(tape.backward(a - b).ok());
  CHECK(tape.gradient(a) == 1.0);
  CHECK(tape.gradient(b) == -1.0);

  // d(ab)/da = b = 2, d(ab)/db = a = 3.
  REQUIRE(tape.backward(a * b).ok());
  CHECK(tape.gradient(a) == 2.0);
  CHECK(tape.gradient(b) == 3.0);
}

TEST_CASE("autodiff number operands", "[autodiff]") {
  sm::Tape<double, 32> tape;
  const auto x = tape.variable(2.0);
  // 3x + 1 = 7, slope 3; 10 - x = 8, slope -1; 1/x = 0.5, slope -1/x^2 = -0.25;
  // x/4 = 0.5, slope 0.25; 1 + x = 3 and x - 1 = 1, slope 1; 5x = 10, slope 5.
  const std::array<sm::Node<double, 32>, 7> nodes = {x * 3.0 + 1.0, 10.0 - x, 1.0 / x, x / 4.0,
                                                     1.0 + x,       x - 1.0,  5.0 * x};
  const std::array<double, 7> values = {7.0, 8.0, 0.5, 0.5, 3.0, 1.0, 10.0};
  const std::array<double, 7> slopes = {3.0, -1.0, -0.25, 0.25, 1.0, 1.0, 5.0};
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    INFO("expression " << i);
    REQUIRE(tape.backward(nodes[i]).ok());
    CHECK(tape.value(nodes[i]) == values[i]);
    CHECK(tape.gradient(x) == slopes[i]);
  }
}

TEST_CASE("autodiff composite matches central differences", "[autodiff]") {
  // g(a, b) = tanh(exp(a) sigmoid(b)) / (1 + a^2) - log(b) a, checked against
  // (g(p + h) - g(p - h)) / 2h, whose error is about h^2 = 1e-10.
  const auto g = [](auto a, auto b) {
    return tanh(exp(a) * sigmoid(b)) / (1.0 + pow(a, 2)) - log(b) * a;
  };
  const auto value_at = [&](double a_value, double b_value) {
    sm::Tape<double, 32> tape;
    return tape.value(g(tape.variable(a_value), tape.variable(b_value)));
  };
  const double a0 = 0.3;
  const double b0 = 1.7;
  const double h = 1e-5;
  sm::Tape<double, 32> tape;
  const auto a = tape.variable(a0);
  const auto b = tape.variable(b0);
  REQUIRE(tape.backward(g(a, b)).ok());
  const double numeric_a = (value_at(a0 + h, b0) - value_at(a0 - h, b0)) / (2 * h);
  const double numeric_b = (value_at(a0, b0 + h) - value_at(a0, b0 - h)) / (2 * h);
  REQUIRE(std::fabs(numeric_a) > 0.1);  // a zero gradient cannot pass
  REQUIRE(std::fabs(numeric_b) > 0.1);
  CHECK(tape.gradient(a) == Approx(numeric_a).epsilon(1e-8));
  CHECK(tape.gradient(b) == Approx(numeric_b).epsilon(1e-8));
}

// ---------------------------------------------------------------- failures

TEST_CASE("autodiff log of a negative number names the node", "[autodiff]") {
  // At (1, 1, -2) the argument of log is 1 * 1 - 2 = -1; log is node 5 after x, y, z, x y, + z.
  const auto result = quiz(1.0, 1.0, -2.0);
  CHECK(result.code == sm::StatusCode::domain_error);
  CHECK(result.failed_node == 5);
  CHECK(std::isnan(result.value));
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("gradient component " << i);
    CHECK(std::isnan(result.gradient[i]));
  }

  // Nodes: 0 x, 1 the constant 1, 2 x * 1, 3 the constant 2, 4 x * 1 - 2 = -1, 5 log.
  sm::Tape<double, 8> tape;
  const auto x = tape.variable(1.0);
  const auto f = log(x * 1.0 - 2.0);
  const sm::Status status = tape.backward(f);
  CHECK(std::string(sm::describe(status).c_str()).find("(node 5, value -1)") != std::string::npos);
}

TEST_CASE("autodiff log of zero is a domain error", "[autodiff]") {
  sm::Tape<double, 8> tape;
  const auto x = tape.variable(0.0);
  const auto f = log(x);
  const sm::Status status = tape.status();
  CHECK(status.code == sm::StatusCode::domain_error);
  CHECK(status.index == 1);
  CHECK(std::isnan(tape.value(f)));
  CHECK(tape.backward(f).code == sm::StatusCode::domain_error);
  CHECK(std::isnan(tape.gradient(x)));
}

TEST_CASE("autodiff division by zero names the node", "[autodiff]") {
  // Nodes: 0 x, 1 y, 2 y - y = 0, 3 x / 0.
  sm::Tape<double, 8> tape;
  const auto x = tape.variable(1.0);
  const auto y = tape.variable(2.0);
  const auto f = x / (y - y);
  const sm::Status status = tape.backward(f);
  CHECK(status.code == sm::StatusCode::domain_error);
  CHECK(status.index == 3);
  CHECK(status.value == 0.0);
  CHECK(std::isnan(tape.value(f)));
  CHECK(std::isnan(tape.gradient(x)));
  CHECK(std::isnan(tape.gradient(y)));
}

TEST_CASE("autodiff zero to a negative power is a domain error", "[autodiff]") {
  sm::Tape<double, 8> tape;
  const auto x = tape.variable(0.0);
  const auto f = pow(x, -2);
  CHECK(tape.backward(f).code == sm::StatusCode::domain_error);
  CHECK(std::isnan(tape.gradient(x)));
}

TEST_CASE("autodiff rejects non-finite node values", "[autodiff]") {
  const double infinity = std::numeric_limits<double>::infinity();
  {
    // log(x * y + 1) with x = inf: df/dy would be inf / inf = NaN.
    sm::Tape<double, 16> tape;
    const auto x = tape.variable(infinity, "x");
    const auto y = tape.variable(2.0, "y");
    const auto f = log(x * y + 1.0);
    const sm::Status status = tape.backward(f);
    CHECK(status.code == sm::StatusCode::node_not_finite);
    CHECK(status.index == 0);
    CHECK(status.value == infinity);
    CHECK(std::isnan(tape.gradient(y)));
  }
  {
    // exp(1000) and 1e200 * 1e200 overflow double from finite operands.
    sm::Tape<double, 16> tape;
    const auto x = tape.variable(1000.0);
    const auto f = exp(x);
    const sm::Status status = tape.backward(f);
    CHECK(status.code == sm::StatusCode::node_not_finite);
    CHECK(status.index == 1);
    CHECK(std::string(sm::describe(status).c_str()).find("(node 1, value inf)") !=
          std::string::npos);
  }
  {
    sm::Tape<double, 16> tape;
    const auto x = tape.variable(1e200);
    const auto f = x * x;
    CHECK(tape.backward(f).code == sm::StatusCode::node_not_finite);
    CHECK(tape.status().index == 1);
  }
  {
    // A NaN constant operand is caught where it enters.
    sm::Tape<double, 16> tape;
    const auto x = tape.variable(1.0);
    const auto f = x * std::numeric_limits<double>::quiet_NaN();
    CHECK(tape.backward(f).code == sm::StatusCode::node_not_finite);
    CHECK(tape.status().index == 1);
  }
}

TEST_CASE("autodiff names an overflowing gradient", "[autodiff]") {
  // log at a subnormal number: the value, about -737, is finite, the slope 1 / x is not.
  // Nodes: 0 x, 1 y, 2 x * y, 3 log.
  sm::Tape<double, 8> tape;
  const auto x = tape.variable(1e-320);
  const auto y = tape.variable(1.0);
  const auto f = log(x * y);
  CHECK(tape.status().ok());
  const sm::Status status = tape.backward(f);
  CHECK(status.code == sm::StatusCode::gradient_not_finite);
  CHECK(status.index == 2);
  CHECK(std::isnan(tape.gradient(x)));
  CHECK(std::isnan(tape.gradient(y)));
  // A pass from a node whose gradients stay finite succeeds again.
  CHECK(tape.backward(y).ok());
  CHECK(tape.gradient(y) == 1.0);
}

TEST_CASE("autodiff failure poisons later values", "[autodiff]") {
  // relu and a^0 would turn a NaN operand into 0 and 1: after a failure they stay NaN.
  sm::Tape<double, 8> tape;
  const auto x = tape.variable(-1.0);
  const auto bad = log(x);
  CHECK(std::isnan(tape.value(relu(bad))));
  CHECK(std::isnan(tape.value(pow(bad, 0))));
  CHECK(std::isnan(tape.value(exp(bad))));
}

TEST_CASE("autodiff failure is kept and spoils unrelated gradients", "[autodiff]") {
  sm::Tape<double, 8> tape;
  const auto x = tape.variable(-1.0);
  static_cast<void>(log(x));
  const auto y = tape.variable(2.0);
  const auto g = y * y;
  CHECK(tape.backward(g).code == sm::StatusCode::domain_error);
  CHECK(tape.value(g) == 4.0);
  CHECK(std::isnan(tape.gradient(y)));
}

TEST_CASE("autodiff capacity exceeded at run time", "[autodiff]") {
  sm::Tape<double, 3> tape;
  const auto x = tape.variable(1.0);
  const auto y = tape.variable(2.0);
  const auto sum = x + y;  // node 2, the last that fits
  const auto f = sum * x;  // does not fit
  CHECK(tape.size() == 3);
  CHECK(tape.value(sum) == 3.0);
  CHECK(std::isnan(tape.value(f)));
  const sm::Status status = tape.backward(f);
  CHECK(status.code == sm::StatusCode::capacity_exceeded);
  CHECK(status.index == 3);
  CHECK(std::string(sm::describe(status).c_str()).find("(capacity 3)") != std::string::npos);
  CHECK(std::isnan(tape.gradient(x)));
}

TEST_CASE("autodiff node from another tape is rejected", "[autodiff]") {
  sm::Tape<double, 8> tape;
  sm::Tape<double, 8> other;
  const auto x = tape.variable(1.0);
  const auto y = other.variable(2.0);
  const auto f = x + y;
  CHECK(tape.status().code == sm::StatusCode::node_invalid);
  CHECK(std::isnan(tape.value(f)));
  CHECK(std::isnan(tape.value(y)));
  CHECK(tape.backward(x).code == sm::StatusCode::node_invalid);
  CHECK(other.status().ok());
}

TEST_CASE("autodiff backward on an empty node fails", "[autodiff]") {
  sm::Tape<double, 8> tape;
  const auto x = tape.variable(1.0);
  const sm::Node<double, 8> empty;
  CHECK(tape.backward(empty).code == sm::StatusCode::node_invalid);
  CHECK(std::isnan(tape.gradient(x)));
  // The failure of backward() is not kept: a valid output works again.
  REQUIRE(tape.backward(x).ok());
  CHECK(tape.gradient(x) == 1.0);
  // An operation on empty nodes alone has no tape to record on.
  CHECK(exp(empty).tape() == nullptr);
  CHECK(tape.size() == 1);
}

// ---------------------------------------------------------------- trace and graph

namespace {
struct QuizTape {
  sm::Tape<double, 8> tape;
  sm::Node<double, 8> f;
  QuizTape(double x_value, double y_value, double z_value) {
    const auto x = tape.variable(x_value, "x");
    const auto y = tape.variable(y_value, "y");
    const auto z = tape.variable(z_value, "z");
    f = log(x * y + z);
  }
};
}  // namespace

TEST_CASE("autodiff quiz trace matches the golden file", "[autodiff]") {
  const std::string path = source_path("tests/golden/autodiff_quiz_trace.txt");
  const std::string golden = read_text_file(path);
  REQUIRE_FALSE(golden.empty());

  QuizTape quiz_tape(1.0, 2.0, -1.0);
  std::ostringstream text;
  sm::StreamSink sink(text);
  REQUIRE(sm::write_trace(sink, quiz_tape.tape, quiz_tape.f).ok());
  INFO("to accept a new trace, write this text to " << path << ":\n" << text.str());
  CHECK(text.str() == golden);
}

TEST_CASE("autodiff graph lists nodes in recording order", "[autodiff]") {
  QuizTape quiz_tape(1.0, 2.0, -1.0);
  std::ostringstream text;
  sm::StreamSink sink(text);
  REQUIRE(sm::write_graph(sink, quiz_tape.tape).ok());
  CHECK(text.str() ==
        "#0 = x = 1\n"
        "#1 = y = 2\n"
        "#2 = z = -1\n"
        "#3 = x * y = 2\n"
        "#4 = #3 + z = 1\n"
        "#5 = log(#4) = 0\n");
}

TEST_CASE("autodiff trace of a failed pass writes nothing", "[autodiff]") {
  QuizTape quiz_tape(1.0, 1.0, -2.0);
  std::ostringstream text;
  sm::StreamSink sink(text);
  const sm::Status status = sm::write_trace(sink, quiz_tape.tape, quiz_tape.f);
  CHECK(status.code == sm::StatusCode::domain_error);
  CHECK(status.index == 5);
  CHECK(text.str().empty());
}

TEST_CASE("autodiff trace into a full sink fails", "[autodiff]") {
  QuizTape quiz_tape(1.0, 2.0, -1.0);
  sm::BufferSink<64> sink;
  CHECK(sm::write_trace(sink, quiz_tape.tape, quiz_tape.f).code == sm::StatusCode::output_failed);
  CHECK(sink.overflowed());
}

TEST_CASE("autodiff trace leaves out constants", "[autodiff]") {
  // f = 2 x at x = 3: the constant 2 is shown by value, with no line or gradient of its own.
  sm::Tape<double, 8> tape;
  const auto x = tape.variable(3.0, "x");
  const auto f = 2.0 * x;
  std::ostringstream text;
  sm::StreamSink sink(text);
  REQUIRE(sm::write_trace(sink, tape, f).ok());
  CHECK(text.str() ==
        "backward pass from f = #2, in reverse topological order\n"
        "#2 = 2 * x = 6\n"
        "  upstream    df/d#2 = 1\n"
        "  local       d#2/dx = 2\n"
        "  downstream  df/dx += 1 * 2 = 2\n"
        "#0 = x = 3\n"
        "  gradient    df/dx = 2\n");
}

TEST_CASE("autodiff DOT output is a graph", "[autodiff]") {
  QuizTape quiz_tape(1.0, 2.0, -1.0);
  REQUIRE(quiz_tape.tape.backward(quiz_tape.f).ok());
  std::ostringstream stream;
  sm::StreamSink sink(stream);
  REQUIRE(sm::write_dot(sink, quiz_tape.tape).ok());
  const std::string dot = stream.str();

  // The structure: one digraph, six nodes, five edges (x, y -> x*y; x*y, z -> +; + -> log).
  CHECK(dot.rfind("digraph tape {\n", 0) == 0);
  CHECK(dot.size() >= 2);
  CHECK(dot.substr(dot.size() - 2) == "}\n");
  CHECK(count_of(dot, "{") == 1);
  CHECK(count_of(dot, "}") == 1);
  CHECK(count_of(dot, "[shape=") == 6);
  CHECK(count_of(dot, " -> ") == 5);
  CHECK(count_of(dot, "\"") % 2 == 0);
  for (const char* edge : {"n0 -> n3;", "n1 -> n3;", "n3 -> n4;", "n2 -> n4;", "n4 -> n5;"}) {
    INFO("edge " << edge);
    CHECK(dot.find(edge) != std::string::npos);
  }
  CHECK(dot.find("label=\"#0 = x\\nvalue 1\\ngradient 2\"") != std::string::npos);

  // Graphviz itself, when installed (CI installs Debian's graphviz).
  if (std::system("command -v dot >/dev/null 2>&1") != 0) {
    WARN("dot not found: install Debian's graphviz to let Graphviz parse the output");
    return;
  }
  const auto folder = std::filesystem::temp_directory_path();
  // A random name, so that test runs in parallel (g++ and clang++ builds) do not collide.
  const std::string stem = "staticmlp_autodiff_" + std::to_string(std::random_device{}());
  const std::string dot_path = (folder / (stem + ".dot")).string();
  const std::string svg_path = (folder / (stem + ".svg")).string();
  std::ofstream(dot_path, std::ios::binary) << dot;
  const std::string command = "dot -Tsvg '" + dot_path + "' -o '" + svg_path + "'";
  CHECK(std::system(command.c_str()) == 0);
  const std::string svg = read_text_file(svg_path);
  CHECK(svg.find("<svg") != std::string::npos);
  CHECK(svg.find("log(#4)") != std::string::npos);
  std::remove(dot_path.c_str());
  std::remove(svg_path.c_str());
}

TEST_CASE("autodiff DOT escapes names", "[autodiff]") {
  sm::Tape<double, 4> tape;
  static_cast<void>(tape.variable(1.0, "a\"b\\c"));
  std::ostringstream stream;
  sm::StreamSink sink(stream);
  REQUIRE(sm::write_dot(sink, tape).ok());
  CHECK(stream.str().find("label=\"#0 = a\\\"b\\\\c\\n") != std::string::npos);
}

// ---------------------------------------------------------------- networks

namespace {

template <std::size_t Capacity>
using NetNode = sm::Node<double, Capacity>;

template <class Activation, std::size_t C>
NetNode<C> activate(NetNode<C> z) {
  if constexpr (std::is_same_v<Activation, sm::Identity>) {
    return z;
  } else if constexpr (std::is_same_v<Activation, sm::Relu>) {
    return relu(z);
  } else if constexpr (std::is_same_v<Activation, sm::Tanh>) {
    return tanh(z);
  } else {
    static_assert(std::is_same_v<Activation, sm::Sigmoid>, "no tape function for this one");
    return sigmoid(z);
  }
}

// Records layer L and the layers after it: values contains the layer's inputs on entry and
// the network's outputs on exit. y[o] = f(b[o] + sum_i W[o][i] x[i]), summed in the order of
// Mlp::forward so the values agree bit for bit.
template <std::size_t L, class Net, std::size_t C>
void record_layers(const std::array<NetNode<C>, Net::parameter_count>& parameters,
                   std::array<NetNode<C>, Net::max_width>& values) {
  constexpr std::size_t in_size = Net::widths[L];
  constexpr std::size_t out_size = Net::widths[L + 1];
  constexpr std::size_t weight_offset = Net::layer_offsets[L];
  constexpr std::size_t bias_offset = weight_offset + out_size * in_size;
  std::array<NetNode<C>, Net::max_width> outputs{};
  for (std::size_t o = 0; o < out_size; ++o) {
    NetNode<C> sum = parameters[bias_offset + o];
    for (std::size_t i = 0; i < in_size; ++i) {
      sum = sum + parameters[weight_offset + o * in_size + i] * values[i];
    }
    outputs[o] = activate<typename Net::template LayerActivation<L>>(sum);
  }
  values = outputs;
  if constexpr (L + 1 < Net::layer_count) {
    record_layers<L + 1, Net>(parameters, values);
  }
}

// The network's MSE, (1/N) sum_s sum_o (y_hat - y)^2, recorded on the tape with one variable
// per parameter.
template <class Net, std::size_t C, std::size_t N>
NetNode<C> record_loss(sm::Tape<double, C>& tape, const Net& net,
                       const std::array<typename Net::SampleType, N>& samples,
                       std::array<NetNode<C>, Net::parameter_count>& parameters) {
  for (std::size_t p = 0; p < Net::parameter_count; ++p) {
    parameters[p] = tape.variable(net.parameters()[p]);
  }
  NetNode<C> total = tape.constant(0.0);
  for (const auto& sample : samples) {
    std::array<NetNode<C>, Net::max_width> values{};
    for (std::size_t i = 0; i < Net::input_size; ++i) {
      values[i] = tape.constant(sample.input[i]);
    }
    record_layers<0, Net>(parameters, values);
    for (std::size_t o = 0; o < Net::output_size; ++o) {
      total = total + pow(values[o] - sample.target[o], 2);
    }
  }
  return total * (1.0 / static_cast<double>(N));
}

// Fixed weights from a formula: varied signs and sizes, the same on every run.
template <class Net>
Net network_with_fixed_weights() {
  Net net;
  for (std::size_t p = 0; p < Net::parameter_count; ++p) {
    net.parameters()[p] = 0.9 * std::sin(1.7 * static_cast<double>(p) + 0.3);
  }
  return net;
}

// Compares the tape's gradient of the MSE with backprop.hpp's gradient(net, samples) and
// returns the number of nodes the loss took.
template <class Net, std::size_t N>
std::size_t check_against_backprop(const Net& net,
                                   const std::array<typename Net::SampleType, N>& samples) {
  constexpr std::size_t capacity = 512;
  sm::Tape<double, capacity> tape;
  std::array<NetNode<capacity>, Net::parameter_count> parameters{};
  const auto loss = record_loss(tape, net, samples, parameters);
  REQUIRE(tape.backward(loss).ok());
  CHECK(tape.value(loss) == Approx(sm::mean_squared_error(net, samples)).epsilon(1e-14));

  // ReLU inputs stay away from the kink, where the two sides' derivatives differ.
  double closest_to_kink = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < tape.size(); ++i) {
    if (tape.entry(i).operation == sm::Operation::relu) {
      const double input = tape.entry(tape.entry(i).operands[0]).value;
      closest_to_kink = std::fmin(closest_to_kink, std::fabs(input));
    }
  }
  CHECK(closest_to_kink > 1e-3);

  const auto expected = sm::gradient(net, samples);
  double largest = 0;
  for (std::size_t p = 0; p < Net::parameter_count; ++p) {
    INFO("parameter " << p);
    CHECK(tape.gradient(parameters[p]) == Approx(expected[p]).epsilon(1e-12).margin(1e-15));
    largest = std::fmax(largest, std::fabs(expected[p]));
  }
  CHECK(largest > 0.01);  // a zero gradient cannot pass
  return tape.size();
}

}  // namespace

TEST_CASE("autodiff matches backprop on 1-4-1 ReLU", "[autodiff]") {
  using Net = sm::Mlp<double, 1, sm::Dense<4, sm::Relu>, sm::Dense<1, sm::Identity>>;
  const auto net = network_with_fixed_weights<Net>();
  // Nodes: 13 parameters and the constant 0. Each of the 8 samples adds 1 input,
  // 4 x 3 for multiply, add and relu, 4 x 2 for multiply and add, and 4 for the target,
  // subtract, square and sum. The 1/N and its product add 2: 14 + 8 * 25 + 2 = 216.
  CHECK(check_against_backprop(net, sm::sine_dataset<double, 8>()) == 216);
}

TEST_CASE("autodiff matches backprop on 2-3-3-2", "[autodiff]") {
  using Net = sm::Mlp<double, 2, sm::Dense<3, sm::Tanh>, sm::Dense<3, sm::Sigmoid>,
                      sm::Dense<2, sm::Identity>>;
  const auto net = network_with_fixed_weights<Net>();
  const std::array<Net::SampleType, 4> samples = {{
      {{0.5, -1.0}, {0.2, 0.7}},
      {{-0.3, 0.8}, {-0.4, 0.1}},
      {{1.2, 0.4}, {0.9, -0.6}},
      {{-0.9, -0.2}, {0.0, 0.3}},
  }};
  // Nodes: 29 parameters and the constant 0. Each of the 4 samples adds 2 inputs, then
  // 3 x (2 + 2 + 1), 3 x (3 + 3 + 1) and 2 x (3 + 3) for the layers, and 2 x 4 for the loss.
  // The 1/N and its product add 2: 30 + 4 * 58 + 2 = 264.
  CHECK(check_against_backprop(net, samples) == 264);
}

TEST_CASE("autodiff zero to the power zero is one", "[autodiff]") {
  // a^0 is 1 for every a, 0 included. Only 0 to a negative power is a domain error.
  sm::Tape<double, 4> tape;
  const auto a = tape.variable(0.0, "a");
  const auto f = pow(a, 0);
  CHECK(tape.status().ok());
  CHECK(tape.value(f) == 1.0);
  REQUIRE(tape.backward(f).ok());
  CHECK(tape.gradient(a) == 0.0);
}

TEST_CASE("autodiff gradients are NaN after a failure", "[autodiff]") {
  // A recording failure makes gradient() NaN at once, before any backward() and also for the
  // gradients that an earlier, successful pass left behind.
  sm::Tape<double, 8> tape;
  const auto x = tape.variable(2.0, "x");
  const auto f = x * x;
  REQUIRE(tape.backward(f).ok());
  REQUIRE(tape.gradient(x) == 4.0);
  const auto bad = log(x - 3.0);
  CHECK(tape.status().code == sm::StatusCode::domain_error);
  CHECK(std::isnan(tape.gradient(x)));
  CHECK(std::isnan(tape.gradient(f)));
  CHECK(std::isnan(tape.gradient(bad)));

  sm::Tape<double, 4> fresh;
  const auto y = fresh.variable(-1.0, "y");
  static_cast<void>(log(y));
  CHECK(std::isnan(fresh.gradient(y)));
}

TEST_CASE("autodiff full tape reports capacity first", "[autodiff]") {
  // The leaf that does not fit is never recorded, so its value cannot be the failure.
  sm::Tape<double, 1> tape;
  static_cast<void>(tape.variable(1.0, "x"));
  static_cast<void>(tape.variable(std::numeric_limits<double>::infinity(), "y"));
  CHECK(tape.status().code == sm::StatusCode::capacity_exceeded);
  CHECK(tape.status().index == 1);
}
