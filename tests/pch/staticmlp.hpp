// The Makefile compiles this file into $(BUILD)/pch-syntax/staticmlp/staticmlp.hpp.gch: the
// engine's headers, precompiled with the flags of the compile-fail checks, which g++ loads
// where a check includes <staticmlp/staticmlp.hpp> before any macro of its own.
#include <staticmlp/staticmlp.hpp>
