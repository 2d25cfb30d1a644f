#pragma once
// Size arithmetic on numbers that come from outside (flags, checkpoint headers, CSV files):
// products and sums that report overflow instead of wrapping (signed overflow is undefined
// behaviour; a wrapped byte count could pass a later size check).
//   int64_t n;
//   if (!checked_mul(rows, cols, n)) throw Error("... too large");
//   int64_t bytes = saturating_mul(a, b);   // INT64_MAX when it would overflow
#include <cstdint>
#include <limits>

namespace bnlstm {

// out = a * b; false (out unspecified) when the product does not fit in int64_t.
inline bool checked_mul(int64_t a, int64_t b, int64_t& out) {
  return !__builtin_mul_overflow(a, b, &out);
}
inline bool checked_add(int64_t a, int64_t b, int64_t& out) {
  return !__builtin_add_overflow(a, b, &out);
}

// For non-negative operands: the product/sum, or INT64_MAX when it would overflow.
inline int64_t saturating_mul(int64_t a, int64_t b) {
  int64_t out;
  return checked_mul(a, b, out) ? out : std::numeric_limits<int64_t>::max();
}
inline int64_t saturating_add(int64_t a, int64_t b) {
  int64_t out;
  return checked_add(a, b, out) ? out : std::numeric_limits<int64_t>::max();
}

}  // namespace bnlstm
