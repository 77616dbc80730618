// median.h: each benchmark figure is the median of its runs (3, or 1 with
// --quick), which a noisy shared machine moves less than a mean.
#pragma once

#include <algorithm>
#include <vector>

// The middle value (the upper one of an even count); `values` is not empty.
inline double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}
