#!/usr/bin/env python3
"""Derives the float coefficients of tanh_small() in include/staticmlp/math.hpp.

For |x| <= LIMIT (default 0.75) tanh(x) is approximated as x (1 + s p(s)) with s = x^2 and p a
polynomial of degree DEGREE (default 4), chosen for the least maximum relative error of tanh
itself. As in fit_expm1.py, the fit is a weighted least-squares problem on Chebyshev points whose
weights Lawson's rule updates (each weight times its point's error) until the maximum error
settles. It needs mpmath (Debian: python3-mpmath) and runs in about 3 s:

    python3 src/tools/fit_tanh_small.py [LIMIT [DEGREE]]

It prints the maximum relative error before rounding, then each coefficient of p, lowest degree
first, with the nearest float as a C++ hexfloat literal.
"""
import struct
import sys

import mpmath as mp

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


def solve(weights):
    """Weighted least squares through the normal equations, at 40 digits."""
    size = DEGREE + 1
    matrix = mp.matrix(size, size)
    rhs = mp.matrix(size, 1)
    for k in range(POINTS):
        w = weights[k] * to_relative[k] ** 2
        for i in range(size):
            rhs[i] += w * powers[k][i] * targets[k]
            for j in range(size):
                matrix[i, j] += w * powers[k][i] * powers[k][j]
    return mp.lu_solve(matrix, rhs)


def relative_errors(coefficients):
    return [
        to_relative[k] * abs(sum(coefficients[j] * powers[k][j] for j in range(DEGREE + 1))
                             - targets[k])
        for k in range(POINTS)
    ]


weights = [mp.mpf(1) / POINTS] * POINTS
for _ in range(ROUNDS):
    coefficients = solve(weights)
    errors = relative_errors(coefficients)
    total = sum(w * e for w, e in zip(weights, errors))
    weights = [w * e / total for w, e in zip(weights, errors)]

print(f"limit {mp.nstr(LIMIT, 6)}, degree {DEGREE}: maximum relative error of tanh "
      f"{mp.nstr(max(errors), 5)}")
for j, c in enumerate(coefficients):
    nearest = struct.unpack("f", struct.pack("f", float(c)))[0]
    mantissa, exponent = nearest.hex().split("p")
    print(f"p{j} = {mp.nstr(c, 20):>24}  float {mantissa.rstrip('0')}p{exponent}f")
