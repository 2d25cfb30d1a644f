#include "bnlstm/train/memory_estimate.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <limits>

#include "bnlstm/core/checked.hpp"

namespace bnlstm {

int64_t network_parameter_count(const NetworkConfig& c) {
  const int64_t H = c.hidden_size, I = c.input_size, K = c.horizon;
  const int64_t lstm =
      saturating_mul(saturating_mul(4, H), saturating_add(saturating_add(I, H), 3));
  const int64_t head = saturating_add(saturating_mul(H, K), K);
  return saturating_add(saturating_add(lstm, saturating_mul(2, H)), head);
}

int64_t training_memory_bytes(const NetworkConfig& c, Index look_back, Index batch_size) {
  constexpr int64_t kFloat = 4, kWeightCopies = 7, kActivationsPerGate = 10;
  const int64_t weights =
      saturating_mul(saturating_mul(network_parameter_count(c), kWeightCopies), kFloat);
  const int64_t rows =
      std::max<int64_t>(8192, saturating_mul(look_back, std::max<int64_t>(batch_size, 1024)));
  const int64_t per_row = saturating_mul(saturating_mul(4, c.hidden_size), kActivationsPerGate);
  const int64_t activations = saturating_mul(saturating_mul(rows, per_row), kFloat);
  return saturating_add(weights, activations);
}

int64_t physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return std::numeric_limits<int64_t>::max();
  return saturating_mul(pages, page);
}

std::string format_bytes(int64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (b >= 1e9) return fmt::format("{:.3g} GB", b / 1e9);
  if (b >= 1e6) return fmt::format("{:.3g} MB", b / 1e6);
  return fmt::format("{:.3g} kB", b / 1e3);
}

}  // namespace bnlstm
