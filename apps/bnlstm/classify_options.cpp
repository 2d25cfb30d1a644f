#include "classify_options.hpp"

#include <map>

namespace bnlstm::cli {

namespace {

const std::map<std::string, SequenceView> kViews = {{"rows", SequenceView::rows},
                                                    {"pixels", SequenceView::pixels},
                                                    {"pixels14", SequenceView::pixels14}};
const std::map<std::string, InitScheme> kInits = {{"orthogonal", InitScheme::orthogonal},
                                                  {"identity", InitScheme::identity},
                                                  {"xavier", InitScheme::xavier},
                                                  {"glorot_uniform", InitScheme::glorot_uniform},
                                                  {"he", InitScheme::he},
                                                  {"uniform", InitScheme::uniform},
                                                  {"random", InitScheme::random}};
const std::map<std::string, ClipMode> kClipModes = {
    {"norm", ClipMode::norm}, {"value", ClipMode::value}, {"none", ClipMode::none}};

}  // namespace

void add_task_flags(CLI::App* cmd, ImageTaskOptions& t) {
  cmd->add_option("--data-dir", t.dir,
                  "Folder with Fashion-MNIST's four IDX files (plain or .gz; Debian's "
                  "dataset-fashion-mnist)")
      ->type_name("DIR")
      ->capture_default_str();
  cmd->add_option("--view", t.view,
                  "Sequence view: rows (28 x 28), pixels (784 x 1), pixels14 (196 x 1)")
      ->transform(CLI::CheckedTransformer(kViews))
      ->default_str("rows");
  cmd->add_flag("--permute", t.permuted, "Read the steps under a fixed random permutation");
  cmd->add_option("--permutation-seed", t.permutation_seed, "Seed of the permutation")
      ->capture_default_str();
  cmd->add_option("--val-size", t.val_size, "Training images held out for validation (the last)")
      ->check(CLI::Range(Index{1}, Index{1} << 30))
      ->capture_default_str();
  cmd->add_option("--train-limit", t.train_limit, "Train on the first N training images (0 = all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--test-limit", t.test_limit, "Test on the first N test images (0 = all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

void add_network_flags(CLI::App* cmd, ClassifyFlags& f, bool with_norm) {
  if (with_norm)
    cmd->add_option("--norm", f.net.norm, "LSTM normalization: batch, layer or none")
        ->transform(CLI::CheckedTransformer(std::map<std::string, LstmNorm>{
            {"none", LstmNorm::none}, {"batch", LstmNorm::batch}, {"layer", LstmNorm::layer}}))
        ->default_str("batch");
  cmd->add_option("--hidden", f.net.hidden_size, "LSTM hidden size")
      ->check(CLI::Range(Index{1}, Index{4096}))
      ->capture_default_str();
  cmd->add_option("--input-init", f.net.input_init, "Init of W_ih (per gate) and the head")
      ->transform(CLI::CheckedTransformer(kInits))
      ->default_str("orthogonal");
  cmd->add_option("--recurrent-init", f.net.recurrent_init, "Init of W_hh (per gate)")
      ->transform(CLI::CheckedTransformer(kInits))
      ->default_str("identity");
  cmd->add_option("--forget-bias", f.net.forget_bias, "Initial forget-gate bias")
      ->check(CLI::Range(-10.0, 10.0))
      ->capture_default_str();
  cmd->add_option("--gamma-init", f.gamma_init,
                  "Initial γ of the normalizations (0 = default: 0.1 batch, 1 layer)")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  cmd->add_option("--h0-noise", f.net.h0_noise, "Std of the noise on h_0 in training (0 = off)")
      ->check(CLI::Range(0.0, 10.0))
      ->capture_default_str();
}

void add_training_flags(CLI::App* cmd, ClassifyFlags& f, bool with_optimizer) {
  cmd->add_option("--epochs", f.train.epochs, "Epochs")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--batch-size", f.train.batch_size, "Images per optimizer step")
      ->check(CLI::Range(Index{1}, Index{1} << 20))
      ->capture_default_str();
  cmd->add_option("--eval-every", f.train.eval_every,
                  "Optimizer steps between validations (0 = once per epoch)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--clip", f.clip, "Gradient clip: max global norm (or value); 0 = off")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  cmd->add_option("--clip-mode", f.train.clip_mode, "norm (global L2) or value (each element)")
      ->transform(CLI::CheckedTransformer(kClipModes))
      ->default_str("norm");
  cmd->add_option("--threads", f.threads, "Threads for the matrix products")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  if (!with_optimizer) return;
  cmd->add_option("--optimizer", f.optimizer, "rmsprop (the paper's), sgd, momentum, adam or adamw")
      ->check(CLI::IsMember({"rmsprop", "sgd", "momentum", "adam", "adamw"}))
      ->capture_default_str();
  cmd->add_option("--lr", f.lr, "Learning rate")
      ->check(CLI::Range(1e-12, 100.0))
      ->capture_default_str();
  cmd->add_option("--momentum", f.momentum, "Momentum of rmsprop and of momentum (SGD)")
      ->check(CLI::Range(0.0, 0.999999))
      ->capture_default_str();
}

ClassifierConfig network_config(const ClassifyFlags& f) {
  ClassifierConfig c = f.net;
  if (f.gamma_init > 0) c.gamma_init = f.gamma_init;
  return c;
}

ClassifierTrainOptions train_options(const ClassifyFlags& f, const std::string& optimizer,
                                     double lr) {
  ClassifierTrainOptions o = f.train;
  o.clip = f.clip;
  if (f.clip == 0) o.clip_mode = ClipMode::none;
  // "momentum" is SGD with a momentum buffer; plain sgd has none
  o.optimizer = optimizer == "momentum" ? OptimizerKind::sgd : parse_optimizer(optimizer);
  o.optimizer_config = OptimizerConfig{};
  o.optimizer_config.lr = lr;
  o.optimizer_config.momentum =
      (optimizer == "momentum" || optimizer == "rmsprop") ? f.momentum : 0.0;
  return o;
}

}  // namespace bnlstm::cli
