#pragma once
// A training run's progress as one line that a terminal redraws in place after every batch:
//   " epoch 3/100 [#########.....................] 45/112  loss 0.00441  up to 1 min 23 s left"
// The running loss is the mean training loss of the epoch so far (BatchProgress::running_loss,
// in the loss's scaled units). The time left is that of the whole run (every remaining epoch of
// --epochs) at the rate measured so far; "up to" says that early stopping may end it sooner.
#include <string>

#include "bnlstm/train/trainer.hpp"

namespace bnlstm {

// Seconds the remaining batches up to epoch `epochs` would take at the mean rate of the batches
// done so far (from progress.first_epoch: a resumed run counts its own); `elapsed`: seconds since
// the first of them began (validation between epochs included, so it is in the rate too). 0
// after the last batch.
double estimate_seconds_left(const BatchProgress& progress, int epochs, double elapsed);

// "0 s", "42 s", "1 min 23 s", "2 h 05 min" (rounded to whole seconds / minutes).
std::string format_duration(double seconds);

// The line above (without "\r" or a line end). may_stop_early: early stopping is on (patience
// > 0), so the time left is an upper bound. width: characters inside the brackets.
std::string progress_line(const BatchProgress& progress, int epochs, double elapsed,
                          bool may_stop_early, int width = 30);

}  // namespace bnlstm
