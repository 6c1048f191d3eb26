// Compiler diagnostics that the engine headers switch off for the code they contain.
//
// g++'s -Wshadow reports a parameter or local variable of a header template whose name equals a
// global variable of the program that includes the header (a global `samples` or `loss`, say),
// at the template's instantiation. The headers never refer to the program's globals, so this is
// harmless, and each engine header turns -Wshadow off between STATICMLP_DIAGNOSTICS_PUSH and
// STATICMLP_DIAGNOSTICS_POP. The project's own builds define STATICMLP_SHADOW_WARNINGS, which
// keeps the warning on, so that shadowing between the headers' own names still fails them.
#pragma once

#if defined(STATICMLP_SHADOW_WARNINGS)
#define STATICMLP_DIAGNOSTICS_PUSH
#define STATICMLP_DIAGNOSTICS_POP
#else
#define STATICMLP_DIAGNOSTICS_PUSH \
  _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wshadow\"")
#define STATICMLP_DIAGNOSTICS_POP _Pragma("GCC diagnostic pop")
#endif
