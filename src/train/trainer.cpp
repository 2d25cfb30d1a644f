#include "bnlstm/train/trainer.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "bnlstm/core/error.hpp"
#include "bnlstm/optim/clip.hpp"

namespace bnlstm {

ClipMode parse_clip_mode(std::string_view name) {
  if (name == "none") return ClipMode::none;
  if (name == "value") return ClipMode::value;
  if (name == "norm") return ClipMode::norm;
  throw Error("--clip-mode: expected value, norm or none, got '" + std::string(name) + "'");
}

std::string to_string(ClipMode mode) {
  switch (mode) {
    case ClipMode::none:
      return "none";
    case ClipMode::value:
      return "value";
    case ClipMode::norm:
      return "norm";
  }
  return "?";
}

namespace {

void check_options(const TrainOptions& o) {
  if (o.epochs < 1) throw Error(fmt::format("--epochs must be at least 1, got {}", o.epochs));
  if (o.batch_size < 1)
    throw Error(fmt::format("--batch-size must be at least 1, got {}", o.batch_size));
  if (o.patience < 0)
    throw Error(fmt::format("--patience must be >= 0 (0 = no early stopping), got {}", o.patience));
  if (!(o.delta >= 0) || !std::isfinite(o.delta))
    throw Error(fmt::format("--delta must be a finite number >= 0, got {}", o.delta));
  if (o.clip_mode != ClipMode::none && (!(o.clip > 0) || !std::isfinite(o.clip)))
    throw Error(fmt::format("--clip must be a finite number > 0, got {}", o.clip));
}

// Fisher-Yates with a plain modulo: fully specified by the mt19937_64 stream, so the order is
// the same with every standard library (std::shuffle's is not).
void shuffle_indices(std::vector<Index>& v, Rng& rng) {
  for (size_t i = v.size(); i > 1; --i) {
    const size_t j = static_cast<size_t>(rng() % i);
    std::swap(v[i - 1], v[j]);
  }
}

}  // namespace

template <typename T>
Trainer<T>::Trainer(ForecastNetwork<T>& network, const Windows& windows,
                    const TrainOptions& options, Workers* workers)
    : net_(network),
      windows_(windows),
      options_(options),
      loss_(options.loss, static_cast<T>(options.huber_delta)),
      params_(network.parameters()) {
  check_options(options_);
  if (net_.config().input_size != windows_.inputs() || net_.config().horizon != windows_.horizon())
    throw Error(fmt::format(
        "trainer: the network takes {} inputs and predicts {} values, the windows have {} and {}",
        net_.config().input_size, net_.config().horizon, windows_.inputs(), windows_.horizon()));
  optimizer_ = make_optimizer<T>(options_.optimizer, params_, options_.optimizer_config);
  if (workers && workers->size() > 1) {
    workers_ = workers;
    sync_ = std::make_unique<ParameterSync<T>>(*workers, params_);
    // the same seed draws the same weights everywhere; rank 0's make sure of it
    sync_->broadcast_values(0);
  }
}

template <typename T>
std::span<const Index> Trainer<T>::share(const Index* windows, Index count) const {
  const std::span<const Index> all(windows, static_cast<size_t>(count));
  if (!workers_) return all;
  const WorkShare s = work_share(count, workers_->rank(), workers_->size());
  return all.subspan(static_cast<size_t>(s.begin), static_cast<size_t>(s.size));
}

template <typename T>
double Trainer<T>::evaluate(Range range) {
  constexpr Index kChunk = 1024;
  net_.eval();
  // this worker's share of the range (eval mode: no communication inside the network)
  Range mine = range;
  if (workers_) {
    const WorkShare s = work_share(range.size(), workers_->rank(), workers_->size());
    mine = {range.begin + s.begin, range.begin + s.begin + s.size};
  }
  double sum = 0;
  for (Index b = mine.begin; b < mine.end; b += kChunk) {
    const Index n = std::min(kChunk, mine.end - b);
    chunk_.resize(static_cast<size_t>(n));
    std::iota(chunk_.begin(), chunk_.end(), b);
    windows_.gather(x_, y_, chunk_);
    const ConstMatrixMap<T> pred = net_.forward(x_.view(), windows_.lookback());
    // mean over the chunk's values, weighted by its share of the windows
    sum += static_cast<double>(loss_.value(pred, y_.view())) * static_cast<double>(n);
  }
  if (workers_) workers_->sum(&sum, 1);
  return sum / static_cast<double>(range.size());
}

template <typename T>
TrainingHistory Trainer<T>::fit(Range train, Range validation, Rng& rng,
                                const TrainCallbacks& callbacks) {
  return run(train, validation, rng, callbacks, nullptr);
}

template <typename T>
TrainingHistory Trainer<T>::resume(const TrainerState<T>& from, Range train, Range validation,
                                   const TrainCallbacks& callbacks) {
  Rng rng = from.rng;
  return run(train, validation, rng, callbacks, &from);
}

template <typename T>
TrainingHistory Trainer<T>::run(Range train, Range validation, Rng& rng,
                                const TrainCallbacks& callbacks, const TrainerState<T>* from) {
  if (train.empty()) throw Error("trainer: the training part holds no window");
  if (validation.empty()) throw Error("trainer: the validation part holds no window");
  const Index n = train.size(), B = options_.batch_size, L = windows_.lookback();
  const bool batch_norm = net_.config().norm == LstmNorm::batch;
  // data-parallel: the batch statistics of the whole batch, for as long as fit runs
  struct StatsScope {
    ForecastNetwork<T>& net;
    explicit StatsScope(ForecastNetwork<T>& n, Workers* w) : net(n) {
      if (w) net.set_stats_reducer(&w->batch_stats());
    }
    ~StatsScope() { net.set_stats_reducer(nullptr); }
  } stats_scope(net_, workers_);
  if (batch_norm && n < 2)
    throw Error("trainer: --norm batch needs at least 2 training windows, the training part has 1");
  // batch norm cannot normalise a batch of one: a lone last window joins the batch before it
  const Index batches = (batch_norm && n > B && n % B == 1) ? n / B : (n + B - 1) / B;

  TrainingHistory history;
  history.loss = to_string(options_.loss);
  history.epochs.reserve(static_cast<size_t>(options_.epochs) + 1);  // and epoch 0
  EarlyStopping stopping(std::max(options_.patience, 1), options_.delta);
  // weights and running statistics of the lowest validation loss (copied again in place)
  typename ForecastNetwork<T>::State best;
  bool has_best = false;
  order_.resize(static_cast<size_t>(n));
  std::iota(order_.begin(), order_.end(), train.begin);
  int first_epoch = 1;
  if (from) {
    // everything checked before anything is changed
    if (from->epochs_run() >= options_.epochs)
      throw Error(fmt::format(
          "--epochs {}: the run already has {} epochs; --epochs counts them all (the earlier "
          "ones included), so give more than {}",
          options_.epochs, from->epochs_run(), from->epochs_run()));
    std::vector<Index> sorted = from->order;
    std::sort(sorted.begin(), sorted.end());
    if (sorted != order_)
      throw Error(fmt::format(
          "trainer: the saved window order is not a permutation of the training windows [{}, {})",
          train.begin, train.end));
    EarlyStopping restored =
        EarlyStopping::restore(stopping.patience(), options_.delta, from->stopping);
    optimizer_->load_state(from->optimizer, "");  // checks type and shapes first
    net_.set_state(from->weights);                // checks shapes first
    stopping = restored;
    order_ = from->order;
    history.epochs = from->history.epochs;
    has_best = !from->best.parameters.empty();
    if (has_best) best = from->best;
    first_epoch = from->epochs_run() + 1;
  }

  // the windows whose statistics replace the running averages after each epoch
  const bool recalibrate = batch_norm && options_.recalibrate_bn;
  if (recalibrate) {
    const Index cap = std::max<Index>(2, 8192 / L), m = std::min(n, cap);
    recal_.resize(static_cast<size_t>(m));
    for (Index k = 0; k < m; ++k) recal_[static_cast<size_t>(k)] = train.begin + k * n / m;
    windows_.gather_inputs(x_recal_, share(recal_.data(), m));
  }

  // epoch 0: the starting weights, scored like an epoch
  if (options_.score_initial && !from) {
    if (recalibrate) net_.recalibrate_batch_norm(x_recal_, L);
    const EpochRecord record{0, evaluate(train), evaluate(validation)};
    history.epochs.push_back(record);
    stopping.set_initial(record.val_loss);
    net_.copy_state(best);
    has_best = true;
    if (callbacks.on_epoch) callbacks.on_epoch(record, stopping);
  }
  // a resumed run whose patience had run out ends where the uninterrupted run ended
  if (from && options_.patience > 0 && stopping.should_stop()) history.stopped_early = true;
  // data-parallel: the workers agree (any one asking stops all, at the same batch); every worker
  // runs the same program, so all have should_stop or none has and the collective matches
  const auto stop_requested = [&] {
    if (!callbacks.should_stop) return false;
    double asked = callbacks.should_stop() ? 1.0 : 0.0;
    if (workers_) workers_->sum(&asked, 1);
    return asked > 0;
  };

  for (int epoch = first_epoch;
       epoch <= options_.epochs && !history.stopped_by_request && !history.stopped_early; ++epoch) {
    if (options_.shuffle) shuffle_indices(order_, rng);
    net_.train();
    double loss_sum = 0;
    Index seen = 0;
    for (Index b = 0; b < batches; ++b) {
      const Index begin = b * B, end = (b == batches - 1) ? n : begin + B;
      const std::span<const Index> idx = share(order_.data() + begin, end - begin);
      const Index mine = static_cast<Index>(idx.size());
      // an empty share still runs when the batch statistics need its part in their collectives
      const bool run = mine > 0 || (workers_ && batch_norm);
      // forward
      windows_.gather(x_, y_, idx);
      const ConstMatrixMap<T> pred =
          run ? net_.forward(x_.view(), L) : ConstMatrixMap<T>(nullptr, 0, 0);
      const double batch_loss = mine > 0 ? static_cast<double>(loss_.value(pred, y_.view())) : 0.0;
      double batch_sum = batch_loss * static_cast<double>(mine);
      const auto check_loss = [&](double loss) {
        if (!std::isfinite(loss))
          throw Error(fmt::format(
              "training diverged at epoch {} (batch loss {}); try a lower --lr or a --clip", epoch,
              loss));
      };
      if (!workers_) check_loss(batch_loss);
      // backward
      optimizer_->zero_grad();
      if (mine > 0) {
        loss_.gradient(pred, y_.view(), dy_);
        // d(whole batch's mean loss) / d(this share's predictions)
        if (workers_) dy_.view() *= static_cast<T>(double(mine) / double(end - begin));
      } else {
        dy_.resize(0, net_.config().horizon);
      }
      if (run) net_.backward(dy_.view());
      if (workers_) {
        // the gradients and the batch's loss summed over the workers in one collective; a
        // diverged loss is then seen by every worker, before any step
        sync_->sum_gradients(&batch_sum, 1);
        check_loss(batch_sum / static_cast<double>(end - begin));
      }
      loss_sum += batch_sum;
      seen = end;
      // clip and step
      if (options_.clip_mode == ClipMode::value)
        clip_grad_value(params_, static_cast<T>(options_.clip));
      if (options_.clip_mode == ClipMode::norm)
        clip_grad_norm(params_, static_cast<T>(options_.clip));
      optimizer_->step();
      if (callbacks.on_batch)
        callbacks.on_batch(
            {epoch, b + 1, batches, loss_sum / static_cast<double>(seen), first_epoch});
      if (b + 1 < batches && stop_requested()) {
        history.stopped_by_request = true;
        break;
      }
    }

    if (recalibrate) net_.recalibrate_batch_norm(x_recal_, L);
    EpochRecord record{epoch, loss_sum / static_cast<double>(seen), evaluate(validation)};
    history.epochs.push_back(record);
    if (stopping.update(record.val_loss)) {
      net_.copy_state(best);
      has_best = true;
    }
    if (callbacks.on_epoch) callbacks.on_epoch(record, stopping);
    if (!history.stopped_by_request && stop_requested()) history.stopped_by_request = true;
    if (history.stopped_by_request) break;
    if (options_.patience > 0 && stopping.should_stop()) {
      history.stopped_early = epoch < options_.epochs;
      break;
    }
  }

  history.best_epoch = stopping.best_epoch();
  // where this run stopped, for resume(): before the best weights replace the last ones
  state_.history = history;
  state_.stopping = stopping.state();
  state_.rng = rng;
  state_.order = order_;
  state_.optimizer = TensorFile();
  optimizer_->save_state(state_.optimizer, "");
  net_.copy_state(state_.weights);
  if (has_best) {
    state_.best = best;
  } else {
    state_.best = {};
  }
  if (options_.restore_best && has_best) net_.set_state(best);
  if (!options_.restore_best) history.best_epoch = history.epochs.back().epoch;
  net_.eval();
  return history;
}

template class Trainer<float>;
template class Trainer<double>;

}  // namespace bnlstm
