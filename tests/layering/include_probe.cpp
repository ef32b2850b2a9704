// A source compiled as if it were in one layer (tests/layering/layering.cmake)
// that includes one header, PTSCOPE_PROBE_HEADER: the include direction test
// builds it once per rule and checks that the compiler finds the header or,
// for an include the layers forbid, that it does not.
#include PTSCOPE_PROBE_HEADER

int ptscope_include_probe() { return 0; }
