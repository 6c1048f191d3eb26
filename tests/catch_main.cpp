// The Catch2 runner shared by every test file of the unit suite.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
