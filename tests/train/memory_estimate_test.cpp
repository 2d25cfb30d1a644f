#include "bnlstm/train/memory_estimate.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace bnlstm {
namespace {

// The count is exact for norm=batch (the largest layout): the network's own parameters.
TEST(MemoryEstimate, ParameterCountMatchesTheBatchNormNetwork) {
  for (Index hidden : {1, 7, 64}) {
    NetworkConfig c;
    c.input_size = 3;
    c.hidden_size = hidden;
    c.horizon = 5;
    c.norm = LstmNorm::batch;
    Rng rng(1);
    ForecastNetwork<float> net(c, rng);
    int64_t n = 0;
    for (auto* p : net.parameters()) n += p->value.size();
    EXPECT_EQ(network_parameter_count(c), n) << hidden;
  }
}

// Sizes from flags or checkpoints may be anything: the estimate saturates instead of wrapping.
TEST(MemoryEstimate, HugeSizesSaturateInsteadOfOverflowing) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  NetworkConfig c;
  c.hidden_size = int64_t{1} << 62;
  EXPECT_EQ(network_parameter_count(c), kMax);
  EXPECT_EQ(training_memory_bytes(c, 1, 32), kMax);
  c.hidden_size = 256;
  EXPECT_EQ(training_memory_bytes(c, kMax, 32), kMax);
  // the default model: 267009 parameters, 8192 rows of activations
  EXPECT_EQ(training_memory_bytes(c, 1, 32), 267009 * 7 * 4 + 8192 * int64_t{4 * 256 * 10} * 4);
  EXPECT_GT(physical_memory_bytes(), int64_t{1} << 28);
}

}  // namespace
}  // namespace bnlstm
