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
  int epoch = 0;          // 1-based
  double train_loss = 0;  // mean loss over the epoch's training windows (as they were seen)
  double val_loss = 0;    // loss on the validation windows after the epoch (eval mode)
};

struct TrainingHistory {
  std::string loss;  // loss name, e.g. "mse"
  std::vector<EpochRecord> epochs;
  int best_epoch = 0;          // the epoch whose weights were kept (lowest validation loss)
  bool stopped_early = false;  // true when early stopping ended the run before --epochs

  // "epoch,train_loss,val_loss\n1,0.0123,0.0456\n..."
  std::string to_csv() const;
  // {"loss": "mse", "best_epoch": 7, "stopped_early": true, "epochs": [1, ...],
  //  "train_loss": [...], "val_loss": [...]}
  std::string to_json() const;
  // Parses to_json() output; throws bnlstm::Error naming `source` when it is not one.
  static TrainingHistory from_json(const std::string& text, const std::string& source);

  // Both files written atomically (folders created); throws bnlstm::Error naming the path.
  void save(const std::filesystem::path& csv_path, const std::filesystem::path& json_path) const;
};

}  // namespace bnlstm
