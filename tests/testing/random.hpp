#pragma once
// random_matrix<T>(rows, cols, seed, offset, scale): entries drawn from N(offset, scale^2) in
// double with a seeded std::mt19937_64, then rounded to T, so a test's inputs are the same on
// every run and for float and double alike (up to the rounding).
#include <cstdint>
#include <random>

#include "bnlstm/core/tensor.hpp"

namespace bnlstm::testing {

template <typename T>
Matrix<T> random_matrix(Index rows, Index cols, uint64_t seed, double offset = 0,
                        double scale = 1) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> nd(offset, scale);
  Matrix<T> m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = T(nd(rng));
  return m;
}

}  // namespace bnlstm::testing
