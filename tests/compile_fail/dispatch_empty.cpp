// expected error: STATICMLP_DISPATCH is defined empty: define it as 0 or 1
#define STATICMLP_DISPATCH
#include <staticmlp/staticmlp.hpp>
