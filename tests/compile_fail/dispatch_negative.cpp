// expected error: STATICMLP_DISPATCH must be 0 or 1
#define STATICMLP_DISPATCH -2
#include <staticmlp/staticmlp.hpp>
