#pragma once
// The loss curve of one training run: training and validation loss per epoch, which epoch's
// weights were kept, and whether early stopping ended the run. Written as CSV (for
// spreadsheets and gnuplot) and JSON (for scripts), each atomically. Numbers are written in
// their shortest round-trip form, so two identical runs give byte-identical files.
#include <filesystem>
#include <string>
#include <vector>

namespace bnlstm {

struct EpochRecord {
  int epoch = 0;          // 1-based; 0 = the starting weights (TrainOptions::score_initial)
  double train_loss = 0;  // mean loss over the epoch's training windows (as they were seen)
  double val_loss = 0;    // loss on the validation windows after the epoch (eval mode)
};

// "validation" or, under the notebook's protocol, "test": what the second curve was measured
// on, and so what every output calls it.
enum class ValidationPart { validation, test };

struct TrainingHistory {
  std::string loss;  // loss name, e.g. "mse"
  ValidationPart part = ValidationPart::validation;
  std::vector<EpochRecord> epochs;  // in order; epochs[0] is epoch 0 when it was scored
  int best_epoch = 0;  // the epoch whose weights were kept (lowest validation loss; 0 = start)
  bool stopped_early = false;       // true when early stopping ended the run before --epochs
  bool stopped_by_request = false;  // true when TrainCallbacks::should_stop ended it

  // "validation loss" or "test loss"; column and key names "val_loss" or "test_loss"
  std::string part_label() const;
  std::string part_key() const;
  // the record of an epoch number, nullptr when there is none
  const EpochRecord* find(int epoch) const;

  // "epoch,train_loss,val_loss\n1,0.0123,0.0456\n..." (test_loss under the notebook's protocol)
  std::string to_csv() const;
  // {"loss": "mse", "validation_part": "validation", "best_epoch": 7, "stopped_early": true,
  //  "epochs": [1, ...], "train_loss": [...], "val_loss": [...]} (or "test" and "test_loss";
  //  "stopped_by_request": true only when it was)
  std::string to_json() const;
  // Parses to_json() output; throws bnlstm::Error naming `source` when it is not one.
  static TrainingHistory from_json(const std::string& text, const std::string& source);

  // Both files written atomically (folders created); throws bnlstm::Error naming the path.
  void save(const std::filesystem::path& csv_path, const std::filesystem::path& json_path) const;
};

}  // namespace bnlstm
