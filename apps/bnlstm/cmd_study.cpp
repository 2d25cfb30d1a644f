// bnlstm study: the three norms (and optionally several optimizers) side by side on one
// classification task, over several seeds, with identical data order and initial weights per
// seed. Prints a progress line per run and the table; writes into --out:
//   study.md      the table (markdown)
//   study.json    summaries per variant, and every run's history
//   loss.png, val_accuracy.png   mean over seeds with the lowest..highest band
#include <fmt/core.h>
#include <omp.h>

#include <Eigen/Core>
#include <memory>
#include <optional>

#include "bnlstm/classify/study.hpp"
#include "bnlstm/io/atomic_file.hpp"
#include "bnlstm/io/output_folder.hpp"
#include "classify_options.hpp"
#include "commands.hpp"
#include "parallel.hpp"
#include "workflow_output.hpp"

namespace bnlstm::cli {

namespace {

namespace fs = std::filesystem;

struct Flags {
  ClassifyFlags c;
  std::vector<LstmNorm> norms = {LstmNorm::none, LstmNorm::batch, LstmNorm::layer};
  std::vector<std::string> optimizers = {"rmsprop"};
  std::vector<double> lrs = {1e-3};
  std::vector<uint64_t> seeds = {1, 2, 3};
  std::vector<double> thresholds = {0.7, 0.8, 0.85};
  OutputFlags output;
  bool quiet = false;
  int jobs = 1;
};

void run_study_command(const Flags& f) {
  Eigen::setNbThreads(f.c.threads);
  omp_set_num_threads(f.c.threads);
  if (f.lrs.size() != 1 && f.lrs.size() != f.optimizers.size())
    throw Error(fmt::format("--lrs: give one learning rate or one per optimizer ({}), got {}",
                            f.optimizers.size(), f.lrs.size()));
  StudyOptions o;
  o.norms = f.norms;
  o.seeds = f.seeds;
  o.thresholds = f.thresholds;
  o.jobs = f.jobs;
  o.network = network_config(f.c);
  for (size_t k = 0; k < f.optimizers.size(); ++k) {
    const double lr = f.lrs.size() == 1 ? f.lrs[0] : f.lrs[k];
    const ClassifierTrainOptions t = train_options(f.c, f.optimizers[k], lr);
    o.optimizers.push_back({f.optimizers[k], t.optimizer, t.optimizer_config});
    o.training = t;
  }
  const OutputPlan plan = plan_output(f.output);
  // --out as one unit (bnlstm/io/output_folder.hpp): locked and staged now, swapped in at the end
  // (by rank 0 alone under mpirun)
  std::optional<OutputFolder> folder;
  if (is_root_process())
    folder.emplace(OutputFolder::begin(f.output.out, "--out",
                                       {"study.md", "study.json", "loss.*", "val_accuracy.*"}));
  const struct {
    fs::path dir;  // the staging folder until commit()
    std::string extension;
  } out{folder ? folder->path() : fs::path(), plan.extension};
  const ImageTask task = load_image_task(f.c.task);
  if (!f.quiet) {
    fmt::print(
        "study: view {}{} ({} steps of {}), hidden {}, {} training / {} validation / {} "
        "test images, batch {}, {} epoch(s), seeds",
        to_string(f.c.task.view), f.c.task.permuted ? " permuted" : "", task.train_data->steps(),
        task.train_data->inputs(), o.network.hidden_size, task.train.size(), task.validation.size(),
        task.test.size(), o.training.batch_size, o.training.epochs);
    for (uint64_t s : f.seeds) fmt::print(" {}", s);
    if (f.jobs > 1) fmt::print("; {} runs at once", f.jobs);
    fmt::print("\n");
    std::fflush(stdout);
  }
  // under mpirun with several ranks: every run data-parallel (MPI initialized after the inputs)
  Workers* workers = run_workers();
  if (workers && !f.quiet) {
    fmt::print("data-parallel: {} ranks, every batch of {} images split among them\n",
               workers->size(), o.training.batch_size);
    std::fflush(stdout);
  }
  // one progress line per run: begun when the run starts, or (runs side by side) printed whole
  // when it ends
  const size_t runs = f.norms.size() * f.optimizers.size() * f.seeds.size();
  StudyCallbacks cb;
  cb.on_start = [&](size_t run, size_t total, const std::string& label, uint64_t seed) {
    if (f.quiet || f.jobs > 1) return;
    fmt::print("run {}/{}: {} seed {} ...", run, total, label, seed);
    std::fflush(stdout);
  };
  cb.on_run = [&](const StudyRun& r, const VariantSummary& v) {
    if (f.quiet) return;
    if (f.jobs > 1) fmt::print("run {}/{}: {} seed {} ...", r.number, runs, v.label, r.seed);
    const EvalPoint& last = r.history.points.back();
    fmt::print(" {} steps, val acc {:.2f} %, test acc {:.2f} %, {:.2f} s/epoch, {:.0f} s\n",
               last.step, 100 * last.val_accuracy, 100 * r.test.accuracy,
               r.history.seconds_per_epoch(), r.seconds);
    std::fflush(stdout);
  };
  const StudyResult result = run_study(task, o, cb, workers);
  const std::string table = study_table(result);
  fmt::print("\n{}", table);
  if (!folder) return;  // rank 0 alone writes
  std::vector<fs::path> written;
  write_file_atomically(out.dir / "study.md", table);
  write_file_atomically(out.dir / "study.json", study_json(result));
  written.push_back(out.dir / "study.md");
  written.push_back(out.dir / "study.json");
  write_plots(plan, written, [&](const ImageOptions& image, std::vector<fs::path>& files) {
    const fs::path loss = out.dir / ("loss." + out.extension);
    const fs::path acc = out.dir / ("val_accuracy." + out.extension);
    study_charts(result, loss, acc, image);
    files.push_back(loss);
    files.push_back(acc);
  });
  folder->commit();
  if (!f.quiet)
    for (const auto& w : written)
      fmt::print("wrote {}\n", (folder->final_path() / w.filename()).string());
}

}  // namespace

void add_study_command(CLI::App& app) {
  auto f = std::make_shared<Flags>();
  auto* cmd = app.add_subcommand(
      "study", "Train norm none, batch and layer side by side over seeds on a classification task");
  add_task_flags(cmd, f->c.task);
  add_network_flags(cmd, f->c, false);
  add_training_flags(cmd, f->c, false);
  cmd->add_option("--norms", f->norms, "Norms to compare")
      ->transform(CLI::CheckedTransformer(std::map<std::string, LstmNorm>{
          {"none", LstmNorm::none}, {"batch", LstmNorm::batch}, {"layer", LstmNorm::layer}}))
      ->delimiter(',')
      ->default_str("none,batch,layer");
  cmd->add_option("--optimizers", f->optimizers, "Optimizers to compare (a factor of the study)")
      ->check(CLI::IsMember({"rmsprop", "sgd", "momentum", "adam", "adamw"}))
      ->delimiter(',')
      ->default_str("rmsprop");
  cmd->add_option("--lrs", f->lrs, "Learning rate, or one per optimizer")
      ->check(CLI::Range(1e-12, 100.0))
      ->delimiter(',')
      ->default_str("1e-3");
  cmd->add_option("--momentum", f->c.momentum, "Momentum of rmsprop and of momentum (SGD)")
      ->check(CLI::Range(0.0, 0.999999))
      ->capture_default_str();
  cmd->add_option("--seeds", f->seeds, "Seeds, e.g. 1,2,3")->delimiter(',')->default_str("1,2,3");
  cmd->add_option("--thresholds", f->thresholds,
                  "Validation accuracies (fractions) whose steps-to-reach the table reports")
      ->check(CLI::Range(1e-9, 1.0))
      ->delimiter(',')
      ->default_str("0.7,0.8,0.85");
  cmd->add_option("--jobs", f->jobs,
                  "Runs trained at once (each with --threads threads); results are the same")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_flag("--quiet", f->quiet, "Print only the table");
  add_output_flags(cmd, f->output, "out/study");
  cmd->callback([f] { run_study_command(*f); });
}

}  // namespace bnlstm::cli
