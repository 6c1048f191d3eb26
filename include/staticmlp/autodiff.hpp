// Scalar reverse-mode differentiation on a fixed-capacity tape, for compute graphs such as
// f(x, y, z) = log(x * y + z). Tape<T, Capacity> stores up to Capacity nodes in a std::array.
// Each operation computes its value and its local gradients (d value / d operand) when it is
// recorded, and backward(f) applies the chain rule in reverse recording order, which is a
// reverse topological order. Recording, backward(), value() and gradient() are constexpr and
// use the engine's math functions, so compile time and run time give the same bits. The text
// writers for a tape are in autodiff_text.hpp.
//
// Failures are kept, not thrown. The tape stores its first failure in status(), and backward()
// returns it:
// - log of a non-positive number, division by zero and 0 to a negative power: domain_error
//   with the node's index. That node's value is NaN, and so is every value computed from it.
// - an infinite or NaN leaf, or an operation whose value overflows (exp(1000), 1e200 * 1e200):
//   node_not_finite with the node's index and value.
// - a node from another tape or an empty node: node_invalid.
// - more than Capacity nodes: capacity_exceeded at run time, a compile error in a constant
//   expression.
// After any failure, gradient() returns NaN for every node. backward() also returns
// gradient_not_finite with the node's index when a gradient overflows although every value is
// finite (log at a tiny subnormal number, 4.9e-324). The gradients are then NaN until the next
// pass.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "math.hpp"
#include "status.hpp"
#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {

enum class Operation : std::uint8_t {
  variable,  // a leaf whose gradient is wanted
  constant,  // a leaf created for a plain number in an expression, such as the 2 in x * 2
  add,
  subtract,
  multiply,
  divide,
  negate,
  log,
  exp,
  tanh,
  sigmoid,
  relu,
  power,  // to an integer exponent
};

// One recorded node: the operation, the earlier nodes it reads, its value and its gradients.
template <class T>
struct TapeEntry {
  Operation operation = Operation::constant;
  std::size_t operand_count = 0;
  std::array<std::size_t, 2> operands{};  // indices of earlier nodes
  int exponent = 0;                       // of Operation::power
  const char* name = nullptr;             // of a variable, for the writers; may be null
  T value = 0;
  std::array<T, 2> local_gradients{};  // d value / d operand, one per operand
  T gradient = 0;                      // df/d value after backward(f); 0 before any pass
  bool on_path = false;                // f depends on this node, as found by backward(f)
};

template <class T, std::size_t Capacity>
class Tape;

// A handle to one node of a tape: the tape's address and the node's index. Handles stay valid
// as long as the tape they came from; a copy of the tape does not take them over.
template <class T, std::size_t Capacity>
class Node {
 public:
  static constexpr std::size_t no_index = std::numeric_limits<std::size_t>::max();

  // An empty handle: operations on it record nothing, and backward() on it fails.
  constexpr Node() = default;

  constexpr std::size_t index() const { return index_; }
  constexpr Tape<T, Capacity>* tape() const { return tape_; }

 private:
  friend class Tape<T, Capacity>;
  constexpr Node(Tape<T, Capacity>* tape, std::size_t index) : tape_(tape), index_(index) {}

  Tape<T, Capacity>* tape_ = nullptr;
  std::size_t index_ = no_index;
};

namespace detail {

// Called only when a tape overflows inside a constant expression: being non-constexpr, it
// turns the overflow into a compile error that names it.
inline void tape_capacity_exceeded_in_constant_expression() {}

template <class T>
constexpr T integer_power(T base, long long exponent) {
  if (exponent < 0) {
    return T(1) / integer_power(base, -exponent);
  }
  // Binary exponentiation: base^2 is exactly base * base, as in a squared error.
  T result = 1;
  while (exponent > 0) {
    if ((exponent & 1) != 0) {
      result *= base;
    }
    exponent >>= 1;
    if (exponent > 0) {
      base *= base;
    }
  }
  return result;
}

constexpr std::size_t operand_count(Operation operation) {
  switch (operation) {
    case Operation::variable:
    case Operation::constant:
      return 0;
    case Operation::add:
    case Operation::subtract:
    case Operation::multiply:
    case Operation::divide:
      return 2;
    default:
      return 1;
  }
}

// Sets entry.value and entry.local_gradients from the operand values a and b, each rule's
// value next to its derivative. Returns false when the operands are outside the domain.
template <class T>
constexpr bool evaluate(TapeEntry<T>& entry, T a, T b) {
  T& value = entry.value;
  std::array<T, 2>& local = entry.local_gradients;
  switch (entry.operation) {
    case Operation::variable:
    case Operation::constant:
      return true;
    case Operation::add:  // d(a + b)/da = 1, d(a + b)/db = 1
      value = a + b;
      local = {T(1), T(1)};
      return true;
    case Operation::subtract:  // d(a - b)/da = 1, d(a - b)/db = -1
      value = a - b;
      local = {T(1), T(-1)};
      return true;
    case Operation::multiply:  // d(ab)/da = b, d(ab)/db = a
      value = a * b;
      local = {b, a};
      return true;
    case Operation::divide:  // d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -(a/b)/b
      if (b == T(0)) {
        return false;
      }
      value = a / b;
      local = {T(1) / b, -value / b};
      return true;
    case Operation::negate:  // d(-a)/da = -1
      value = -a;
      local[0] = T(-1);
      return true;
    case Operation::log:  // d log(a)/da = 1/a
      if (!(a > T(0))) {
        return false;
      }
      value = staticmlp::log(a);
      local[0] = T(1) / a;
      return true;
    case Operation::exp:  // d exp(a)/da = exp(a)
      value = staticmlp::exp(a);
      local[0] = value;
      return true;
    case Operation::tanh:  // d tanh(a)/da = 1 - tanh(a)^2
      value = staticmlp::tanh(a);
      local[0] = T(1) - value * value;
      return true;
    case Operation::sigmoid:  // d s(a)/da = s(a) (1 - s(a))
      value = staticmlp::sigmoid(a);
      local[0] = value * (T(1) - value);
      return true;
    case Operation::relu:  // d relu(a)/da = 1 for a > 0, else 0 (also at a = 0, as Relu)
      value = a > T(0) ? a : T(0);
      local[0] = a > T(0) ? T(1) : T(0);
      return true;
    case Operation::power: {  // d a^n/da = n a^(n - 1)
      const long long n = entry.exponent;
      if (a == T(0) && n < 0) {
        return false;
      }
      value = integer_power(a, n);
      local[0] = n == 0 ? T(0) : static_cast<T>(n) * integer_power(a, n - 1);
      return true;
    }
  }
  return false;
}

}  // namespace detail

template <class T, std::size_t Capacity>
class Tape {
  static_assert(Capacity > 0, "staticmlp: Tape<T, Capacity> needs Capacity > 0");

 public:
  using Handle = Node<T, Capacity>;
  static constexpr std::size_t capacity = Capacity;

  constexpr Tape() { detail::check_float_type<T>(); }

  // Records a leaf. The name, if given, labels the node in the writers and must outlive the tape.
  constexpr Handle variable(T value, const char* name = nullptr) {
    TapeEntry<T> entry{};
    entry.operation = Operation::variable;
    entry.value = value;
    entry.name = name;
    check_finite(value);
    return append(entry);
  }

  // Records a leaf for a plain number; the operators with a number operand call this.
  constexpr Handle constant(T value) {
    TapeEntry<T> entry{};
    entry.operation = Operation::constant;
    entry.value = value;
    check_finite(value);
    return append(entry);
  }

  // Records `operation` applied to earlier nodes (the second operand only for binary
  // operations, the exponent only for power). The operators and functions below call this.
  constexpr Handle record(Operation operation, Handle first, Handle second = Handle{},
                          int exponent = 0) {
    TapeEntry<T> entry{};
    entry.operation = operation;
    entry.operand_count = detail::operand_count(operation);
    entry.exponent = exponent;
    const bool second_valid = entry.operand_count < 2 || contains(second);
    if (entry.operand_count == 0 || !contains(first) || !second_valid) {
      fail(make_status(StatusCode::node_invalid));
      return Handle{this, Handle::no_index};
    }

    entry.operands = {first.index_, entry.operand_count == 2 ? second.index_ : first.index_};
    const T a = entries_[entry.operands[0]].value;
    const T b = entries_[entry.operands[1]].value;
    if (!detail::evaluate(entry, a, b)) {
      // The operand that left the domain: the divisor of a division, else the first one.
      const T outside = entry.operation == Operation::divide ? b : a;
      fail(make_status(StatusCode::domain_error, size_, static_cast<double>(outside)));
      entry.value = std::numeric_limits<T>::quiet_NaN();
      entry.local_gradients = {entry.value, entry.value};
    } else if (a != a || b != b) {
      // A NaN operand gives a NaN value, also where the rule would not (relu, a^0).
      entry.value = std::numeric_limits<T>::quiet_NaN();
    }
    check_finite(entry.value);
    return append(entry);
  }

  // Sets every node's gradient to df/d node, with f = output: 1 at the output, then for each
  // node in reverse recording order, gradient(operand) += gradient(node) * local gradient.
  // Resets the gradients first, so calling it again gives the same result. On failure every
  // gradient is NaN.
  [[nodiscard]] constexpr Status backward(Handle output) {
    for (std::size_t i = 0; i < size_; ++i) {
      entries_[i].gradient = 0;
      entries_[i].on_path = false;
    }
    Status failure = status_;
    if (failure.ok() && !contains(output)) {
      failure = make_status(StatusCode::node_invalid);
    }
    if (!failure.ok()) {
      for (std::size_t i = 0; i < size_; ++i) {
        entries_[i].gradient = std::numeric_limits<T>::quiet_NaN();
      }
      return failure;
    }

    entries_[output.index_].gradient = T(1);
    entries_[output.index_].on_path = true;
    for (std::size_t i = output.index_ + 1; i-- > 0;) {
      const TapeEntry<T>& entry = entries_[i];
      if (!entry.on_path) {
        continue;
      }
      for (std::size_t k = 0; k < entry.operand_count; ++k) {
        TapeEntry<T>& operand = entries_[entry.operands[k]];
        operand.gradient += entry.gradient * entry.local_gradients[k];
        operand.on_path = true;
      }
    }
    // The status names the node nearest the output whose gradient overflowed, where it began.
    for (std::size_t i = output.index_ + 1; i-- > 0;) {
      if (entries_[i].on_path && !is_finite(entries_[i].gradient)) {
        const Status overflow = make_status(StatusCode::gradient_not_finite, i,
                                            static_cast<double>(entries_[i].gradient));
        for (std::size_t j = 0; j < size_; ++j) {
          entries_[j].gradient = std::numeric_limits<T>::quiet_NaN();
        }
        return overflow;
      }
    }
    return ok_status();
  }

  // The node's value; NaN for a handle that is empty or from another tape.
  constexpr T value(Handle node) const {
    return contains(node) ? entries_[node.index_].value : std::numeric_limits<T>::quiet_NaN();
  }

  // df/d node from the last backward(f); 0 before any pass. NaN after any failure and for a
  // handle that is empty or from another tape.
  constexpr T gradient(Handle node) const {
    if (!status_.ok() || !contains(node)) {
      return std::numeric_limits<T>::quiet_NaN();
    }
    return entries_[node.index_].gradient;
  }

  // The first failure while recording, or ok.
  constexpr Status status() const { return status_; }

  constexpr std::size_t size() const { return size_; }

  // The node recorded at `index`, which must be less than size(): for the writers and tests.
  constexpr const TapeEntry<T>& entry(std::size_t index) const { return entries_[index]; }

  constexpr bool contains(Handle node) const { return node.tape_ == this && node.index_ < size_; }

 private:
  constexpr Handle append(const TapeEntry<T>& entry) {
    if (size_ == Capacity) {
      if (detail::is_constant_evaluated()) {
        detail::tape_capacity_exceeded_in_constant_expression();
      }
      fail(make_status(StatusCode::capacity_exceeded, Capacity));
      return Handle{this, Handle::no_index};
    }
    entries_[size_] = entry;
    return Handle{this, size_++};
  }

  // Records node_not_finite for the node about to be appended when its value is not finite.
  constexpr void check_finite(T value) {
    if (!is_finite(value) && size_ < Capacity) {
      fail(make_status(StatusCode::node_not_finite, size_, static_cast<double>(value)));
    }
  }

  constexpr void fail(const Status& failure) {
    if (status_.ok()) {
      status_ = failure;
    }
  }

  std::array<TapeEntry<T>, Capacity> entries_{};
  std::size_t size_ = 0;
  Status status_{};
};

namespace detail {

template <class T>
struct TypeIdentity {
  using type = T;
};
// A number operand of an operator, converted to the node's type instead of deduced.
template <class T>
using Number = typename TypeIdentity<T>::type;

template <class T, std::size_t C>
constexpr Node<T, C> record_unary(Operation operation, Node<T, C> a, int exponent = 0) {
  return a.tape() == nullptr ? Node<T, C>{} : a.tape()->record(operation, a, {}, exponent);
}

template <class T, std::size_t C>
constexpr Node<T, C> record_binary(Operation operation, Node<T, C> a, Node<T, C> b) {
  Tape<T, C>* tape = a.tape() != nullptr ? a.tape() : b.tape();
  return tape == nullptr ? Node<T, C>{} : tape->record(operation, a, b);
}

// The number as a constant node on the same tape as `node`.
template <class T, std::size_t C>
constexpr Node<T, C> constant_beside(Node<T, C> node, T number) {
  return node.tape() == nullptr ? Node<T, C>{} : node.tape()->constant(number);
}

}  // namespace detail

// Operations on nodes, found by argument-dependent lookup. Each records one node; a number
// operand records one constant node first.
template <class T, std::size_t C>
constexpr Node<T, C> operator+(Node<T, C> a, Node<T, C> b) {
  return detail::record_binary(Operation::add, a, b);
}
template <class T, std::size_t C>
constexpr Node<T, C> operator-(Node<T, C> a, Node<T, C> b) {
  return detail::record_binary(Operation::subtract, a, b);
}
template <class T, std::size_t C>
constexpr Node<T, C> operator*(Node<T, C> a, Node<T, C> b) {
  return detail::record_binary(Operation::multiply, a, b);
}
template <class T, std::size_t C>
constexpr Node<T, C> operator/(Node<T, C> a, Node<T, C> b) {
  return detail::record_binary(Operation::divide, a, b);
}

template <class T, std::size_t C>
constexpr Node<T, C> operator+(Node<T, C> a, detail::Number<T> b) {
  return a + detail::constant_beside(a, b);
}
template <class T, std::size_t C>
constexpr Node<T, C> operator+(detail::Number<T> a, Node<T, C> b) {
  return detail::constant_beside(b, a) + b;
}
template <class T, std::size_t C>
constexpr Node<T, C> operator-(Node<T, C> a, detail::Number<T> b) {
  return a - detail::constant_beside(a, b);
}
template <class T, std::size_t C>
constexpr Node<T, C> operator-(detail::Number<T> a, Node<T, C> b) {
  return detail::constant_beside(b, a) - b;
}
template <class T, std::size_t C>
constexpr Node<T, C> operator*(Node<T, C> a, detail::Number<T> b) {
  return a * detail::constant_beside(a, b);
}
template <class T, std::size_t C>
constexpr Node<T, C> operator*(detail::Number<T> a, Node<T, C> b) {
  return detail::constant_beside(b, a) * b;
}
template <class T, std::size_t C>
constexpr Node<T, C> operator/(Node<T, C> a, detail::Number<T> b) {
  return a / detail::constant_beside(a, b);
}
template <class T, std::size_t C>
constexpr Node<T, C> operator/(detail::Number<T> a, Node<T, C> b) {
  return detail::constant_beside(b, a) / b;
}

template <class T, std::size_t C>
constexpr Node<T, C> operator-(Node<T, C> a) {
  return detail::record_unary(Operation::negate, a);
}
template <class T, std::size_t C>
constexpr Node<T, C> log(Node<T, C> a) {
  return detail::record_unary(Operation::log, a);
}
template <class T, std::size_t C>
constexpr Node<T, C> exp(Node<T, C> a) {
  return detail::record_unary(Operation::exp, a);
}
template <class T, std::size_t C>
constexpr Node<T, C> tanh(Node<T, C> a) {
  return detail::record_unary(Operation::tanh, a);
}
template <class T, std::size_t C>
constexpr Node<T, C> sigmoid(Node<T, C> a) {
  return detail::record_unary(Operation::sigmoid, a);
}
template <class T, std::size_t C>
constexpr Node<T, C> relu(Node<T, C> a) {
  return detail::record_unary(Operation::relu, a);
}
template <class T, std::size_t C>
constexpr Node<T, C> pow(Node<T, C> a, int exponent) {
  return detail::record_unary(Operation::power, a, exponent);
}

}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
