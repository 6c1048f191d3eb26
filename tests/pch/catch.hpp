// The Makefile compiles this file into $(BUILD)/pch/catch2/catch.hpp.gch: Catch2's header,
// precompiled, which g++ loads where a test file includes <catch2/catch.hpp> first.
#include <catch2/catch.hpp>
