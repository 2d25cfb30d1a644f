#include "bnlstm/train/progress.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

namespace bnlstm {

double estimate_seconds_left(const BatchProgress& p, int epochs, double elapsed) {
  // batches done and in all, over the whole run
  const double batches = static_cast<double>(std::max<Index>(p.batches, 1));
  // a resumed run counts from its own first epoch
  const double done = (p.epoch - p.first_epoch) * batches + static_cast<double>(p.batch);
  const double total = std::max(epochs - p.first_epoch + 1, 1) * batches;
  if (done <= 0 || !(elapsed >= 0)) return 0;
  return std::max(0.0, elapsed / done * (total - done));
}

std::string format_duration(double seconds) {
  const long s = std::lround(std::max(0.0, std::isfinite(seconds) ? seconds : 0.0));
  if (s < 60) return fmt::format("{} s", s);
  if (s < 3600) return fmt::format("{} min {} s", s / 60, s % 60);
  const long minutes = (s + 30) / 60;  // whole minutes from here on
  return fmt::format("{} h {:02} min", minutes / 60, minutes % 60);
}

std::string progress_line(const BatchProgress& p, int epochs, double elapsed, bool may_stop_early,
                          int width) {
  width = std::max(width, 1);
  const Index batches = std::max<Index>(p.batches, 1);
  const int filled = static_cast<int>(std::clamp<Index>(p.batch, 0, batches) * width / batches);
  return fmt::format(" epoch {}/{} [{}{}] {}/{}  loss {:#.5g}  {}{} left", p.epoch, epochs,
                     std::string(static_cast<size_t>(filled), '#'),
                     std::string(static_cast<size_t>(width - filled), '.'), p.batch, p.batches,
                     p.running_loss, may_stop_early ? "up to " : "",
                     format_duration(estimate_seconds_left(p, epochs, elapsed)));
}

}  // namespace bnlstm
