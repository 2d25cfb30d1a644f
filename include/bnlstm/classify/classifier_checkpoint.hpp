#pragma once
// A trained sequence classifier as one safetensors file: the network's parameters and batch-norm
// running statistics, the view the images are read through and, for the permuted task, the
// permutation itself ("permutation", I64 (steps)), so evaluation reads the images exactly as
// training did. Metadata: format "bnlstm-classifier", version 1, view, norm, input_size,
// hidden_size, classes, and the caller's training JSON.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bnlstm/classify/sequence_classifier.hpp"
#include "bnlstm/data/image_sequences.hpp"

namespace bnlstm {

struct ClassifierCheckpoint {
  ClassifierConfig config;
  SequenceView view = SequenceView::rows;
  std::vector<int32_t> permutation;  // empty: natural order
  std::string training_json;         // free-form, as the caller wrote it
};

// Written atomically.
void save_classifier(const std::filesystem::path& path, const SequenceClassifier<float>& net,
                     const ClassifierCheckpoint& info);

// Rebuilds the classifier with the stored weights. Throws bnlstm::Error naming the file when it
// is not a classifier checkpoint, a value is missing or malformed, or a tensor does not fit.
struct LoadedClassifier {
  ClassifierCheckpoint info;
  std::unique_ptr<SequenceClassifier<float>> net;
};
LoadedClassifier load_classifier(const std::filesystem::path& path);

}  // namespace bnlstm
