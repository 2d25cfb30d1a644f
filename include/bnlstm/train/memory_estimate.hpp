#pragma once
// How much memory training a ForecastNetwork takes, estimated from its sizes alone, so that a
// model that cannot fit is refused with one line before anything is allocated (a hidden size of
// 2e9 would otherwise end in std::bad_alloc, one of 20000 in minutes of swapping).
//
// The estimate (bytes, saturating at INT64_MAX instead of overflowing):
//   parameters P = 4H(I + H + 3) + 2H + H*horizon + horizon     (LSTM with every norm, head)
//   weights      P * 7 floats    value, gradient, packed copy, best-epoch copy, 2 optimizer slots,
//                                 one spare
//   activations  R * 4H * 10 floats, R = look_back * max(batch, 1024) rows (a training batch or
//                 an evaluation chunk of 1024 windows), at least 8192 (batch-norm recalibration)
// It errs on the generous side; what matters is the order of magnitude.
#include <cstdint>

#include "bnlstm/core/tensor.hpp"
#include "bnlstm/train/network.hpp"

namespace bnlstm {

int64_t network_parameter_count(const NetworkConfig& config);
int64_t training_memory_bytes(const NetworkConfig& config, Index look_back, Index batch_size);

// This machine's physical memory in bytes (sysconf), or INT64_MAX when unknown.
int64_t physical_memory_bytes();

// "1.2 GB", "340 MB", "8.0e+12 GB" for messages.
std::string format_bytes(int64_t bytes);

}  // namespace bnlstm
