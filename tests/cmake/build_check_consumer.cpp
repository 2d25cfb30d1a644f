// Compiled (never run) by tests/cmake/build_check_test.cmake: with the library's flags it must
// compile, with other instruction-set settings bnlstm/core/build_check.hpp must stop it.
#include "bnlstm/nn/batch_norm.hpp"

int main() {
  bnlstm::BatchNorm1d<float> bn(4);
  return static_cast<int>(bn.num_features());
}
