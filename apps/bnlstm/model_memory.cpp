#include "model_memory.hpp"

#include <fmt/core.h>

#include "bnlstm/core/error.hpp"
#include "bnlstm/train/memory_estimate.hpp"

namespace bnlstm::cli {

void check_training_memory(const NetworkConfig& net, Index look_back, const TrainOptions& o) {
  const int64_t need = training_memory_bytes(net, look_back, o.batch_size);
  const int64_t have = physical_memory_bytes();
  if (need <= have) return;
  throw Error(fmt::format(
      "--hidden {} with --look-back {} and --batch-size {}: training would need about {} of "
      "memory ({:.3g} parameters); this machine has {}",
      net.hidden_size, look_back, o.batch_size, format_bytes(need),
      static_cast<double>(network_parameter_count(net)), format_bytes(have)));
}

}  // namespace bnlstm::cli
