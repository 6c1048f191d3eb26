// expected error: STATICMLP_VECTOR_BYTES=64 needs AVX-512
// The compile-fail checks build for the x86-64 baseline, which has no AVX-512.
#define STATICMLP_VECTOR_BYTES 64
#include <staticmlp/staticmlp.hpp>
