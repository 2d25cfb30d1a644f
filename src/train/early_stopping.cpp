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

EarlyStopping::State EarlyStopping::state() const {
  return State{epoch_, counter_, has_reference_, reference_, best_epoch_, best_loss_};
}

EarlyStopping EarlyStopping::restore(int patience, double delta, const State& s) {
  EarlyStopping e(patience, delta);
  const auto bad = [](const std::string& why) { return Error("early stopping: " + why); };
  if (s.epochs_seen < 0 || s.counter < 0 || s.best_epoch < 0)
    throw bad(fmt::format("negative count (epochs {}, counter {}, best epoch {})", s.epochs_seen,
                          s.counter, s.best_epoch));
  if (s.counter > s.epochs_seen || s.best_epoch > s.epochs_seen)
    throw bad(fmt::format("counter {} or best epoch {} past the {} epochs seen", s.counter,
                          s.best_epoch, s.epochs_seen));
  // +inf stands for "none yet"; a real loss is finite
  const auto loss_ok = [](double x) { return std::isfinite(x) || x == HUGE_VAL; };
  if (!loss_ok(s.reference) || !loss_ok(s.best_loss))
    throw bad(fmt::format("reference {} or best loss {} is not a loss", s.reference, s.best_loss));
  if (s.has_reference != std::isfinite(s.reference))
    throw bad("the reference loss and whether there is one disagree");
  // the first finite loss sets both; the reference is one of the losses, the best their lowest
  if (std::isfinite(s.best_loss) != s.has_reference ||
      (s.has_reference && !(s.reference >= s.best_loss)))
    throw bad(fmt::format("reference {} and best loss {} disagree", s.reference, s.best_loss));
  e.epoch_ = s.epochs_seen;
  e.counter_ = s.counter;
  e.has_reference_ = s.has_reference;
  e.reference_ = s.reference;
  e.best_epoch_ = s.best_epoch;
  e.best_loss_ = s.best_loss;
  e.stop_ = e.counter_ >= e.patience_;
  return e;
}

}  // namespace bnlstm
