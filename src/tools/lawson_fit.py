"""Minimax polynomial fits for the engine's float approximations, shared by fit_expm1.py and
fit_tanh_small.py.

fit() solves a weighted least-squares problem on the given points and reweights it by Lawson's
rule (each weight times its point's error) until the maximum error settles, which converges to
the minimax solution. float_literal() prints a coefficient as the nearest float's C++ hexfloat.
"""
import struct

import mpmath as mp


def fit(powers, targets, to_relative, rounds):
    """Returns the coefficients and the relative errors at each point.

    powers[k][j] is the j-th basis value at point k, targets[k] the value the polynomial should
    take there, and to_relative[k] turns an error in the polynomial into the relative error of
    the approximated function.
    """
    points = len(targets)
    size = len(powers[0])

    def solve(weights):
        matrix = mp.matrix(size, size)
        rhs = mp.matrix(size, 1)
        for k in range(points):
            w = weights[k] * to_relative[k] ** 2
            for i in range(size):
                rhs[i] += w * powers[k][i] * targets[k]
                for j in range(size):
                    matrix[i, j] += w * powers[k][i] * powers[k][j]
        return mp.lu_solve(matrix, rhs)

    def relative_errors(coefficients):
        return [
            to_relative[k] * abs(sum(coefficients[j] * powers[k][j] for j in range(size))
                                 - targets[k])
            for k in range(points)
        ]

    weights = [mp.mpf(1) / points] * points
    for _ in range(rounds):
        coefficients = solve(weights)
        errors = relative_errors(coefficients)
        total = sum(w * e for w, e in zip(weights, errors))
        weights = [w * e / total for w, e in zip(weights, errors)]
    return coefficients, errors


def float_literal(value):
    """Returns the float nearest to value as a C++ hexfloat literal."""
    nearest = struct.unpack("f", struct.pack("f", float(value)))[0]
    mantissa, exponent = nearest.hex().split("p")
    return f"{mantissa.rstrip('0')}p{exponent}f"
