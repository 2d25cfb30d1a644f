#pragma once
// One training run of a sequence classifier on an ImageTask, as `bnlstm classify` and every run
// of `bnlstm study` do it: build the network from the seed, train with validation points, then
// evaluate once on the test images.
//
// Three generators from the one seed: weights (make_rng(seed)), data order and h_0 noise (each
// from the seed mixed with its own constant). Variants that differ only in norm or optimizer
// therefore see the same batches in the same order, and start from the same W_ih, W_hh and head
// (drawn in the same order; batch/layer have no second bias and carry γ, β instead).
#include <cstdint>
#include <memory>

#include "bnlstm/classify/classifier_trainer.hpp"
#include "bnlstm/classify/image_task.hpp"
#include "bnlstm/classify/sequence_classifier.hpp"

namespace bnlstm {

struct ClassificationResult {
  std::unique_ptr<SequenceClassifier<float>> net;  // the kept weights (eval mode)
  ClassificationHistory history;
  ClassificationEval test;
  double seconds = 0;  // wall time of the whole run, validation and test included
};

// The seed's three generators: weights make_rng(seed), data order make_rng(seed ^ kDataSeedMix),
// h_0 noise make_rng(seed ^ kNoiseSeedMix) (tools/study_torch.py draws the same streams).
inline constexpr uint64_t kDataSeedMix = 0x9e3779b97f4a7c15ULL;
inline constexpr uint64_t kNoiseSeedMix = 0xd1b54a32d192ed03ULL;

// The network run_classification starts from with this seed, before any step (e.g. to start a
// reference implementation from the same weights). config.input_size and config.classes are
// taken from the task.
std::unique_ptr<SequenceClassifier<float>> initial_classifier(const ImageTask& task,
                                                              ClassifierConfig config,
                                                              uint64_t seed);

// config.input_size and config.classes are taken from the task. workers: data-parallel
// training and evaluation (every worker calls this with the same arguments); nullptr: one
// process.
ClassificationResult run_classification(const ImageTask& task, ClassifierConfig config,
                                        const ClassifierTrainOptions& options, uint64_t seed,
                                        const ClassifierCallbacks& callbacks = {},
                                        Workers* workers = nullptr);

}  // namespace bnlstm
