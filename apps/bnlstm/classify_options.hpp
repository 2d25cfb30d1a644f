#pragma once
// Flags shared by `bnlstm classify` and `bnlstm study` (the classification task, the network and
// the optimizer), as CLI11 typed options with ranges, and their conversion to library options.
#include <CLI/CLI.hpp>
#include <string>

#include "bnlstm/classify/classifier_trainer.hpp"
#include "bnlstm/classify/image_task.hpp"
#include "bnlstm/classify/sequence_classifier.hpp"

namespace bnlstm::cli {

struct ClassifyFlags {
  ImageTaskOptions task;
  ClassifierConfig net;
  ClassifierTrainOptions train;
  double gamma_init = 0;  // 0: the norm's default
  double clip = 1.0;      // 0: no clipping
  std::string optimizer = "rmsprop";
  double lr = 1e-3, momentum = 0.9;
  int threads = 1;
};

// --data-dir --view --permute --permutation-seed --val-size --train-limit --test-limit
void add_task_flags(CLI::App* cmd, ImageTaskOptions& task);
// --hidden --input-init --recurrent-init --forget-bias --gamma-init --h0-noise (and --norm
// when with_norm)
void add_network_flags(CLI::App* cmd, ClassifyFlags& f, bool with_norm);
// --epochs --batch-size --eval-every --clip --clip-mode --threads (and --optimizer --lr
// --momentum when with_optimizer)
void add_training_flags(CLI::App* cmd, ClassifyFlags& f, bool with_optimizer);

// The flags turned into library options: gamma, clip 0, optimizer name -> kind and config.
ClassifierConfig network_config(const ClassifyFlags& f);
ClassifierTrainOptions train_options(const ClassifyFlags& f, const std::string& optimizer,
                                     double lr);

}  // namespace bnlstm::cli
