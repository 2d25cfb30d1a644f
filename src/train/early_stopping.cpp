#include "bnlstm/train/early_stopping.hpp"

#include <fmt/core.h>

#include <cmath>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

EarlyStopping::EarlyStopping(int patience, double delta) : patience_(patience), delta_(delta) {
  if (patience < 1) throw Error(fmt::format("--patience must be at least 1, got {}", patience));
  if (!(delta >= 0) || !std::isfinite(delta))
    throw Error(fmt::format("--delta must be a finite number >= 0, got {}", delta));
}

void EarlyStopping::set_initial(double val_loss) {
  if (epoch_ > 0) throw Error("EarlyStopping::set_initial: called after the first epoch");
  if (!std::isfinite(val_loss)) return;
  has_reference_ = true;
  reference_ = val_loss;
  best_loss_ = val_loss;
  best_epoch_ = 0;
}

bool EarlyStopping::update(double val_loss) {
  ++epoch_;
  const bool finite = std::isfinite(val_loss);

  // the notebook's rule: score = -loss; "no improvement" when score < best_score + delta
  if (finite && !has_reference_) {
    has_reference_ = true;
    reference_ = val_loss;
    counter_ = 0;
  } else if (!finite || -val_loss < -reference_ + delta_) {
    if (++counter_ >= patience_) stop_ = true;
  } else {
    reference_ = val_loss;
    counter_ = 0;
  }

  // the weights worth keeping: strictly lowest loss so far
  if (finite && val_loss < best_loss_) {
    best_loss_ = val_loss;
    best_epoch_ = epoch_;
    return true;
  }
  return false;
}

}  // namespace bnlstm
