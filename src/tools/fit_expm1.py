#!/usr/bin/env python3
"""Derives the float coefficients of expm1_reduced() in include/staticmlp/math.hpp.

expm1(r) is approximated on |r| <= ln(2)/2 as r + r^2 q(r), with q a polynomial of degree DEGREE
(default 4), chosen for the least maximum relative error of expm1 itself. The fit is a linear
least-squares problem on Chebyshev points, reweighted by Lawson's rule (each weight times its
point's error) until the maximum error settles; this converges to the minimax solution. It
needs mpmath (Debian: python3-mpmath) and runs in about 15 s:

    python3 src/tools/fit_expm1.py [DEGREE]

It prints the maximum relative error before rounding, then each coefficient with the nearest
float as a C++ hexfloat literal.
"""
import sys

import mpmath as mp

import lawson_fit

mp.mp.dps = 50
DEGREE = int(sys.argv[1]) if len(sys.argv) > 1 else 4
POINTS = 3000
ROUNDS = 30

half_ln2 = mp.log(2) / 2
nodes = [half_ln2 * mp.cos(mp.pi * (k + mp.mpf(0.5)) / POINTS) for k in range(POINTS)]
# q should match (expm1(r) - r) / r^2; an error d in q is an error r^2 d / expm1(r) relative
# to expm1(r).
targets = [(mp.expm1(r) - r) / r**2 for r in nodes]
to_relative = [r**2 / abs(mp.expm1(r)) for r in nodes]
powers = [[r**j for j in range(DEGREE + 1)] for r in nodes]


coefficients, errors = lawson_fit.fit(powers, targets, to_relative, ROUNDS)

print(f"degree {DEGREE}: maximum relative error of expm1 {mp.nstr(max(errors), 5)}")
for j, c in enumerate(coefficients):
    print(f"c{j + 2} = {mp.nstr(c, 20):>24}  float {lawson_fit.float_literal(c)}")
