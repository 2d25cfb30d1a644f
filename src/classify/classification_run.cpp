#include "bnlstm/classify/classification_run.hpp"

#include <chrono>

namespace bnlstm {

std::unique_ptr<SequenceClassifier<float>> initial_classifier(const ImageTask& task,
                                                              ClassifierConfig config,
                                                              uint64_t seed) {
  config.input_size = task.train_data->inputs();
  config.classes = task.classes;
  Rng init = make_rng(seed);
  return std::make_unique<SequenceClassifier<float>>(config, init);
}

ClassificationResult run_classification(const ImageTask& task, ClassifierConfig config,
                                        const ClassifierTrainOptions& options, uint64_t seed,
                                        const ClassifierCallbacks& callbacks, Workers* workers) {
  const auto t0 = std::chrono::steady_clock::now();
  Rng data = make_rng(seed ^ kDataSeedMix);
  Rng noise = make_rng(seed ^ kNoiseSeedMix);
  ClassificationResult r;
  r.net = initial_classifier(task, config, seed);
  ClassifierTrainer<float> trainer(*r.net, *task.train_data, options, workers);
  r.history = trainer.fit(task.train, task.validation, data, noise, callbacks);
  r.test = evaluate_classifier(*r.net, *task.test_data, task.test, workers);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace bnlstm
