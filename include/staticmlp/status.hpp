// Error values. Every fallible engine call returns a Status (or a result that contains one)
// marked [[nodiscard]]: the code, the index of what failed (a sample, row, line or node,
// depending on the code) and the offending value. Nothing throws. `message()` is a fixed sentence,
// usable without formatting on a microcontroller. `describe()` adds the index and the value
// through floating-point std::to_chars, which arm-none-eabi's libstdc++ cannot link without a heap.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "format.hpp"
#include "warnings.hpp"

STATICMLP_DIAGNOSTICS_PUSH

namespace staticmlp {

// The numbers are part of the interface: firmware that prints a code as a number (without the
// message table's flash) is read against this list. New codes are added at the end.
enum class StatusCode : std::uint8_t {
  ok = 0,
  empty_dataset = 1,           // no samples
  input_not_finite = 2,        // index: sample, value: the input
  target_not_finite = 3,       // index: sample, value: the target
  learning_rate_invalid = 4,   // value: the learning rate
  hyperparameter_invalid = 5,  // index: 0 beta1, 1 beta2, 2 epsilon, 3 momentum; value: it
  shuffle_buffer_missing = 6,  // a shuffling fit on a SampleView was given no index buffer
  loss_not_finite = 7,         // index: epoch, value: the loss
  loss_diverged = 8,           // index: epoch, value: the loss
  value_not_finite = 9,        // index: row of the exported data, value: the value
  output_failed = 10,          // the sink could not store the bytes
  file_open_failed = 11,       // the file could not be created
  file_write_failed = 12,      // writing, flushing or closing failed
  file_rename_failed = 13,     // the finished temporary file could not replace the target
  domain_error = 14,           // index: tape node, value: the operand outside the domain
  capacity_exceeded = 15,      // index: the tape's capacity in nodes
  node_invalid = 16,           // an empty node or a node from another tape
  restart_options_invalid =
      17,  // index: 0 restarts, 1 final learning rate, 2 kink scale; value: it
  // Loading a model file (export.hpp). The index of each model_* code and of input_read_failed
  // is the 1-based line number.
  model_header_invalid = 18,       // line 1 is not "staticmlp VERSION TYPE SHAPE COUNT"
  model_version_unsupported = 19,  // value: the format version on line 1
  model_type_mismatch = 20,        // the scalar type on line 1 is not the network's
  model_shape_mismatch = 21,       // the shape or parameter count on line 1 is not the network's
  model_value_invalid = 22,        // a parameter line is not a decimal number
  model_value_not_finite = 23,     // value: the parameter
  model_too_few_values = 24,       // the checksum line came early; value: the values read
  model_too_many_values = 25,    // a value came where the checksum line belongs; value: values read
  model_checksum_mismatch = 26,  // the checksum line is malformed or does not match the values
  model_truncated = 27,          // the file ends before the checksum line's newline
  model_trailing_data = 28,      // something follows the checksum line
  input_read_failed = 29,        // the source reported a read error
  file_not_readable = 30,        // the file could not be opened for reading
  name_invalid = 31,             // a generated C++ name is not an identifier
  model_value_out_of_range = 32,  // value: the parameter read as double, or NaN
                                  // beyond double's range (not described)
  model_count_mismatch = 33,      // the count on line 1 is not the network's; value: that count
  fit_options_invalid = 34,       // index: 0 divergence_factor, 1 target_loss; value: it
  plot_options_invalid = 35,      // index: 0 x range, 1 y range, 2 size, 3 layout, 4 no panels,
                                  // 5-11 a null title, png_name or label (value 0), 12 a null
                                  // panel title; value: the end, size, cell count or panel at fault
  output_not_regular_file = 36,   // the output path is a folder, device, pipe or symbolic link
  initial_parameters_not_finite = 37,  // index: the first non-finite parameter, value: it
  initial_loss_not_finite = 38,  // value: the loss before training or before the sample's update
  parameters_not_finite = 39,    // index: epoch, value: the first non-finite parameter
  path_too_long = 40,            // the output path plus ".tmp" is too long for the system
  temporary_files_exist = 41,    // PATH.tmp and PATH.tmp1 to PATH.tmp9 all exist
  parameter_not_finite = 42,     // index: the parameter to export, value: it
  node_not_finite = 43,          // index: tape node, value: its infinite or NaN value
  gradient_not_finite = 44,      // index: tape node, value: its overflowed gradient
  // Binary parameter images (export.hpp).
  image_too_small = 45,             // index: the bytes the image takes, value: the bytes given
  image_header_mismatch = 46,       // index: byte 8 scalar size, 12 parameter count or 16 shape
  image_checksum_mismatch = 47,     // the checksum does not match the parameter bytes
  image_value_not_finite = 48,      // index: the parameter, value: it
  image_magic_invalid = 49,         // the first 4 bytes are not "SMLP": no image at all
  image_version_unsupported = 50,   // value: the format version in the image
  update_not_finite = 51,           // index: the parameter, value: it (train_sample_checked)
  optimizer_state_not_finite = 52,  // index: the parameter, value: its momentum or moment
};

struct [[nodiscard]] Status {
  StatusCode code = StatusCode::ok;
  std::size_t index = 0;
  double value = 0;

  constexpr bool ok() const { return code == StatusCode::ok; }
  constexpr const char* message() const;
};

constexpr Status ok_status() { return Status{}; }

constexpr Status make_status(StatusCode code, std::size_t index = 0, double value = 0) {
  return Status{code, index, value};
}

constexpr const char* Status::message() const {
  switch (code) {
    case StatusCode::ok:
      return "ok";
    case StatusCode::empty_dataset:
      return "the data set is empty: give at least one sample";
    case StatusCode::input_not_finite:
      return "a sample has a non-finite input: remove or fix the sample";
    case StatusCode::target_not_finite:
      return "a sample has a non-finite target: remove or fix the sample";
    case StatusCode::learning_rate_invalid:
      return "the learning rate must be positive and finite";
    case StatusCode::hyperparameter_invalid:
      return "an optimizer setting is out of range: beta1, beta2 and momentum must lie in "
             "[0, 1), epsilon must be positive and finite";
    case StatusCode::shuffle_buffer_missing:
      return "shuffling a SampleView needs an index buffer of one entry per sample";
    case StatusCode::loss_not_finite:
      return "the loss became non-finite: lower the learning rate; the parameters are those "
             "of the last epoch with a finite loss";
    case StatusCode::loss_diverged:
      return "the loss grew past the divergence limit: lower the learning rate; the parameters "
             "are those of the last epoch below the limit";
    case StatusCode::value_not_finite:
      return "a value to export is not finite";
    case StatusCode::output_failed:
      return "the output sink could not store the text (buffer full or write error)";
    case StatusCode::file_open_failed:
      return "the output file could not be created: check that the folder exists and is "
             "writable";
    case StatusCode::file_write_failed:
      return "writing the output file failed (disk full or I/O error); the old file is kept";
    case StatusCode::file_rename_failed:
      return "the finished file could not be moved to its path (is the path a folder, or the "
             "folder read-only?); any old file there is kept";
    case StatusCode::domain_error:
      return "an operation on the tape is outside its domain (log of a non-positive number, "
             "division by zero or 0 to a negative power): its value and the tape's gradients "
             "are NaN";
    case StatusCode::capacity_exceeded:
      return "the tape is full: raise its Capacity template argument";
    case StatusCode::node_invalid:
      return "a node is empty or belongs to another tape: build an expression from nodes of "
             "one tape";
    case StatusCode::restart_options_invalid:
      return "a restart setting is invalid: give at least one restart with restarts * "
             "trial_epochs at or below epochs, and a positive, finite final learning rate and "
             "kink scale";
    case StatusCode::model_header_invalid:
      return "the model file's first line is not \"staticmlp VERSION TYPE SHAPE COUNT\"";
    case StatusCode::model_version_unsupported:
      return "the model file's format version is not supported: save it again with this "
             "version of staticmlp";
    case StatusCode::model_type_mismatch:
      return "the model file's scalar type (float or double) is not the network's";
    case StatusCode::model_shape_mismatch:
      return "the model file's shape or parameter count is not the network's: load it into "
             "a network of the shape on its first line";
    case StatusCode::model_value_invalid:
      return "a parameter line of the model file is not a decimal number";
    case StatusCode::model_value_not_finite:
      return "a parameter in the model file is infinite or NaN";
    case StatusCode::model_too_few_values:
      return "the model file has fewer parameter values than its first line announces";
    case StatusCode::model_too_many_values:
      return "the model file has more parameter values than its first line announces";
    case StatusCode::model_checksum_mismatch:
      return "the model file's checksum line is malformed or does not match its values: the "
             "file is damaged";
    case StatusCode::model_truncated:
      return "the model file ends before its checksum line is complete: the file is truncated";
    case StatusCode::model_trailing_data:
      return "the model file has data after its checksum line";
    case StatusCode::input_read_failed:
      return "reading the input failed (I/O error)";
    case StatusCode::file_not_readable:
      return "the input file could not be opened: check that it exists and is readable";
    case StatusCode::model_value_out_of_range:
      return "a parameter in the model file is outside the range of the network's scalar type";
    case StatusCode::model_count_mismatch:
      return "the model file's parameter count is not the network's: load it into a network "
             "of the shape on its first line";
    case StatusCode::fit_options_invalid:
      return "a fit option is invalid: divergence_factor (setting 0) must be 0 (off) or a "
             "finite number of at least 1, target_loss (setting 1) must not be NaN";
    case StatusCode::plot_options_invalid:
      return "a plot option is invalid: axis ranges must be finite with min < max, the size "
             "positive, the layout must have room for every panel, there must be a panel, and "
             "no title or label may be a null pointer";
    case StatusCode::output_not_regular_file:
      return "the output path is a folder, device, pipe or symbolic link, which writing would "
             "replace: give the path of a regular file or of a new one";
    case StatusCode::name_invalid:
      return "the name must be a C++ identifier (letters, digits and '_', not starting with a "
             "digit) with a lowercase letter that is not a keyword of C++17 or C++20, std, "
             "staticmlp, main, a reserved name or a common macro (errno, stdin, linux, unix)";
    case StatusCode::initial_parameters_not_finite:
      return "the network has a non-finite parameter before training: initialize or load it "
             "again; it was left unchanged";
    case StatusCode::initial_loss_not_finite:
      return "the loss before training or before a checked sample's update is not finite "
             "although the data and parameters are: scale the data down; the network and the "
             "optimizer were left unchanged";
    case StatusCode::parameters_not_finite:
      return "an update made a parameter non-finite: lower the learning rate; the parameters "
             "are those of the last epoch with finite parameters and a finite loss";
    case StatusCode::path_too_long:
      return "the output path is too long: the temporary file, the path plus \".tmp\" and a "
             "digit, exceeds the system's limit; shorten the file name to 250 bytes or less";
    case StatusCode::temporary_files_exist:
      return "the temporary files PATH.tmp and PATH.tmp1 to PATH.tmp9 all exist, perhaps left "
             "by interrupted runs: remove them; any old file at PATH is kept";
    case StatusCode::parameter_not_finite:
      return "the network has a non-finite parameter, which a model file, header or parameter "
             "image cannot hold: train or load it again; nothing was written";
    case StatusCode::node_not_finite:
      return "a node's value is infinite or NaN (a leaf that is not finite, or an operation "
             "that overflowed): its gradients would be meaningless, so they are NaN";
    case StatusCode::image_too_small:
      return "the buffer is smaller than the network's parameter image: give it "
             "parameter_image_size<Net> bytes";
    case StatusCode::image_header_mismatch:
      return "the parameter image belongs to another network: its scalar size (byte 8), "
             "parameter count (byte 12) or shape (byte 16) differs";
    case StatusCode::image_magic_invalid:
      return "the buffer holds no parameter image: it does not start with \"SMLP\" (erased "
             "flash reads as 0xff)";
    case StatusCode::image_version_unsupported:
      return "the parameter image's format version is not supported: write it again with this "
             "version of staticmlp";
    case StatusCode::image_checksum_mismatch:
      return "the parameter image's checksum does not match its parameters: the image is "
             "corrupted";
    case StatusCode::image_value_not_finite:
      return "a parameter in the parameter image is infinite or NaN";
    case StatusCode::gradient_not_finite:
      return "a gradient overflowed although every value is finite: scale the inputs; the "
             "gradients are NaN";
    case StatusCode::update_not_finite:
      return "the sample's update made a parameter non-finite: lower the learning rate or "
             "scale the inputs down; the network and the optimizer were left unchanged";
    case StatusCode::optimizer_state_not_finite:
      return "the optimizer's state overflowed (the square of a huge gradient, say), which "
             "would stop that parameter's training: scale the inputs and targets down; the "
             "network and the optimizer were restored";
  }
  return "unknown status";
}

namespace detail {
constexpr const char* status_index_name(StatusCode code) {
  switch (code) {
    case StatusCode::input_not_finite:
    case StatusCode::target_not_finite:
      return "sample";
    case StatusCode::loss_not_finite:
    case StatusCode::loss_diverged:
    case StatusCode::parameters_not_finite:
      return "epoch";
    case StatusCode::initial_parameters_not_finite:
    case StatusCode::parameter_not_finite:
    case StatusCode::image_value_not_finite:
    case StatusCode::update_not_finite:
    case StatusCode::optimizer_state_not_finite:
      return "parameter";
    case StatusCode::image_too_small:
      return "bytes needed";
    case StatusCode::image_header_mismatch:
      return "byte";
    case StatusCode::value_not_finite:
      return "row";
    case StatusCode::hyperparameter_invalid:
    case StatusCode::restart_options_invalid:
    case StatusCode::fit_options_invalid:
    case StatusCode::plot_options_invalid:
      return "setting";
    case StatusCode::domain_error:
    case StatusCode::node_not_finite:
    case StatusCode::gradient_not_finite:
      return "node";
    case StatusCode::capacity_exceeded:
      return "capacity";
    case StatusCode::model_header_invalid:
    case StatusCode::model_version_unsupported:
    case StatusCode::model_type_mismatch:
    case StatusCode::model_shape_mismatch:
    case StatusCode::model_value_invalid:
    case StatusCode::model_value_not_finite:
    case StatusCode::model_too_few_values:
    case StatusCode::model_too_many_values:
    case StatusCode::model_checksum_mismatch:
    case StatusCode::model_truncated:
    case StatusCode::model_trailing_data:
    case StatusCode::input_read_failed:
    case StatusCode::model_value_out_of_range:
    case StatusCode::model_count_mismatch:
      return "line";
    default:
      return nullptr;
  }
}

constexpr bool status_has_value(StatusCode code) {
  switch (code) {
    case StatusCode::input_not_finite:
    case StatusCode::target_not_finite:
    case StatusCode::learning_rate_invalid:
    case StatusCode::hyperparameter_invalid:
    case StatusCode::loss_not_finite:
    case StatusCode::loss_diverged:
    case StatusCode::value_not_finite:
    case StatusCode::domain_error:
    case StatusCode::restart_options_invalid:
    case StatusCode::model_version_unsupported:
    case StatusCode::model_value_not_finite:
    case StatusCode::model_too_few_values:
    case StatusCode::model_too_many_values:
    case StatusCode::model_value_out_of_range:
    case StatusCode::model_count_mismatch:
    case StatusCode::fit_options_invalid:
    case StatusCode::plot_options_invalid:
    case StatusCode::initial_parameters_not_finite:
    case StatusCode::initial_loss_not_finite:
    case StatusCode::parameters_not_finite:
    case StatusCode::parameter_not_finite:
    case StatusCode::node_not_finite:
    case StatusCode::gradient_not_finite:
    case StatusCode::image_too_small:
    case StatusCode::image_value_not_finite:
    case StatusCode::image_version_unsupported:
    case StatusCode::update_not_finite:
    case StatusCode::optimizer_state_not_finite:
      return true;
    default:
      return false;
  }
}

// The name of setting `index` of a code whose index is a setting, or nullptr.
constexpr const char* status_setting_name(StatusCode code, std::size_t index) {
  constexpr std::array<const char*, 4> optimizer = {"beta1", "beta2", "epsilon", "momentum"};
  constexpr std::array<const char*, 3> restart = {"restarts * trial_epochs",
                                                  "final_learning_rate", "kink_scale"};
  constexpr std::array<const char*, 2> fit = {"divergence_factor", "target_loss"};
  constexpr std::array<const char*, 13> plot = {
      "x_min or x_max", "y_min or y_max", "width or height", "rows * columns", "panel count",
      "title",          "png_name",       "x_label",         "y_label",        "points_label",
      "curve_label",    "extrapolation_label", "panels[value].title"};
  switch (code) {
    case StatusCode::hyperparameter_invalid:
      return index < optimizer.size() ? optimizer[index] : nullptr;
    case StatusCode::restart_options_invalid:
      return index < restart.size() ? restart[index] : nullptr;
    case StatusCode::fit_options_invalid:
      return index < fit.size() ? fit[index] : nullptr;
    case StatusCode::plot_options_invalid:
      return index < plot.size() ? plot[index] : nullptr;
    default:
      return nullptr;
  }
}

// The word written before the value in a description.
constexpr const char* status_value_name(StatusCode code) {
  switch (code) {
    case StatusCode::model_version_unsupported:
      return "version";
    case StatusCode::model_too_few_values:
    case StatusCode::model_too_many_values:
      return "values read";
    case StatusCode::model_count_mismatch:
      return "count";
    case StatusCode::image_too_small:
      return "bytes given";
    case StatusCode::image_version_unsupported:
      return "version";
    default:
      return "value";
  }
}
// A float setting reaches the Status widened to double: -0.1f would read
// "-0.10000000149011612". A value that a float represents exactly is written as that float's
// shortest text ("-0.1"), as the caller most likely wrote it. A whole number below 2^53, such
// as a count of bytes, is written in plain digits ("1000000", not "1e+06").
template <class Sink>
bool write_status_value(Sink& sink, double value) {
  constexpr double exact_integer_limit = 9007199254740992.0;  // 2^53
  const bool negative_zero = value == 0 && (__builtin_bit_cast(std::uint64_t, value) >> 63) != 0;
  if (value > -exact_integer_limit && value < exact_integer_limit && !negative_zero &&
      static_cast<double>(static_cast<long long>(value)) == value) {
    return write_number(sink, static_cast<long long>(value));
  }
  constexpr double float_max = 3.4028234663852886e38;
  const bool float_range = value >= -float_max && value <= float_max;
  if (float_range && static_cast<double>(static_cast<float>(value)) == value) {
    return write_number(sink, static_cast<float>(value));
  }
  return write_number(sink, value);
}

}  // namespace detail

// Writes the message followed by the index and value it names, for example
// "the learning rate must be positive and finite (value -0.1)". A setting's index is followed by
// its name: "(setting 0 = beta1, value 1.5)".
template <class Sink>
bool write_description(Sink& sink, const Status& status) {
  bool stored = write_text(sink, status.message());
  const char* index_name = detail::status_index_name(status.code);
  // A model value beyond even double's range reaches the Status as NaN, which would read as if
  // the file held "nan", so its description names the line only.
  const bool beyond_double =
      status.code == StatusCode::model_value_out_of_range && status.value != status.value;
  const bool has_value = detail::status_has_value(status.code) && !beyond_double;
  if (index_name == nullptr && !has_value) {
    return stored;
  }
  stored = write_text(sink, " (") && stored;
  if (index_name != nullptr) {
    stored = write_text(sink, index_name) && write_text(sink, " ") &&
             write_number(sink, status.index) && stored;
    const char* setting_name = detail::status_setting_name(status.code, status.index);
    if (setting_name != nullptr) {
      stored = write_text(sink, " = ") && write_text(sink, setting_name) && stored;
    }
    if (has_value) {
      stored = write_text(sink, ", ") && stored;
    }
  }
  if (has_value) {
    // A NaN's sign bit depends on the order in which the compiler put the operands, so the
    // description leaves it out.
    const bool is_nan = status.value != status.value;
    stored = write_text(sink, detail::status_value_name(status.code)) && write_text(sink, " ") &&
             (is_nan ? write_text(sink, "nan") : detail::write_status_value(sink, status.value)) &&
             stored;
  }
  return write_text(sink, ")") && stored;
}

// The description as a zero-terminated string: `describe(status).c_str()`. 384 characters hold
// the longest message (235) with the longest index, setting name and value (about 100).
inline BufferSink<384> describe(const Status& status) {
  BufferSink<384> text;
  static_cast<void>(write_description(text, status));
  return text;
}

}  // namespace staticmlp

STATICMLP_DIAGNOSTICS_POP
