// expected error: STATICMLP_VECTOR_BYTES must be 0, 16, 32 or 64
#define STATICMLP_VECTOR_BYTES 48
#include <staticmlp/staticmlp.hpp>
