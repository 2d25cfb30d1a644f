#pragma once
// Mini-batch training of a ForecastNetwork on windows of one series, with the notebook's knobs
// (epochs, batch size, learning rate, gradient clipping by value, early stopping on the
// validation loss with patience and delta) and two things the notebook lacks: real mini-batches
// (one optimizer step per batch, not per sample) and restoring the best epoch's weights.
//
// Optionally (score_initial) the weights before any step are scored first as "epoch 0": its
// validation loss is the reference every later epoch must beat, and if none does, those starting
// weights are what is kept.
//
// One epoch, top to bottom:
//   shuffle the training window indices (Fisher-Yates driven by the seeded Rng; train only)
//   for each batch of batch_size windows:
//     gather x (L*B, I), y (B, H)      -> network.forward -> loss -> dloss/dy
//     zero grads, network.backward     -> clip (value or global norm) -> optimizer.step
//   norm=batch: running statistics recomputed from the training windows (recalibrate_bn)
//   validation loss in eval mode (chunks of 1024 windows, mean over every value)
//   early stopping update; a new lowest validation loss snapshots the weights
// After the last epoch the snapshot of the lowest validation loss is loaded back.
// Before that, everything needed to continue is kept as state() (TrainerState): resume() then
// carries on as if the run had not stopped.
//
// Same seed, same data, same options and the same number of threads give the same losses bit
// for bit (no time-dependent or unordered reductions in the loop).
//
// Data-parallel (a Workers with several workers, train/workers.hpp): every worker builds the same
// network from the same seed and calls fit with the same windows, ranges and options. Each
// global batch is split into contiguous shares (work_share); a worker gathers and runs only its
// share, the batch norms' statistics are those of the whole batch, the loss gradient is scaled by
// share / batch so that the gradients summed over the workers (before clipping) are the whole
// batch's, and every worker takes the same optimizer step. Training loss, recalibration and
// validation loss are computed over the workers' shares together and equal one process's up to
// rounding; early stopping therefore decides the same on every worker.
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bnlstm/core/random.hpp"
#include "bnlstm/data/split.hpp"
#include "bnlstm/data/windows.hpp"
#include "bnlstm/nn/loss.hpp"
#include "bnlstm/optim/optimizer.hpp"
#include "bnlstm/train/early_stopping.hpp"
#include "bnlstm/train/history.hpp"
#include "bnlstm/train/network.hpp"
#include "bnlstm/train/workers.hpp"

namespace bnlstm {

enum class ClipMode { none, value, norm };

// "none", "value", "norm"; throws bnlstm::Error listing the choices.
ClipMode parse_clip_mode(std::string_view name);
std::string to_string(ClipMode mode);

struct TrainOptions {
  int epochs = 100;                      // the notebook's 100
  Index batch_size = 32;                 // the notebook's 32
  int patience = 10;                     // early stopping (notebook: 10); 0 = never stop early
  double delta = 0.001;                  // minimum improvement (notebook: 0.001)
  ClipMode clip_mode = ClipMode::value;  // the notebook clips every gradient element
  double clip = 1.0;                     // value bound or max global norm (notebook: 1.0)
  LossKind loss = LossKind::mse;
  double huber_delta = 1.0;
  OptimizerKind optimizer = OptimizerKind::sgd;  // the notebook's plain update
  OptimizerConfig optimizer_config;              // lr (1e-3), momentum, betas, weight decay
  bool shuffle = true;                           // shuffle training windows every epoch
  bool restore_best = true;  // load the lowest-validation-loss weights at the end
  // norm=batch: after every epoch, before validating, set the running statistics to those of the
  // training windows (ForecastNetwork::recalibrate_batch_norm; at most 8192 rows of L*N, evenly
  // spaced windows beyond that).
  bool recalibrate_bn = true;
  // Score the starting weights as epoch 0 (recalibrated, validated, recorded in the history with
  // its eval-mode training loss): early stopping measures improvements against it and, when no
  // epoch has a lower validation loss, restores it (best_epoch 0). With a zero-initialized head
  // and a delta target, epoch 0 is exactly the persistence forecast.
  bool score_initial = false;
};

// What TrainCallbacks::on_batch reports after each optimizer step.
struct BatchProgress {
  int epoch = 0;            // 1-based
  Index batch = 0;          // 1-based
  Index batches = 0;        // batches in the epoch
  double running_loss = 0;  // mean training loss over the epoch's windows seen so far
  int first_epoch = 1;      // the first epoch this fit trains (later when resumed)
};

struct TrainCallbacks {
  // After every epoch (and after epoch 0 with score_initial), with the early-stopping state
  // after this epoch's update.
  std::function<void(const EpochRecord&, const EarlyStopping&)> on_epoch;
  // After every optimizer step.
  std::function<void(const BatchProgress&)> on_batch;
  // Asked after every optimizer step (after on_batch) and after every epoch (after on_epoch):
  // returning true ends training. Inside an epoch the remaining batches are skipped and the
  // epoch is finished as usual (its training loss over the windows seen, recalibration,
  // validation, early-stopping update), then the best epoch is restored as after any stop.
  // The history then says stopped_by_request. E.g. Ctrl-C in Python, a time budget.
  std::function<bool()> should_stop;
};

// Where a fit stopped, everything needed to continue it as if it had not stopped
// (Trainer::resume; saved in checkpoints by resume.hpp). Taken after the last epoch, before the
// best weights are restored.
template <typename T>
struct TrainerState {
  TrainingHistory history;        // every epoch so far (epoch 0 included when it was scored)
  EarlyStopping::State stopping;  // its counters, reference and lowest loss
  Rng rng;                        // the shuffling generator after the last epoch
  // the training windows in the last epoch's order: each epoch shuffles the previous order
  std::vector<Index> order;
  TensorFile optimizer;  // Optimizer::save_state(file, ""): step count, lr, moments / momentum
  typename ForecastNetwork<T>::State weights;  // after the last epoch
  typename ForecastNetwork<T>::State best;     // of the lowest validation loss; empty: none yet
  // the last epoch, 0 before any
  int epochs_run() const { return history.epochs.empty() ? 0 : history.epochs.back().epoch; }
};

template <typename T>
class Trainer {
 public:
  // Throws bnlstm::Error for epochs < 1, batch_size < 1, patience < 0, a bad delta or clip,
  // or a network whose input size / horizon does not match the windows.
  // workers: data-parallel training (nullptr, or a single worker: one process).
  Trainer(ForecastNetwork<T>& network, const Windows& windows, const TrainOptions& options,
          Workers* workers = nullptr);

  // Trains on window indices `train`, validates on `validation` (both ranges of windows, both
  // non-empty). Throws bnlstm::Error when the training loss stops being finite ("training
  // diverged ...") or when norm=batch meets a training set of a single window.
  TrainingHistory fit(Range train, Range validation, Rng& rng,
                      const TrainCallbacks& callbacks = {});

  // Continues the fit `from` was taken from (state() of a Trainer on a network of this shape,
  // with these windows, ranges and options; only epochs and patience may differ): its weights,
  // optimizer state, shuffling, early stopping and history carry on, from epoch
  // from.epochs_run() + 1 up to options.epochs in total (as Keras' initial_epoch). So a fit of
  // 10 epochs and one of 5 resumed up to 10 end with the same weights and history bit for bit.
  // Returns the whole history. When early stopping had already ended the run (its counter has
  // reached the patience), no epoch runs and the history says stopped_early. Throws
  // bnlstm::Error when options.epochs <= from.epochs_run() or when the state does not fit
  // (shapes, optimizer type, an order that is not a permutation of the training windows).
  TrainingHistory resume(const TrainerState<T>& from, Range train, Range validation,
                         const TrainCallbacks& callbacks = {});

  // Where the last fit or resume stopped (after its last epoch, before the best weights were
  // restored): what resume() continues from.
  const TrainerState<T>& state() const { return state_; }

  // Mean loss over windows `range` in eval mode (chunks of 1024); data-parallel: each worker
  // evaluates its share of the range, and every worker returns the mean over all of it.
  double evaluate(Range range);

  // The index order of the last epoch (for tests: shuffling stays inside the train range).
  const std::vector<Index>& last_order() const { return order_; }

 private:
  // This worker's part of windows[0, count): all of it in one process.
  std::span<const Index> share(const Index* windows, Index count) const;
  // fit (from = nullptr) and resume
  TrainingHistory run(Range train, Range validation, Rng& rng, const TrainCallbacks& callbacks,
                      const TrainerState<T>* from);

  ForecastNetwork<T>& net_;
  const Windows& windows_;
  TrainOptions options_;
  Loss<T> loss_;
  ParameterList<T> params_;
  std::unique_ptr<Optimizer<T>> optimizer_;
  std::vector<Index> order_, chunk_, recal_;
  // the batch's windows, targets and loss gradient: MatrixBuffers, so that the shorter last
  // batch, the next epoch's first one and the validation chunks allocate nothing
  MatrixBuffer<T> x_, y_, dy_;
  Matrix<T> x_recal_;
  Workers* workers_ = nullptr;  // set only with more than one worker
  std::unique_ptr<ParameterSync<T>> sync_;
  TrainerState<T> state_;
};

extern template class Trainer<float>;
extern template class Trainer<double>;

}  // namespace bnlstm
