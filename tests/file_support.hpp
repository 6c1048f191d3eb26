// Helpers for the tests that write files: a scratch folder, whole-file reads and substring search.
// Include it after <catch2/catch.hpp>, which it uses but does not include: a second include of
// that header would miss the precompiled one that the Makefile's test builds load.
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace file_support {

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Returns the file's contents, or "" when it cannot be opened.
inline std::string read_file(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// Creates build/test-scratch/NAME anew, empty, and returns its path.
inline std::string scratch_folder(const std::string& name) {
  const std::string folder = "build/test-scratch/" + name;
  REQUIRE(std::system(("rm -rf " + folder + " && mkdir -p " + folder).c_str()) == 0);
  return folder;
}

}  // namespace file_support
