#include "bnlstm/classify/classifier_trainer.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "bnlstm/nn/cross_entropy.hpp"
#include "bnlstm/optim/clip.hpp"

namespace bnlstm {
namespace {

// Fisher-Yates on the Rng's raw stream (the same with every standard library).
void shuffle_indices(std::vector<Index>& v, Rng& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[static_cast<size_t>(rng() % i)]);
}

constexpr Index kEvalBatch = 500;

// This worker's contiguous share of items (all of them without workers).
std::span<const Index> share_of(std::span<const Index> items, Workers* workers) {
  if (!workers) return items;
  const WorkShare s =
      work_share(static_cast<Index>(items.size()), workers->rank(), workers->size());
  return items.subspan(static_cast<size_t>(s.begin), static_cast<size_t>(s.size));
}

// Eval-mode pass over images in batches; x, probs, labels are scratch. With workers each
// evaluates its share; loss sum, correct count and confusion matrix are summed over them.
template <typename T>
ClassificationEval run_eval(SequenceClassifier<T>& net, const ImageSequences& data,
                            std::span<const Index> images, MatrixBuffer<T>& x,
                            MatrixBuffer<T>& probs, std::vector<int32_t>& labels,
                            Workers* workers) {
  if (images.empty()) throw Error("evaluation: no images to evaluate");
  const Index K = net.config().classes;
  ClassificationEval e;
  e.count = static_cast<Index>(images.size());
  e.confusion = Matrix<int64_t>::Zero(K, K);
  net.eval();
  double loss_sum = 0;
  Index correct = 0;
  const std::span<const Index> mine = share_of(images, workers);
  const Index count = static_cast<Index>(mine.size());
  for (Index b = 0; b < count; b += kEvalBatch) {
    const Index n = std::min(kEvalBatch, count - b);
    data.gather(x, labels, mine.subspan(static_cast<size_t>(b), static_cast<size_t>(n)));
    const ConstMatrixMap<T> logits = net.forward(x.view(), data.steps());
    loss_sum += static_cast<double>(cross_entropy_forward(probs, logits, labels)) * n;
    for (Index k = 0; k < n; ++k) {
      const Index predicted = argmax_row<T>(logits, k), truth = labels[static_cast<size_t>(k)];
      ++e.confusion(truth, predicted);
      correct += predicted == truth;
    }
  }
  if (workers) {
    // loss sum, correct count, confusion matrix: one collective (counts exact in double)
    std::vector<double> sums(static_cast<size_t>(2 + K * K));
    sums[0] = loss_sum;
    sums[1] = static_cast<double>(correct);
    for (Index i = 0; i < K * K; ++i)
      sums[static_cast<size_t>(2 + i)] = double(e.confusion.data()[i]);
    workers->sum(sums.data(), static_cast<Index>(sums.size()));
    loss_sum = sums[0];
    correct = static_cast<Index>(sums[1]);
    for (Index i = 0; i < K * K; ++i)
      e.confusion.data()[i] = static_cast<int64_t>(sums[static_cast<size_t>(2 + i)]);
  }
  e.loss = loss_sum / static_cast<double>(e.count);
  e.accuracy = static_cast<double>(correct) / static_cast<double>(e.count);
  return e;
}

}  // namespace

double ClassificationHistory::seconds_per_epoch() const {
  if (points.empty() || steps_per_epoch == 0) return 0;
  const EvalPoint& last = points.back();
  return last.train_seconds /
         (static_cast<double>(last.step) / static_cast<double>(steps_per_epoch));
}

std::string ClassificationHistory::to_csv() const {
  std::string s = "step,epoch,train_loss,train_accuracy,val_loss,val_accuracy,train_seconds\n";
  for (const EvalPoint& p : points)
    s += fmt::format("{},{},{},{},{},{},{}\n", p.step, p.epoch, p.train_loss, p.train_accuracy,
                     p.val_loss, p.val_accuracy, p.train_seconds);
  return s;
}

std::string ClassificationHistory::to_json() const {
  nlohmann::ordered_json j;
  j["steps_per_epoch"] = steps_per_epoch;
  j["best_step"] = best_step;
  j["seconds_per_epoch"] = seconds_per_epoch();
  auto column = [&](auto member) {
    nlohmann::json a = nlohmann::json::array();
    for (const EvalPoint& p : points) a.push_back(p.*member);
    return a;
  };
  j["step"] = column(&EvalPoint::step);
  j["epoch"] = column(&EvalPoint::epoch);
  j["train_loss"] = column(&EvalPoint::train_loss);
  j["train_accuracy"] = column(&EvalPoint::train_accuracy);
  j["val_loss"] = column(&EvalPoint::val_loss);
  j["val_accuracy"] = column(&EvalPoint::val_accuracy);
  j["train_seconds"] = column(&EvalPoint::train_seconds);
  return j.dump(2) + "\n";
}

template <typename T>
ClassifierTrainer<T>::ClassifierTrainer(SequenceClassifier<T>& classifier,
                                        const ImageSequences& data,
                                        const ClassifierTrainOptions& options, Workers* workers)
    : net_(classifier), data_(data), options_(options), params_(classifier.parameters()) {
  const bool batch_norm = net_.config().norm == LstmNorm::batch;
  if (options.epochs < 1)
    throw Error(fmt::format("--epochs must be at least 1, got {}", options.epochs));
  if (options.batch_size < (batch_norm ? 2 : 1))
    throw Error(fmt::format("--batch-size must be at least {}, got {}", batch_norm ? 2 : 1,
                            options.batch_size));
  if (options.eval_every < 0)
    throw Error(fmt::format("--eval-every must be >= 0, got {}", options.eval_every));
  if (options.clip_mode != ClipMode::none && (!(options.clip > 0) || !std::isfinite(options.clip)))
    throw Error(fmt::format("--clip must be a finite number > 0, got {}", options.clip));
  if (net_.config().input_size != data.inputs())
    throw Error(fmt::format("classifier takes {} values per step, the view '{}' has {}",
                            net_.config().input_size, to_string(data.view()), data.inputs()));
  for (int32_t label : data.images().labels)
    if (label >= net_.config().classes)
      throw Error(fmt::format("classifier has {} classes, the data has label {}",
                              net_.config().classes, label));
  optimizer_ = make_optimizer<T>(options.optimizer, params_, options.optimizer_config);
  if (workers && workers->size() > 1) {
    workers_ = workers;
    sync_ = std::make_unique<ParameterSync<T>>(*workers, params_);
    sync_->broadcast_values(0);  // the same seed draws the same weights; rank 0's for sure
  }
}

template <typename T>
double ClassifierTrainer<T>::train_step(std::span<const Index> batch, Rng& noise_rng,
                                        Index& correct) {
  const Index B = static_cast<Index>(batch.size());
  const std::span<const Index> idx = share_of(batch, workers_);
  const Index mine = static_cast<Index>(idx.size());
  const Index first = workers_ ? work_share(B, workers_->rank(), workers_->size()).begin : 0;
  // an empty share still runs when the batch statistics need its part in their collectives
  const bool run = mine > 0 || (workers_ && net_.config().norm == LstmNorm::batch);
  const auto check_loss = [&](double loss) {
    if (!std::isfinite(loss))
      throw Error(fmt::format("training diverged at step {} (batch loss {}); try a lower --lr",
                              optimizer_->steps() + 1, loss));
  };
  // batch -> forward -> loss
  data_.gather(x_, labels_, idx);
  const ConstMatrixMap<T> logits =
      run ? net_.forward(x_.view(), data_.steps(), &noise_rng, first, workers_ ? B : 0)
          : ConstMatrixMap<T>(nullptr, 0, 0);
  if (!run) net_.skip_noise(B, noise_rng);  // an empty share: the same draws as the others
  double loss = 0, hits = 0;
  if (mine > 0) {
    loss = static_cast<double>(cross_entropy_forward(probs_, logits, labels_));
    hits = static_cast<double>(count_correct<T>(logits, labels_));
  }
  if (!workers_) check_loss(loss);
  // backward
  optimizer_->zero_grad();
  if (mine > 0) {
    cross_entropy_backward(dlogits_, probs_.view(), labels_);
    // d(whole batch's mean loss) / d(this share's logits)
    if (workers_) dlogits_.view() *= static_cast<T>(double(mine) / double(B));
  } else {
    dlogits_.resize(0, net_.config().classes);
  }
  if (run) net_.backward(dlogits_.view());
  if (workers_) {
    // gradients, the batch's loss sum and correct count over the workers in one collective
    double extra[2] = {loss * double(mine), hits};
    sync_->sum_gradients(extra, 2);
    loss = extra[0] / double(B);
    hits = extra[1];
    check_loss(loss);
  }
  correct += static_cast<Index>(std::llround(hits));
  // clip -> step
  if (options_.clip_mode == ClipMode::norm) clip_grad_norm(params_, static_cast<T>(options_.clip));
  if (options_.clip_mode == ClipMode::value)
    clip_grad_value(params_, static_cast<T>(options_.clip));
  optimizer_->step();
  return loss;
}

template <typename T>
ClassificationEval ClassifierTrainer<T>::evaluate(std::span<const Index> images) {
  return run_eval(net_, data_, images, x_, probs_, labels_, workers_);
}

template <typename T>
ClassificationHistory ClassifierTrainer<T>::fit(std::span<const Index> train,
                                                std::span<const Index> validation, Rng& data_rng,
                                                Rng& noise_rng,
                                                const ClassifierCallbacks& callbacks) {
  const Index n = static_cast<Index>(train.size()), B = options_.batch_size;
  if (n == 0) throw Error("classifier training: no training images");
  if (validation.empty()) throw Error("classifier training: no validation images");
  if (net_.config().norm == LstmNorm::batch && n < 2)
    throw Error("classifier training: --norm batch needs at least 2 training images");
  // whole batches only (the last partial one is dropped, as torch's drop_last); fewer images
  // than a batch make one smaller batch
  const Index batch = std::min(B, n), batches = n / batch;
  const int64_t total = batches * options_.epochs;
  const int64_t eval_every = options_.eval_every > 0 ? options_.eval_every : batches;

  // data-parallel: the batch statistics of the whole batch, for as long as fit runs
  struct StatsScope {
    SequenceClassifier<T>& net;
    StatsScope(SequenceClassifier<T>& n, Workers* w) : net(n) {
      if (w) net.set_stats_reducer(&w->batch_stats());
    }
    ~StatsScope() { net.set_stats_reducer(nullptr); }
  } stats_scope(net_, workers_);

  ClassificationHistory history;
  history.steps_per_epoch = batches;
  typename SequenceClassifier<T>::State best;
  double best_accuracy = -1;
  order_.assign(train.begin(), train.end());
  double seconds = 0, loss_sum = 0;
  Index correct = 0, seen = 0;
  int64_t step = 0, since = 0;
  for (int epoch = 1; epoch <= options_.epochs; ++epoch) {
    shuffle_indices(order_, data_rng);
    for (Index b = 0; b < batches; ++b) {
      const auto t0 = std::chrono::steady_clock::now();
      net_.train();
      const std::span<const Index> idx(order_.data() + b * batch, static_cast<size_t>(batch));
      loss_sum += train_step(idx, noise_rng, correct);
      seen += batch;
      ++step;
      ++since;
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (callbacks.on_step) callbacks.on_step(step, total);
      if (step % eval_every != 0 && step != total) continue;
      // validation point
      const ClassificationEval v = evaluate(validation);
      EvalPoint p;
      p.step = step;
      p.epoch = static_cast<double>(step) / static_cast<double>(batches);
      p.train_loss = loss_sum / static_cast<double>(since);
      p.train_accuracy = static_cast<double>(correct) / static_cast<double>(seen);
      p.val_loss = v.loss;
      p.val_accuracy = v.accuracy;
      p.train_seconds = seconds;
      history.points.push_back(p);
      if (v.accuracy > best_accuracy) {
        best_accuracy = v.accuracy;
        history.best_step = step;
        if (options_.restore_best) net_.copy_state(best);
      }
      if (callbacks.on_eval) callbacks.on_eval(p);
      loss_sum = 0;
      correct = seen = since = 0;
    }
  }
  if (options_.restore_best) {
    net_.set_state(best);
  } else {
    history.best_step = step;
  }
  net_.eval();
  return history;
}

template <typename T>
ClassificationEval evaluate_classifier(SequenceClassifier<T>& classifier,
                                       const ImageSequences& data, std::span<const Index> images,
                                       Workers* workers) {
  MatrixBuffer<T> x, probs;
  std::vector<int32_t> labels;
  Workers* several = workers && workers->size() > 1 ? workers : nullptr;
  return run_eval(classifier, data, images, x, probs, labels, several);
}

template class ClassifierTrainer<float>;
template class ClassifierTrainer<double>;
template ClassificationEval evaluate_classifier<float>(SequenceClassifier<float>&,
                                                       const ImageSequences&,
                                                       std::span<const Index>, Workers*);
template ClassificationEval evaluate_classifier<double>(SequenceClassifier<double>&,
                                                        const ImageSequences&,
                                                        std::span<const Index>, Workers*);

}  // namespace bnlstm
