// Catch2's runner lives alone in this file so test files recompile quickly.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
