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
                    const TrainOptions& options)
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
}

template <typename T>
double Trainer<T>::evaluate(Range range) {
  constexpr Index kChunk = 1024;
  net_.eval();
  double sum = 0;
  for (Index b = range.begin; b < range.end; b += kChunk) {
    const Index n = std::min(kChunk, range.end - b);
    chunk_.resize(static_cast<size_t>(n));
    std::iota(chunk_.begin(), chunk_.end(), b);
    windows_.gather(x_, y_, chunk_);
    const ConstMatrixMap<T> pred = net_.forward(x_.view(), windows_.lookback());
    // mean over the chunk's values, weighted by its share of the windows
    sum += static_cast<double>(loss_.value(pred, y_.view())) * static_cast<double>(n);
  }
  return sum / static_cast<double>(range.size());
}

template <typename T>
TrainingHistory Trainer<T>::fit(Range train, Range validation, Rng& rng,
                                const TrainCallbacks& callbacks) {
  if (train.empty()) throw Error("trainer: the training part holds no window");
  if (validation.empty()) throw Error("trainer: the validation part holds no window");
  const Index n = train.size(), B = options_.batch_size, L = windows_.lookback();
  const bool batch_norm = net_.config().norm == LstmNorm::batch;
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
  order_.resize(static_cast<size_t>(n));
  std::iota(order_.begin(), order_.end(), train.begin);

  // the windows whose statistics replace the running averages after each epoch
  const bool recalibrate = batch_norm && options_.recalibrate_bn;
  if (recalibrate) {
    const Index cap = std::max<Index>(2, 8192 / L), m = std::min(n, cap);
    recal_.resize(static_cast<size_t>(m));
    for (Index k = 0; k < m; ++k) recal_[static_cast<size_t>(k)] = train.begin + k * n / m;
    windows_.gather_inputs(x_recal_, recal_);
  }

  // epoch 0: the starting weights, scored like an epoch
  if (options_.score_initial) {
    if (recalibrate) net_.recalibrate_batch_norm(x_recal_, L);
    const EpochRecord record{0, evaluate(train), evaluate(validation)};
    history.epochs.push_back(record);
    stopping.set_initial(record.val_loss);
    net_.copy_state(best);
    if (callbacks.on_epoch) callbacks.on_epoch(record, stopping);
  }
  const auto stop_requested = [&] { return callbacks.should_stop && callbacks.should_stop(); };

  for (int epoch = 1; epoch <= options_.epochs && !history.stopped_by_request; ++epoch) {
    if (options_.shuffle) shuffle_indices(order_, rng);
    net_.train();
    double loss_sum = 0;
    Index seen = 0;
    for (Index b = 0; b < batches; ++b) {
      const Index begin = b * B, end = (b == batches - 1) ? n : begin + B;
      const std::span<const Index> idx(order_.data() + begin, static_cast<size_t>(end - begin));
      // forward
      windows_.gather(x_, y_, idx);
      const ConstMatrixMap<T> pred = net_.forward(x_.view(), L);
      const T loss = loss_.value(pred, y_.view());
      if (!std::isfinite(static_cast<double>(loss)))
        throw Error(fmt::format(
            "training diverged at epoch {} (batch loss {}); try a lower --lr or a --clip", epoch,
            static_cast<double>(loss)));
      loss_sum += static_cast<double>(loss) * static_cast<double>(end - begin);
      seen = end;
      // backward
      loss_.gradient(pred, y_.view(), dy_);
      optimizer_->zero_grad();
      net_.backward(dy_.view());
      // clip and step
      if (options_.clip_mode == ClipMode::value)
        clip_grad_value(params_, static_cast<T>(options_.clip));
      if (options_.clip_mode == ClipMode::norm)
        clip_grad_norm(params_, static_cast<T>(options_.clip));
      optimizer_->step();
      if (callbacks.on_batch) callbacks.on_batch(epoch, b + 1, batches);
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
  const bool scored = stopping.best_epoch() > 0 || options_.score_initial;
  if (options_.restore_best && scored) net_.set_state(best);
  if (!options_.restore_best) history.best_epoch = history.epochs.back().epoch;
  net_.eval();
  return history;
}

template class Trainer<float>;
template class Trainer<double>;

}  // namespace bnlstm
