// expected error: STATICMLP_VECTOR_BYTES is defined empty: define it as 0, 16, 32 or 64
#define STATICMLP_VECTOR_BYTES
#include <staticmlp/staticmlp.hpp>
