#pragma once
// Mini-batch training of a SequenceClassifier on image sequences, evaluated on a validation set
// every `eval_every` optimizer steps (curves against steps, as Cooijmans et al. plot them).
//
// One optimizer step, top to bottom (train_step):
//   gather x (L*B, I), labels (B)  -> classifier.forward (noisy h_0) -> cross-entropy -> dlogits
//   zero grads, classifier.backward -> clip (global norm or value) -> optimizer.step
// Data-parallel (a Workers with several workers, train/workers.hpp): every worker builds the same
// classifier from the same seeds and calls fit with the same images and options; each batch is
// split into contiguous shares (work_share), each worker runs its share with the whole batch's
// batch statistics and its rows of the whole batch's h_0 noise, the loss gradient is scaled by
// share / batch, and the gradients are summed over the workers (with the batch's loss and correct
// count, in one collective) before clipping and the step. Validation and test evaluation split
// the images the same way and sum loss, correct count and confusion matrix.
// The training order is shuffled every epoch by the Rng given to fit (the data-order generator,
// separate from the one that drew the weights and the one that draws the h_0 noise), so
// variants trained with the same seeds see the same batches in the same order.
// After the last step the weights of the best validation accuracy are kept (restore_best).
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bnlstm/classify/sequence_classifier.hpp"
#include "bnlstm/core/matrix_buffer.hpp"
#include "bnlstm/data/image_sequences.hpp"
#include "bnlstm/optim/optimizer.hpp"
#include "bnlstm/train/trainer.hpp"  // ClipMode
#include "bnlstm/train/workers.hpp"

namespace bnlstm {

struct ClassifierTrainOptions {
  int epochs = 1;
  Index batch_size = 100;  // Cooijmans et al.
  OptimizerKind optimizer = OptimizerKind::rmsprop;
  OptimizerConfig optimizer_config = {.lr = 1e-3, .momentum = 0.9};  // Cooijmans et al.
  ClipMode clip_mode = ClipMode::norm;
  double clip = 1.0;
  int64_t eval_every = 0;    // optimizer steps between validations; 0 = once per epoch
  bool restore_best = true;  // keep the weights of the highest validation accuracy
};

// A classifier's loss, accuracy and confusion matrix on a set of images.
struct ClassificationEval {
  double loss = 0;      // mean cross-entropy
  double accuracy = 0;  // fraction correct, in [0, 1]
  Index count = 0;
  Matrix<int64_t> confusion;  // (K, K): row = true class, column = predicted
};

// One validation point of a run.
struct EvalPoint {
  int64_t step = 0;           // optimizer steps so far
  double epoch = 0;           // steps / steps per epoch
  double train_loss = 0;      // mean batch loss over the steps since the previous point
  double train_accuracy = 0;  // on those batches, in training mode
  double val_loss = 0, val_accuracy = 0;
  double train_seconds = 0;  // training time so far, validation excluded
};

struct ClassificationHistory {
  std::vector<EvalPoint> points;
  int64_t steps_per_epoch = 0;
  int64_t best_step = 0;             // the point whose weights were kept
  double seconds_per_epoch() const;  // training time (validation excluded) per epoch

  // "step,epoch,train_loss,train_accuracy,val_loss,val_accuracy,train_seconds\n..."
  std::string to_csv() const;
  std::string to_json() const;
};

struct ClassifierCallbacks {
  std::function<void(const EvalPoint&)> on_eval;
  std::function<void(int64_t step, int64_t total_steps)> on_step;
};

template <typename T>
class ClassifierTrainer {
 public:
  // Throws bnlstm::Error for epochs < 1, batch_size < 2 with norm batch (< 1 otherwise), a bad
  // clip, or a classifier whose input size / classes do not fit the data.
  // workers: data-parallel training (nullptr, or a single worker: one process).
  ClassifierTrainer(SequenceClassifier<T>& classifier, const ImageSequences& data,
                    const ClassifierTrainOptions& options, Workers* workers = nullptr);

  // Trains on images `train`, validates on `validation` (indices into the data, both
  // non-empty). data_rng shuffles; noise_rng draws the h_0 noise. Throws bnlstm::Error when the
  // loss stops being finite.
  ClassificationHistory fit(std::span<const Index> train, std::span<const Index> validation,
                            Rng& data_rng, Rng& noise_rng,
                            const ClassifierCallbacks& callbacks = {});

  // Eval mode, batches of 500 (the mode is left at eval); data-parallel: over every worker's
  // share of the images.
  ClassificationEval evaluate(std::span<const Index> images);

 private:
  // one optimizer step on images idx (the whole batch); returns the batch loss and adds its
  // correct count
  double train_step(std::span<const Index> idx, Rng& noise_rng, Index& correct);

  SequenceClassifier<T>& net_;
  const ImageSequences& data_;
  ClassifierTrainOptions options_;
  ParameterList<T> params_;
  std::unique_ptr<Optimizer<T>> optimizer_;
  std::vector<Index> order_;
  std::vector<int32_t> labels_;
  MatrixBuffer<T> x_, probs_, dlogits_;
  Workers* workers_ = nullptr;  // set only with more than one worker
  std::unique_ptr<ParameterSync<T>> sync_;
};

// The same evaluation for any classifier and data (the CLI's --model path); with workers, each
// evaluates its share and every worker returns the whole evaluation.
template <typename T>
ClassificationEval evaluate_classifier(SequenceClassifier<T>& classifier,
                                       const ImageSequences& data, std::span<const Index> images,
                                       Workers* workers = nullptr);

extern template class ClassifierTrainer<float>;
extern template class ClassifierTrainer<double>;

}  // namespace bnlstm
