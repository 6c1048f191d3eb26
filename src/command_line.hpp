// Command-line helpers of the programs in src/: the one optional output path of the demo and
// the lecture programs, and the exit status once standard output is flushed. Exit statuses:
// 0 success (and --help), 1 a failure at run time, 2 a usage error.
#pragma once

#include <cstdio>
#include <cstring>

namespace command_line {

// Returns `status`, or 1 with a message when standard output could not be written (a full
// disk or a closed pipe), so that lost output does not pass for a complete run.
inline int finish_output(int status) {
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    std::fprintf(stderr, "error: writing the results to standard output failed\n");
    return 1;
  }
  return status;
}

inline bool is_help(const char* argument) {
  return std::strcmp(argument, "--help") == 0 || std::strcmp(argument, "-h") == 0;
}

inline bool has_gp_suffix(const char* path) {
  const std::size_t length = std::strlen(path);
  return length > 3 && std::strcmp(path + length - 3, ".gp") == 0;
}

// Reads the one optional argument, the path of the gnuplot script. Returns -1 with
// `script_path` set, or the exit status: 0 after --help (1 if its text could not be written),
// 2 for an option, an empty name, a name not ending in ".gp" or an extra argument, which the
// message names. An argument starting with '-' is never taken for a file name. `usage_note`,
// if not empty, is printed below the argument's description.
inline int read_script_argument(int argc, char** argv, const char* program,
                                const char* default_path, const char* usage_note,
                                const char*& script_path) {
  const auto print_usage = [&](std::FILE* out) {
    std::fprintf(out,
                 "usage: %s [SCRIPT.gp]\n"
                 "  SCRIPT.gp  where to write the gnuplot script (default %s)\n",
                 program, default_path);
    if (usage_note[0] != '\0') {
      std::fprintf(out, "             %s\n", usage_note);
    }
  };
  if (argc == 2 && is_help(argv[1])) {
    print_usage(stdout);
    return finish_output(0);
  }
  const char* problem = nullptr;
  const char* offending = nullptr;
  if (argc >= 2 && argv[1][0] == '-' && !is_help(argv[1])) {
    problem = "unknown option";
    offending = argv[1];
  } else if (argc > 2) {
    problem = "unexpected extra argument";
    offending = argv[2];
  } else if (argc >= 2 && argv[1][0] == '\0') {
    problem = "empty file name";
    offending = argv[1];
  } else if (argc == 2 && !has_gp_suffix(argv[1])) {
    // Any other name would put script text where a PNG or other file is expected.
    problem = "script name without the .gp suffix";
    offending = argv[1];
  }
  if (problem != nullptr) {
    std::fprintf(stderr, "error: %s '%s'\n", problem, offending);
    print_usage(stderr);
    return 2;
  }
  script_path = argc == 2 ? argv[1] : default_path;
  return -1;
}

}  // namespace command_line
