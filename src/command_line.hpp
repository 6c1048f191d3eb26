// Command-line helpers of the programs in src/: the one optional output path of the demo and
// the lecture programs, and the exit status once standard output is flushed.
#pragma once

#include <cstdio>
#include <cstring>

namespace command_line {

// Reads the one optional argument, the path of the gnuplot script. Returns -1 with
// `script_path` set, or the exit status: 0 after --help, 2 for an option or an extra argument.
// An argument starting with '-' is never taken for a file name. `usage_note`, if not empty, is
// printed below the argument's description.
inline int read_script_argument(int argc, char** argv, const char* program,
                                const char* default_path, const char* usage_note,
                                const char*& script_path) {
  const bool asks_help =
      argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0);
  if (asks_help || argc > 2 || (argc == 2 && (argv[1][0] == '-' || argv[1][0] == '\0'))) {
    if (!asks_help) {
      std::fprintf(stderr, "error: invalid argument '%s'\n", argc > 2 ? argv[2] : argv[1]);
    }
    std::FILE* out = asks_help ? stdout : stderr;
    std::fprintf(out,
                 "usage: %s [SCRIPT.gp]\n"
                 "  SCRIPT.gp  where to write the gnuplot script (default %s)\n",
                 program, default_path);
    if (usage_note[0] != '\0') {
      std::fprintf(out, "             %s\n", usage_note);
    }
    return asks_help ? 0 : 2;
  }
  script_path = argc == 2 ? argv[1] : default_path;
  return -1;
}

// Returns `status`, or 1 with a message when standard output could not be written (a full
// disk or a closed pipe), so that lost output does not pass for a complete run.
inline int finish_output(int status) {
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    std::fprintf(stderr, "error: writing the results to standard output failed\n");
    return 1;
  }
  return status;
}

}  // namespace command_line
