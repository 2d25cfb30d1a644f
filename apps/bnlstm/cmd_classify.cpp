// bnlstm classify: train a sequence classifier (LSTM, any norm, + Linear head, cross-entropy) on
// a view of Fashion-MNIST, validate every --eval-every steps, test once at the end. Writes into
// --out:
//   model.safetensors    weights, running statistics, view and permutation (classifier_checkpoint)
//   history.csv/json     validation points: step, epoch, train and validation loss and accuracy
//   metrics.json         test loss, accuracy and confusion matrix, and the settings
//   confusion.csv        the test confusion matrix (rows: true class, columns: predicted)
//   loss.png, accuracy.png  (--format; skipped with a warning without gnuplot)
//   initial.safetensors  with --save-initial: the weights before the first step, same format
//   gates-stepT.csv/.png  with --gate-histograms T,...: the LSTM's gate pre-activations at step T
//                         on the first --gate-images test images, before and after normalization
//                         (bnlstm/experiments/gate_preactivations.hpp)
// With --model FILE it trains nothing and evaluates that checkpoint on the test images instead,
// reading them through the view and permutation stored in it; with --gate-histograms it then
// writes only the gates-* files into --out (other files there are kept).
#include <fmt/core.h>
#include <omp.h>

#include <Eigen/Core>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <vector>

#include "bnlstm/classify/classification_run.hpp"
#include "bnlstm/classify/classifier_checkpoint.hpp"
#include "bnlstm/experiments/gate_preactivations.hpp"
#include "bnlstm/io/atomic_file.hpp"
#include "bnlstm/io/output_folder.hpp"
#include "bnlstm/plot/charts.hpp"
#include "classify_options.hpp"
#include "commands.hpp"
#include "parallel.hpp"
#include "workflow_output.hpp"

namespace bnlstm::cli {

namespace {

namespace fs = std::filesystem;

// Fashion-MNIST's class names (the dataset's README)
const char* const kFashionClasses[] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                       "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

std::string class_name(Index k, Index classes) {
  return classes == 10 ? kFashionClasses[k] : std::to_string(k);
}

struct Flags {
  ClassifyFlags c;
  uint64_t seed = 42;
  std::string model;  // evaluate this checkpoint instead of training
  OutputFlags output;
  bool quiet = false;
  bool save_initial = false;
  std::vector<Index> gate_steps;  // --gate-histograms
  Index gate_images = 1000;
};

// --gate-histograms steps must lie in the view's [0, L): checked before any training
void check_gate_steps(const Flags& f, Index steps) {
  for (Index t : f.gate_steps)
    if (t >= steps)
      throw Error(fmt::format("--gate-histograms: step {} is outside the view's steps 0..{}", t,
                              steps - 1));
}

// The gate pre-activations of net's LSTM at each --gate-histograms step on the first
// --gate-images test images: the table on stdout, gates-stepT.csv and the picture into dir.
void write_gate_histograms(const Flags& f, SequenceClassifier<float>& net,
                           const ImageSequences& test, std::span<const Index> images,
                           const fs::path& dir, const OutputPlan& plan,
                           std::vector<fs::path>& written) {
  const std::vector<Index> idx(images.begin(),
                               images.begin() + std::min<Index>(f.gate_images, images.size()));
  MatrixBuffer<float> x;
  std::vector<int32_t> labels;
  test.gather(x, labels, idx);
  std::vector<GatePreactivations> steps;
  for (Index t : f.gate_steps) {
    steps.push_back(gate_preactivations<float>(net.lstm(), x.view(), test.steps(), t));
    const fs::path csv = dir / fmt::format("gates-step{}.csv", t);
    write_file_atomically(csv, gate_statistics_csv(steps.back()));
    written.push_back(csv);
    fmt::print("\ngate pre-activations, {} test images, {}", idx.size(),
               format_gate_statistics(steps.back()));
  }
  write_plots(plan, written, [&](const ImageOptions& image, std::vector<fs::path>& files) {
    for (const GatePreactivations& g : steps) {
      const fs::path path = dir / fmt::format("gates-step{}.{}", g.step, plan.extension);
      plot_gate_histograms(
          g, path,
          fmt::format("LSTM (norm {}) gate pre-activations at step {} of {}, {} test images: "
                      "before and after normalization",
                      to_string(g.norm), g.step, test.steps(), idx.size()),
          image);
      files.push_back(path);
    }
  });
}

std::string confusion_table(const ClassificationEval& e) {
  const Index K = e.confusion.rows();
  std::string s = fmt::format("{:>12}", "true \\ pred");
  for (Index j = 0; j < K; ++j) s += fmt::format(" {:>5}", j);
  s += "  accuracy\n";
  for (Index i = 0; i < K; ++i) {
    const int64_t row = e.confusion.row(i).sum();
    s += fmt::format("{:>2} {:>9}", i, class_name(i, K).substr(0, 9));
    for (Index j = 0; j < K; ++j) s += fmt::format(" {:>5}", e.confusion(i, j));
    s += fmt::format("  {:6.1f} %\n", row > 0 ? 100.0 * e.confusion(i, i) / row : 0.0);
  }
  return s;
}

std::string confusion_csv(const ClassificationEval& e) {
  const Index K = e.confusion.rows();
  std::string s = "true";
  for (Index j = 0; j < K; ++j) s += fmt::format(",pred_{}", j);
  s += "\n";
  for (Index i = 0; i < K; ++i) {
    s += std::to_string(i);
    for (Index j = 0; j < K; ++j) s += fmt::format(",{}", e.confusion(i, j));
    s += "\n";
  }
  return s;
}

nlohmann::ordered_json eval_json(const ClassificationEval& e) {
  nlohmann::ordered_json j;
  j["images"] = e.count;
  j["loss"] = e.loss;
  j["accuracy"] = e.accuracy;
  nlohmann::json m = nlohmann::json::array();
  for (Index i = 0; i < e.confusion.rows(); ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (Index k = 0; k < e.confusion.cols(); ++k) row.push_back(e.confusion(i, k));
    m.push_back(row);
  }
  j["confusion"] = m;
  return j;
}

void evaluate_model(const Flags& f) {
  LoadedClassifier loaded = load_classifier(f.model);
  const OutputPlan plan = plan_output(f.output);
  std::optional<OutputFolder> folder;  // only the gates-* files, only with --gate-histograms
  if (!f.gate_steps.empty())
    folder.emplace(OutputFolder::begin(f.output.out, "--out", {"gates-step*"}));
  ImageTaskOptions task = f.c.task;
  task.view = loaded.info.view;
  task.permuted = false;  // the stored permutation is used instead
  ImageTask t = load_image_task(task);
  // the checkpoint's own permutation, not one drawn again
  const ImageSequences test(*t.test_images, loaded.info.view, loaded.info.permutation);
  check_gate_steps(f, test.steps());
  const ClassificationEval e = evaluate_classifier(*loaded.net, test, t.test);
  fmt::print("{}: view {}{}, norm {}, hidden {}\n", f.model, to_string(loaded.info.view),
             loaded.info.permutation.empty() ? "" : " (permuted)",
             to_string(loaded.info.config.norm), loaded.info.config.hidden_size);
  fmt::print("test: {} images, loss {:.4f}, accuracy {:.2f} %\n\n{}", e.count, e.loss,
             100 * e.accuracy, confusion_table(e));
  if (!folder) return;
  std::vector<fs::path> written;
  write_gate_histograms(f, *loaded.net, test, t.test, folder->path(), plan, written);
  folder->commit();
  for (const auto& w : written)
    fmt::print("wrote {}\n", (folder->final_path() / w.filename()).string());
}

void run_classify(const Flags& f) {
  Eigen::setNbThreads(f.c.threads);
  omp_set_num_threads(f.c.threads);
  if (!f.model.empty()) return evaluate_model(f);
  // settings first: a bad flag or folder fails before any work
  const ClassifierConfig config = network_config(f.c);
  const ClassifierTrainOptions topt = train_options(f.c, f.c.optimizer, f.c.lr);
  const OutputPlan plan = plan_output(f.output);
  // --out as one unit (bnlstm/io/output_folder.hpp): locked and staged now, swapped in at the end
  // (by rank 0 alone under mpirun)
  std::optional<OutputFolder> folder;
  if (is_root_process())
    folder.emplace(OutputFolder::begin(f.output.out, "--out",
                                       {"model.safetensors", "history.csv", "history.json",
                                        "metrics.json", "confusion.csv", "loss.*", "accuracy.*",
                                        "gates-step*", "initial.safetensors"}));
  const struct {
    fs::path dir;  // the staging folder until commit()
    std::string extension;
  } out{folder ? folder->path() : fs::path(), plan.extension};
  const ImageTask task = load_image_task(f.c.task);
  const SequenceShape shape{task.train_data->steps(), task.train_data->inputs()};
  check_gate_steps(f, shape.steps);
  if (!f.quiet) {
    fmt::print("data: {} ({} training, {} validation, {} test images of {} x {}, {} classes)\n",
               f.c.task.dir.string(), task.train.size(), task.validation.size(), task.test.size(),
               task.train_images->rows, task.train_images->cols, task.classes);
    fmt::print("view: {}{}: {} steps of {} values\n", to_string(f.c.task.view),
               f.c.task.permuted
                   ? fmt::format(" permuted (permutation seed {})", f.c.task.permutation_seed)
                   : "",
               shape.steps, shape.inputs);
    fmt::print("model: LSTM(norm={}, hidden={}) + Linear({} -> {}); h0 noise {}, forget bias {}\n",
               to_string(config.norm), config.hidden_size, config.hidden_size, task.classes,
               config.h0_noise, config.forget_bias);
    fmt::print("training: {} lr {}{}, batch {}, {} epochs, clip {} {}, seed {}, {} thread(s)\n",
               f.c.optimizer, f.c.lr,
               topt.optimizer_config.momentum > 0
                   ? fmt::format(" momentum {}", topt.optimizer_config.momentum)
                   : "",
               topt.batch_size, topt.epochs, to_string(topt.clip_mode), topt.clip, f.seed,
               f.c.threads);
    std::fflush(stdout);
  }
  // under mpirun with several ranks: data-parallel (MPI is initialized here, after the inputs)
  Workers* workers = run_workers();
  if (workers && !f.quiet) {
    fmt::print("data-parallel: {} ranks, every batch of {} images split among them\n",
               workers->size(), topt.batch_size);
    std::fflush(stdout);
  }
  const double comm0 = workers ? workers->communication_seconds() : 0.0;
  ClassifierCallbacks cb;
  cb.on_eval = [&](const EvalPoint& p) {
    if (f.quiet) return;
    fmt::print(
        "step {:>6} (epoch {:5.2f}) - loss {:.4f}, acc {:5.2f} % | val loss {:.4f}, val "
        "acc {:5.2f} % | {:.1f} s\n",
        p.step, p.epoch, p.train_loss, 100 * p.train_accuracy, p.val_loss, 100 * p.val_accuracy,
        p.train_seconds);
    std::fflush(stdout);
  };
  const ClassificationResult r = run_classification(task, config, topt, f.seed, cb, workers);
  const ClassificationHistory& h = r.history;
  fmt::print(
      "\nkept the weights of step {} (validation accuracy {:.2f} %); {:.2f} s per epoch of "
      "training\n",
      h.best_step,
      100 * std::max_element(h.points.begin(), h.points.end(),
                             [](const EvalPoint& a, const EvalPoint& b) {
                               return a.val_accuracy < b.val_accuracy;
                             })
                ->val_accuracy,
      h.seconds_per_epoch());
  if (workers)
    fmt::print("{:.1f} % of the run in MPI collectives (rank 0)\n",
               100.0 * (workers->communication_seconds() - comm0) / r.seconds);
  fmt::print("test: {} images, loss {:.4f}, accuracy {:.2f} %\n\n{}", r.test.count, r.test.loss,
             100 * r.test.accuracy, confusion_table(r.test));

  // write everything (rank 0 alone)
  if (!folder) return;
  nlohmann::ordered_json training;
  training["view"] = to_string(f.c.task.view);
  training["permuted"] = f.c.task.permuted;
  if (f.c.task.permuted) training["permutation_seed"] = f.c.task.permutation_seed;
  training["norm"] = to_string(config.norm);
  training["hidden"] = config.hidden_size;
  training["optimizer"] = f.c.optimizer;
  training["lr"] = f.c.lr;
  training["momentum"] = topt.optimizer_config.momentum;
  training["batch_size"] = topt.batch_size;
  training["epochs"] = topt.epochs;
  training["steps"] = h.points.empty() ? 0 : h.points.back().step;
  training["clip_mode"] = to_string(topt.clip_mode);
  training["clip"] = topt.clip;
  training["h0_noise"] = config.h0_noise;
  training["seed"] = f.seed;
  training["threads"] = f.c.threads;
  training["best_step"] = h.best_step;
  training["seconds_per_epoch"] = h.seconds_per_epoch();
  training["seconds"] = r.seconds;
  std::vector<fs::path> written;
  ClassifierCheckpoint info;
  if (f.save_initial) {
    info.config = r.net->config();
    info.view = f.c.task.view;
    info.permutation = task.train_data->permutation();
    info.training_json = training.dump();
    save_classifier(out.dir / "initial.safetensors",
                    *initial_classifier(task, network_config(f.c), f.seed), info);
    written.push_back(out.dir / "initial.safetensors");
  }
  info.config = r.net->config();
  info.view = f.c.task.view;
  info.permutation = task.train_data->permutation();
  info.training_json = training.dump();
  save_classifier(out.dir / "model.safetensors", *r.net, info);
  written.push_back(out.dir / "model.safetensors");
  write_file_atomically(out.dir / "history.csv", h.to_csv());
  write_file_atomically(out.dir / "history.json", h.to_json());
  written.push_back(out.dir / "history.csv");
  written.push_back(out.dir / "history.json");
  nlohmann::ordered_json metrics;
  metrics["test"] = eval_json(r.test);
  metrics["training"] = training;
  write_file_atomically(out.dir / "metrics.json", metrics.dump(2) + "\n");
  write_file_atomically(out.dir / "confusion.csv", confusion_csv(r.test));
  written.push_back(out.dir / "metrics.json");
  written.push_back(out.dir / "confusion.csv");
  write_plots(plan, written, [&](const ImageOptions& image, std::vector<fs::path>& files) {
    LineSeries tl{"training (mean since the previous point)", {}, {}}, vl{"validation", {}, {}};
    LineSeries ta = tl, va = vl;
    for (const EvalPoint& p : h.points) {
      const double s = static_cast<double>(p.step);
      tl.x.push_back(s), tl.y.push_back(p.train_loss);
      vl.x.push_back(s), vl.y.push_back(p.val_loss);
      ta.x.push_back(s), ta.y.push_back(100 * p.train_accuracy);
      va.x.push_back(s), va.y.push_back(100 * p.val_accuracy);
    }
    const bool points = h.points.size() < 30;
    const fs::path loss = out.dir / ("loss." + out.extension);
    LineChart loss_chart;  // (aggregate initialization without `markers` warns in GCC 12)
    loss_chart.title = "cross-entropy", loss_chart.xlabel = "optimizer steps";
    loss_chart.ylabel = "loss", loss_chart.series = {tl, vl};
    loss_chart.log_y = f.output.log_scale, loss_chart.points = points;
    plot_lines(loss, loss_chart, image);
    files.push_back(loss);
    const fs::path acc = out.dir / ("accuracy." + out.extension);
    LineChart acc_chart;
    acc_chart.title = "accuracy", acc_chart.xlabel = "optimizer steps";
    acc_chart.ylabel = "accuracy (%)", acc_chart.series = {ta, va}, acc_chart.points = points;
    plot_lines(acc, acc_chart, image);
    files.push_back(acc);
  });
  if (folder && !f.gate_steps.empty())
    write_gate_histograms(f, *r.net, *task.test_data, task.test, out.dir, plan, written);
  folder->commit();
  if (!f.quiet)
    for (const auto& w : written)
      fmt::print("wrote {}\n", (folder->final_path() / w.filename()).string());
}

}  // namespace

void add_classify_command(CLI::App& app) {
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand(
      "classify", "Train an LSTM sequence classifier on Fashion-MNIST (rows, pixels, permuted)");
  add_task_flags(cmd, f->c.task);
  add_network_flags(cmd, f->c, true);
  add_training_flags(cmd, f->c, true);
  cmd->add_option("--seed", f->seed, "Seed of the weights, data order and h0 noise")
      ->capture_default_str();
  cmd->add_option("--model", f->model,
                  "Evaluate this classifier checkpoint on the test images instead of training")
      ->check(CLI::ExistingFile)
      ->type_name("FILE");
  cmd->add_option("--gate-histograms", f->gate_steps,
                  "Also draw the LSTM's gate pre-activations at these steps (0-based, e.g. "
                  "0,14,27), before and after normalization")
      ->check(CLI::NonNegativeNumber)
      ->delimiter(',')
      ->type_name("STEP,...");
  cmd->add_option("--gate-images", f->gate_images,
                  "Test images for --gate-histograms (the first N)")
      ->check(CLI::Range(Index{2}, Index{1} << 20))
      ->capture_default_str();
  cmd->add_flag("--save-initial", f->save_initial,
                "Also write initial.safetensors: the weights before the first step (for a "
                "reference run from the same start, tools/study_torch.py --init)");
  cmd->add_flag("--quiet", f->quiet, "Print only the results");
  add_output_flags(cmd, f->output, "out/classify");
  cmd->callback([f] { run_classify(*f); });
}

}  // namespace bnlstm::cli
