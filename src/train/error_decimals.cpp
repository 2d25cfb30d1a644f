#include "bnlstm/train/error_decimals.hpp"

#include <algorithm>
#include <cmath>

namespace bnlstm {

int error_decimals(const std::vector<double>& errors) {
  double smallest = HUGE_VAL;
  for (const double x : errors)
    if (std::isfinite(x) && x > 0) smallest = std::min(smallest, x);
  if (smallest == HUGE_VAL) return 4;
  return std::clamp(2 - static_cast<int>(std::floor(std::log10(smallest))), 4, 12);
}

}  // namespace bnlstm
