#pragma once
// Refuses a model whose training could not fit in this machine's memory, with one line naming
// the flags, before anything is allocated (bnlstm/train/memory_estimate.hpp has the estimate).
#include "bnlstm/train/network.hpp"
#include "bnlstm/train/trainer.hpp"

namespace bnlstm::cli {

// Throws bnlstm::Error "--hidden 2000000000 with --look-back 1 and --batch-size 32: training
// would need about ... of memory; this machine has ...".
void check_training_memory(const NetworkConfig& net, Index look_back, const TrainOptions& options);

}  // namespace bnlstm::cli
