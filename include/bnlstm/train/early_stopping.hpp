#pragma once
// Early stopping with the notebook's rule (LSTMTrainer.EarlyStopping): the first (finite)
// validation loss sets the reference; afterwards an epoch counts as an improvement when it lowers
// the reference by at least `delta` (val_loss <= best - delta), which resets the counter and moves
// the reference; any other epoch adds one to the counter, and training stops as soon as the counter
// reaches `patience`.
//
// Separately it remembers the epoch with the lowest validation loss seen so far (ties keep the
// earlier one): that is the epoch whose weights the trainer restores. The two can differ when
// a later epoch is lower by less than `delta`: it does not reset the patience counter, but it
// is still the better model.
#include <limits>

namespace bnlstm {

class EarlyStopping {
 public:
  // patience >= 1, delta >= 0; throws bnlstm::Error otherwise.
  EarlyStopping(int patience, double delta);

  // The validation loss of the starting point, "epoch 0" (the weights before any step): it
  // becomes the reference and the lowest loss, with best_epoch() 0, so that a later epoch is
  // kept only when it is lower. Call before the first update(); a non-finite loss is ignored.
  // Does not count as an epoch.
  void set_initial(double val_loss);

  // Records the validation loss of the next epoch (epochs are numbered from 1).
  // Returns true when this epoch is the new lowest validation loss (the weights to keep).
  // A non-finite loss never improves and counts against the patience.
  bool update(double val_loss);

  bool should_stop() const { return stop_; }
  int epochs_seen() const { return epoch_; }
  int counter() const { return counter_; }         // epochs since the last improvement >= delta
  double reference() const { return reference_; }  // the loss improvements are measured against
  // 0 until a finite loss was seen, or when the starting point (set_initial) is still the lowest
  int best_epoch() const { return best_epoch_; }
  double best_loss() const { return best_loss_; }
  int patience() const { return patience_; }
  double delta() const { return delta_; }

  // Everything update() has accumulated, for continuing a run (resume.hpp). Losses not seen yet
  // are infinite.
  struct State {
    int epochs_seen = 0;
    int counter = 0;
    bool has_reference = false;
    double reference = std::numeric_limits<double>::infinity();
    int best_epoch = 0;
    double best_loss = std::numeric_limits<double>::infinity();
  };
  State state() const;
  // An EarlyStopping that continues from `state` with this patience and delta (either may
  // differ from the run's: should_stop() is then counter >= patience). Throws bnlstm::Error
  // "early stopping: ..." for a state no run can reach: negative counts, a counter or best epoch
  // past epochs_seen, a NaN or -inf loss, a reference without has_reference.
  static EarlyStopping restore(int patience, double delta, const State& state);

 private:
  int patience_;
  double delta_;
  int epoch_ = 0;
  int counter_ = 0;
  bool stop_ = false;
  bool has_reference_ = false;
  double reference_ = std::numeric_limits<double>::infinity();
  int best_epoch_ = 0;
  double best_loss_ = std::numeric_limits<double>::infinity();
};

}  // namespace bnlstm
