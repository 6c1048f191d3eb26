// staticmlp: a header-only, allocation-free C++17 engine for small multilayer perceptrons.
// This header includes the whole engine except io.hpp, the only header that touches files.
#pragma once

#include "activation.hpp"
#include "autodiff.hpp"
#include "autodiff_text.hpp"
#include "backprop.hpp"
#include "dataset.hpp"
#include "export.hpp"
#include "fit.hpp"
#include "format.hpp"
#include "gnuplot.hpp"
#include "init.hpp"
#include "math.hpp"
#include "mlp.hpp"
#include "optimizer.hpp"
#include "random.hpp"
#include "status.hpp"
#include "training.hpp"
