// Text views of a Tape, written through a character sink (format.hpp): its nodes in recording
// order (write_graph), the backward pass node by node (write_trace), and Graphviz DOT
// (write_dot). A node is shown as #index, or by its name for a named variable, and a constant
// operand by its value. Numbers go through write_number (std::to_chars), so these functions
// run at run time only. Each returns ok, or output_failed when the sink rejects text;
// write_trace also returns the failure of the backward pass it runs.
#pragma once

#include <cstddef>

#include "autodiff.hpp"
#include "format.hpp"
#include "status.hpp"
#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {
namespace detail {

// Text templates of an operation: its expression and the rules of its local gradients.
// In them A and B are the operands, N is the exponent and M the exponent minus 1. A null rule
// marks a local gradient that is a constant, so the trace shows its value alone.
struct OperationText {
  const char* expression;
  const char* first_rule;   // d node / d A
  const char* second_rule;  // d node / d B
};

constexpr OperationText operation_text(Operation operation) {
  switch (operation) {
    case Operation::variable:
      return {"variable", nullptr, nullptr};
    case Operation::constant:
      return {"constant", nullptr, nullptr};
    case Operation::add:
      return {"A + B", nullptr, nullptr};
    case Operation::subtract:
      return {"A - B", nullptr, nullptr};
    case Operation::multiply:
      return {"A * B", "B", "A"};
    case Operation::divide:
      return {"A / B", "1/B", "-A/B^2"};
    case Operation::negate:
      return {"-A", nullptr, nullptr};
    case Operation::log:
      return {"log(A)", "1/A", nullptr};
    case Operation::exp:
      return {"exp(A)", "exp(A)", nullptr};
    case Operation::tanh:
      return {"tanh(A)", "1 - tanh(A)^2", nullptr};
    case Operation::sigmoid:
      return {"sigmoid(A)", "sigmoid(A) (1 - sigmoid(A))", nullptr};
    case Operation::relu:
      return {"relu(A)", "1 if A > 0 else 0", nullptr};
    case Operation::power:
      return {"A^N", "N A^M", nullptr};
  }
  return {"unknown", nullptr, nullptr};
}

// Writes text, escaped for a double-quoted DOT string when `dot_quoted` is set.
template <class Sink>
bool write_label_text(Sink& sink, const char* text, bool dot_quoted) {
  if (!dot_quoted) {
    return write_text(sink, text);
  }
  bool stored = true;
  for (const char* c = text; *c != '\0'; ++c) {
    const bool special = *c == '"' || *c == '\\';
    stored = (special ? sink.write("\\", 1) : true) && sink.write(c, 1) && stored;
  }
  return stored;
}

// A node as a derivative's variable: a named variable by its name, any other node as #index.
template <class Sink, class T, std::size_t C>
bool write_reference(Sink& sink, const Tape<T, C>& tape, std::size_t index, bool dot_quoted) {
  const TapeEntry<T>& entry = tape.entry(index);
  if (entry.operation == Operation::variable && entry.name != nullptr) {
    return write_label_text(sink, entry.name, dot_quoted);
  }
  return write_text(sink, "#") && write_number(sink, index);
}

// A node as an operand in an expression: a constant by its value, others as write_reference.
template <class Sink, class T, std::size_t C>
bool write_operand(Sink& sink, const Tape<T, C>& tape, std::size_t index, bool dot_quoted) {
  const TapeEntry<T>& entry = tape.entry(index);
  if (entry.operation == Operation::constant) {
    return write_number(sink, entry.value);
  }
  return write_reference(sink, tape, index, dot_quoted);
}

// Expands an OperationText template for the node at `index`.
template <class Sink, class T, std::size_t C>
bool write_template(Sink& sink, const Tape<T, C>& tape, std::size_t index, const char* text,
                    bool dot_quoted) {
  const TapeEntry<T>& entry = tape.entry(index);
  bool stored = true;
  for (const char* c = text; *c != '\0'; ++c) {
    if (*c == 'A' || *c == 'B') {
      const std::size_t operand = entry.operands[*c == 'A' ? 0 : 1];
      stored = write_operand(sink, tape, operand, dot_quoted) && stored;
    } else if (*c == 'N' || *c == 'M') {
      const long long exponent = entry.exponent;
      stored = write_number(sink, *c == 'N' ? exponent : exponent - 1) && stored;
    } else {
      stored = sink.write(c, 1) && stored;
    }
  }
  return stored;
}

// "#3 = x * y" for an operation, "#0 = x" for a named variable, "#6 = 2" for a constant.
template <class Sink, class T, std::size_t C>
bool write_definition(Sink& sink, const Tape<T, C>& tape, std::size_t index, bool dot_quoted) {
  const TapeEntry<T>& entry = tape.entry(index);
  bool stored = write_text(sink, "#") && write_number(sink, index) && write_text(sink, " = ");
  if (entry.operation == Operation::constant) {
    return write_number(sink, entry.value) && stored;
  }
  if (entry.operation == Operation::variable && entry.name != nullptr) {
    return write_label_text(sink, entry.name, dot_quoted) && stored;
  }
  return write_template(sink, tape, index, operation_text(entry.operation).expression,
                        dot_quoted) &&
         stored;
}

// "d#3/dx" for the derivative of node `of` with respect to node `by`; "df/dx" when `of` is
// the output, which the trace calls f.
template <class Sink, class T, std::size_t C>
bool write_derivative(Sink& sink, const Tape<T, C>& tape, const std::size_t* of, std::size_t by) {
  bool stored = write_text(sink, "d");
  stored =
      (of == nullptr ? write_text(sink, "f") : write_text(sink, "#") && write_number(sink, *of)) &&
      stored;
  return write_text(sink, "/d") && write_reference(sink, tape, by, false) && stored;
}

// The trace's lines for one operation node: its upstream gradient, its local gradient for
// each operand that is not a constant, and what it passes on to each of them.
template <class Sink, class T, std::size_t C>
bool write_trace_operation(Sink& sink, const Tape<T, C>& tape, std::size_t index) {
  const TapeEntry<T>& entry = tape.entry(index);
  const OperationText text = operation_text(entry.operation);
  bool stored = write_text(sink, "  upstream    ") &&
                write_derivative(sink, tape, nullptr, index) && write_text(sink, " = ") &&
                write_number(sink, entry.gradient) && write_text(sink, "\n");

  bool local_written = false;
  for (std::size_t k = 0; k < entry.operand_count; ++k) {
    const std::size_t operand = entry.operands[k];
    if (tape.entry(operand).operation == Operation::constant) {
      continue;
    }
    const char* rule = k == 0 ? text.first_rule : text.second_rule;
    if (rule != nullptr && (rule[0] == 'A' || rule[0] == 'B') && rule[1] == '\0') {
      // The rule is the other operand. When that is a constant, its value is shown alone.
      const std::size_t other = entry.operands[rule[0] == 'A' ? 0 : 1];
      rule = tape.entry(other).operation == Operation::constant ? nullptr : rule;
    }
    stored = write_text(sink, local_written ? ", " : "  local       ") &&
             write_derivative(sink, tape, &index, operand) && write_text(sink, " = ") && stored;
    if (rule != nullptr) {
      stored = write_template(sink, tape, index, rule, false) && write_text(sink, " = ") && stored;
    }
    stored = write_number(sink, entry.local_gradients[k]) && stored;
    local_written = true;
  }
  if (!local_written) {
    return stored;
  }

  bool downstream_written = false;
  for (std::size_t k = 0; k < entry.operand_count; ++k) {
    const std::size_t operand = entry.operands[k];
    if (tape.entry(operand).operation == Operation::constant) {
      continue;
    }
    stored = write_text(sink, downstream_written ? ", " : "\n  downstream  ") &&
             write_derivative(sink, tape, nullptr, operand) && write_text(sink, " += ") &&
             write_number(sink, entry.gradient) && write_text(sink, " * ") &&
             write_number(sink, entry.local_gradients[k]) && write_text(sink, " = ") &&
             write_number(sink, entry.gradient * entry.local_gradients[k]) && stored;
    downstream_written = true;
  }
  return write_text(sink, "\n") && stored;
}

}  // namespace detail

// Writes one line per node in recording order, for example "#3 = x * y = 2".
template <class Sink, class T, std::size_t C>
Status write_graph(Sink& sink, const Tape<T, C>& tape) {
  bool stored = true;
  for (std::size_t i = 0; i < tape.size(); ++i) {
    const TapeEntry<T>& entry = tape.entry(i);
    stored = detail::write_definition(sink, tape, i, false) && stored;
    if (entry.operation != Operation::constant) {
      stored = write_text(sink, " = ") && write_number(sink, entry.value) && stored;
    }
    stored = write_text(sink, "\n") && stored;
  }
  return stored ? ok_status() : make_status(StatusCode::output_failed);
}

// Runs tape.backward(output) and writes the pass in the order it visits the nodes that the
// output depends on: each operation's value, upstream gradient df/d node, local gradients and
// downstream gradients, and each variable's final gradient. Constant nodes are left out.
template <class Sink, class T, std::size_t C>
Status write_trace(Sink& sink, Tape<T, C>& tape, Node<T, C> output) {
  const Status status = tape.backward(output);
  if (!status.ok()) {
    return status;
  }
  bool stored = write_text(sink, "backward pass from f = #") &&
                write_number(sink, output.index()) &&
                write_text(sink, ", in reverse topological order\n");
  for (std::size_t i = output.index() + 1; i-- > 0;) {
    const TapeEntry<T>& entry = tape.entry(i);
    if (!entry.on_path || entry.operation == Operation::constant) {
      continue;
    }
    stored = detail::write_definition(sink, tape, i, false) && write_text(sink, " = ") &&
             write_number(sink, entry.value) && write_text(sink, "\n") && stored;
    if (entry.operation == Operation::variable) {
      stored = write_text(sink, "  gradient    ") &&
               detail::write_derivative(sink, tape, nullptr, i) && write_text(sink, " = ") &&
               write_number(sink, entry.gradient) && write_text(sink, "\n") && stored;
    } else {
      stored = detail::write_trace_operation(sink, tape, i) && stored;
    }
  }
  return stored ? ok_status() : make_status(StatusCode::output_failed);
}

// Writes the tape as a Graphviz digraph with one node per tape node, leaves as ellipses and
// operations as boxes. Each label has the definition, the value and the gradient from the
// last backward pass. An edge runs from each operand to the node that reads it.
template <class Sink, class T, std::size_t C>
Status write_dot(Sink& sink, const Tape<T, C>& tape) {
  bool stored = write_text(sink,
                           "digraph tape {\n"
                           "  rankdir=LR;\n"
                           "  node [fontname=\"sans\"];\n");
  for (std::size_t i = 0; i < tape.size(); ++i) {
    const TapeEntry<T>& entry = tape.entry(i);
    const bool leaf = entry.operand_count == 0;
    stored = write_text(sink, "  n") && write_number(sink, i) &&
             write_text(sink, leaf ? " [shape=ellipse, label=\"" : " [shape=box, label=\"") &&
             detail::write_definition(sink, tape, i, true) && write_text(sink, "\\nvalue ") &&
             write_number(sink, entry.value) && write_text(sink, "\\ngradient ") &&
             write_number(sink, entry.gradient) && write_text(sink, "\"];\n") && stored;
  }
  for (std::size_t i = 0; i < tape.size(); ++i) {
    const TapeEntry<T>& entry = tape.entry(i);
    for (std::size_t k = 0; k < entry.operand_count; ++k) {
      stored = write_text(sink, "  n") && write_number(sink, entry.operands[k]) &&
               write_text(sink, " -> n") && write_number(sink, i) && write_text(sink, ";\n") &&
               stored;
    }
  }
  stored = write_text(sink, "}\n") && stored;
  return stored ? ok_status() : make_status(StatusCode::output_failed);
}

}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
