// Batch statistics combined across MPI ranks (include/bnlstm/dist/stats_reducer.hpp).
#include "bnlstm/dist/stats_reducer.hpp"

#include <algorithm>

namespace bnlstm::dist {

// mean, m2: (n) over `count` local values -> over every rank's values
void MpiStatsReducer::combine_moments(double& count, double* mean, double* m2, Index n) {
  const Index K = comm_.size(), w = 2 * n + 1;
  if (K == 1) return;
  // pack (mean, m2, count), gather every rank's
  send_.resize(static_cast<size_t>(w));
  std::copy_n(mean, n, send_.data());
  std::copy_n(m2, n, send_.data() + n);
  send_[static_cast<size_t>(2 * n)] = count;
  all_.resize(static_cast<size_t>(K * w));
  comm_.all_gather(send_.data(), w, all_.data());
  // merge in rank order (Chan), the same arithmetic on every rank
  const double* first = all_.data();
  std::copy_n(first, n, mean);
  std::copy_n(first + n, n, m2);
  count = first[2 * n];
  for (Index k = 1; k < K; ++k) {
    const double* r = all_.data() + k * w;
    merge_batch_moments(count, mean, m2, r[2 * n], r, r + n, n);
  }
}

void MpiStatsReducer::sum(double* values, Index n) {
  comm_.sum(values, n);
}

}  // namespace bnlstm::dist
