// Checks shared by the lecture tests: second differences of a one-input fit on a grid, which
// vanish on the linear pieces of a ReLU fit and nowhere much on a smooth fit.
#pragma once

#include <cmath>
#include <cstddef>

#include "../src/lecture_recipes.hpp"

namespace lecture_support {

// f(x - h) - 2 f(x) + f(x + h) at x = -0.5 + i h for h = 1 / intervals.
template <class Net>
float second_difference(const Net& net, std::size_t i, std::size_t intervals) {
  const float h = 1.0f / static_cast<float>(intervals);
  const auto at = [&](std::size_t k) {
    return net.predict({-0.5f + static_cast<float>(k) * h})[0];
  };
  return at(i - 1) - 2.0f * at(i) + at(i + 1);
}

// Interior grid points of [-0.5, 0.5] with |second difference| above `threshold`.
template <class Net>
std::size_t count_bends(const Net& net, std::size_t intervals, float threshold) {
  std::size_t count = 0;
  for (std::size_t i = 1; i < intervals; ++i) {
    count += std::fabs(second_difference(net, i, intervals)) > threshold ? 1 : 0;
  }
  return count;
}

// Interior grid points whose second difference exceeds `threshold` although no counted kink
// lies within 1.5 grid steps: zero for a piecewise linear fit whose kinks are all counted.
template <class Net>
std::size_t count_bends_away_from_kinks(const Net& net, std::size_t intervals,
                                        float threshold) {
  float kinks[Net::widths[1]] = {};
  const std::size_t kink_count = lecture::find_kinks(net, -0.5f, 0.5f, kinks);
  const float h = 1.0f / static_cast<float>(intervals);
  std::size_t count = 0;
  for (std::size_t i = 1; i < intervals; ++i) {
    if (std::fabs(second_difference(net, i, intervals)) <= threshold) {
      continue;
    }
    const float x = -0.5f + static_cast<float>(i) * h;
    bool near_kink = false;
    for (std::size_t k = 0; k < kink_count; ++k) {
      near_kink = near_kink || std::fabs(x - kinks[k]) <= 1.5f * h;
    }
    count += near_kink ? 0 : 1;
  }
  return count;
}

}  // namespace lecture_support
