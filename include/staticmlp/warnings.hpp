// Compiler diagnostics that the engine headers switch off for the code they contain.
//
// g++'s -Wshadow reports a parameter or local variable of a header template whose name equals a
// global variable of the program that includes the header (a global `samples` or `loss`, say),
// at the template's instantiation. The headers never refer to the program's globals, so this is
// harmless, and each engine header turns -Wshadow off between STATICMLP_DIAGNOSTICS_PUSH and
// STATICMLP_DIAGNOSTICS_POP. The project's own builds define STATICMLP_SHADOW_WARNINGS, which
// keeps the warning on, so that shadowing between the headers' own names still fails them.
//
// -Wfloat-equal is off inside the headers too. They compare floats exactly on purpose: against 0
// and infinity, a value with itself to find NaN, and a value with its integer or float conversion
// to choose how to print it. A program built with that warning and -Werror must compile them.
#pragma once

#if defined(STATICMLP_SHADOW_WARNINGS)
#define STATICMLP_DIAGNOSTICS_PUSH
#define STATICMLP_DIAGNOSTICS_POP
#else
#define STATICMLP_DIAGNOSTICS_PUSH                                              \
  _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wshadow\"") \
      _Pragma("GCC diagnostic ignored \"-Wfloat-equal\"")
#define STATICMLP_DIAGNOSTICS_POP _Pragma("GCC diagnostic pop")
#endif
