#!/usr/bin/env python3
"""Derives the float coefficients of tanh_small() in include/staticmlp/math.hpp.

For |x| <= LIMIT (default 0.75) tanh(x) is approximated as x (1 + s p(s)) with s = x^2 and p a
polynomial of degree DEGREE (default 4), chosen for the least maximum relative error of tanh
itself. The fit runs on Chebyshev points through lawson_fit.py, as fit_expm1.py does. It
needs mpmath (Debian: python3-mpmath) and runs in about 3 s:

    python3 src/tools/fit_tanh_small.py [LIMIT [DEGREE]]

It prints the maximum relative error before rounding, then each coefficient of p, lowest degree
first, with the nearest float as a C++ hexfloat literal.
"""
import sys

import mpmath as mp

import lawson_fit

mp.mp.dps = 40
LIMIT = mp.mpf(sys.argv[1]) if len(sys.argv) > 1 else mp.mpf("0.75")
DEGREE = int(sys.argv[2]) if len(sys.argv) > 2 else 4
POINTS = 800
ROUNDS = 25

# Chebyshev points of (0, LIMIT]; x = 0 itself is exact in any polynomial of this form.
xs = [LIMIT * (1 + mp.cos(mp.pi * (k + mp.mpf(0.5)) / POINTS)) / 2 for k in range(POINTS)]
# p(s) should match (tanh(x) - x) / x^3; an error d in p is an error x^3 d in tanh(x), or
# x^3 d / tanh(x) relative to it.
targets = [(mp.tanh(x) - x) / x**3 for x in xs]
to_relative = [x**3 / mp.tanh(x) for x in xs]
powers = [[(x * x) ** j for j in range(DEGREE + 1)] for x in xs]


coefficients, errors = lawson_fit.fit(powers, targets, to_relative, ROUNDS)

print(f"limit {mp.nstr(LIMIT, 6)}, degree {DEGREE}: maximum relative error of tanh "
      f"{mp.nstr(max(errors), 5)}")
for j, c in enumerate(coefficients):
    print(f"p{j} = {mp.nstr(c, 20):>24}  float {lawson_fit.float_literal(c)}")
