#pragma once
// How many decimals errors in the data's units (RMSE, MAE) are printed with, so that small ones
// keep three significant digits: the rule of evaluate's table (metrics.hpp, format_comparison),
// shared by every line that prints such errors (backtest's fold lines, study-forecast's runs), so
// that a series in the thousandths never prints "RMSE 0.0000 vs persistence 0.0000".
#include <vector>

namespace bnlstm {

// 4, or more when the smallest positive finite value of `errors` is below 0.01, so that each
// keeps three significant digits (0.0000688 -> 7); at most 12. Zeros, NaN and infinities are
// ignored (none left: 4).
int error_decimals(const std::vector<double>& errors);

}  // namespace bnlstm
