#include "bnlstm/classify/classification_run.hpp"

#include <chrono>

namespace bnlstm {

ClassificationResult run_classification(const ImageTask& task, ClassifierConfig config,
                                        const ClassifierTrainOptions& options, uint64_t seed,
                                        const ClassifierCallbacks& callbacks, Workers* workers) {
  const auto t0 = std::chrono::steady_clock::now();
  config.input_size = task.train_data->inputs();
  config.classes = task.classes;
  Rng init = make_rng(seed);
  Rng data = make_rng(seed ^ 0x9e3779b97f4a7c15ULL);
  Rng noise = make_rng(seed ^ 0xd1b54a32d192ed03ULL);
  ClassificationResult r;
  r.net = std::make_unique<SequenceClassifier<float>>(config, init);
  ClassifierTrainer<float> trainer(*r.net, *task.train_data, options, workers);
  r.history = trainer.fit(task.train, task.validation, data, noise, callbacks);
  r.test = evaluate_classifier(*r.net, *task.test_data, task.test, workers);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace bnlstm
