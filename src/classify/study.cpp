#include "bnlstm/classify/study.hpp"

#include <fmt/core.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "bnlstm/core/error.hpp"
#include "bnlstm/plot/band_chart.hpp"

namespace bnlstm {
namespace {

struct Variant {
  LstmNorm norm;
  const StudyOptimizer* optimizer;
  std::string label;
};

std::vector<Variant> variants_of(const StudyOptions& o) {
  std::vector<Variant> v;
  for (const StudyOptimizer& opt : o.optimizers)
    for (LstmNorm norm : o.norms)
      v.push_back({norm, &opt,
                   o.optimizers.size() > 1 ? to_string(norm) + "/" + opt.name : to_string(norm)});
  return v;
}

void check_options(const StudyOptions& o) {
  if (o.norms.empty()) throw Error("study: no --norms given");
  if (o.optimizers.empty()) throw Error("study: no --optimizers given");
  if (o.seeds.empty()) throw Error("study: no --seeds given");
  if (o.jobs < 1) throw Error(fmt::format("study: --jobs must be at least 1, got {}", o.jobs));
  for (double t : o.thresholds)
    if (!(t > 0 && t <= 1))
      throw Error(fmt::format("study: --thresholds must lie in (0, 1], got {}", t));
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / static_cast<double>(v.size());
}

double sample_std(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

}  // namespace

std::vector<VariantSummary> summarize_study(const StudyOptions& options,
                                            const std::vector<StudyRun>& runs) {
  const std::vector<Variant> variants = variants_of(options);
  std::vector<VariantSummary> out;
  for (size_t v = 0; v < variants.size(); ++v) {
    VariantSummary s;
    s.label = variants[v].label;
    s.norm = variants[v].norm;
    s.optimizer = variants[v].optimizer->name;
    s.lr = variants[v].optimizer->config.lr;
    s.steps_to.resize(options.thresholds.size());
    std::vector<double> acc, loss, val, secs;
    std::vector<const ClassificationHistory*> histories;
    for (const StudyRun& r : runs) {
      if (r.variant != v) continue;
      acc.push_back(r.test.accuracy);
      loss.push_back(r.test.loss);
      val.push_back(r.history.points.empty() ? 0 : r.history.points.back().val_accuracy);
      secs.push_back(r.history.seconds_per_epoch());
      histories.push_back(&r.history);
      for (size_t k = 0; k < options.thresholds.size(); ++k) {
        std::optional<int64_t> reached;
        for (const EvalPoint& p : r.history.points)
          if (p.val_accuracy >= options.thresholds[k]) {
            reached = p.step;
            break;
          }
        s.steps_to[k].push_back(reached);
      }
    }
    s.seeds = static_cast<int>(acc.size());
    s.test_accuracy_mean = mean_of(acc);
    s.test_accuracy_std = sample_std(acc);
    s.test_loss_mean = mean_of(loss);
    s.test_loss_std = sample_std(loss);
    s.final_val_accuracy_mean = mean_of(val);
    s.seconds_per_epoch = mean_of(secs);
    // curves: the points common to every seed (same schedule: all of them)
    size_t points = histories.empty() ? 0 : histories[0]->points.size();
    for (const auto* h : histories) points = std::min(points, h->points.size());
    for (size_t i = 0; i < points; ++i) {
      std::vector<double> a, l;
      for (const auto* h : histories) {
        a.push_back(h->points[i].val_accuracy);
        l.push_back(h->points[i].train_loss);
      }
      s.steps.push_back(static_cast<double>(histories[0]->points[i].step));
      // the mean clamped into [min, max]: (x + x + x) / 3 can round just past x
      const auto [amin, amax] = std::minmax_element(a.begin(), a.end());
      const auto [lmin, lmax] = std::minmax_element(l.begin(), l.end());
      s.val_accuracy_mean.push_back(std::clamp(mean_of(a), *amin, *amax));
      s.val_accuracy_min.push_back(*amin);
      s.val_accuracy_max.push_back(*amax);
      s.train_loss_mean.push_back(std::clamp(mean_of(l), *lmin, *lmax));
      s.train_loss_min.push_back(*lmin);
      s.train_loss_max.push_back(*lmax);
    }
    out.push_back(std::move(s));
  }
  return out;
}

StudyResult run_study(const ImageTask& task, const StudyOptions& options,
                      const StudyCallbacks& callbacks, Workers* workers) {
  check_options(options);
  if (workers && options.jobs > 1)
    throw Error("study: jobs > 1 cannot run under several ranks (each run is data-parallel)");
  const std::vector<Variant> variants = variants_of(options);
  StudyResult result;
  result.options = options;
  const size_t total = variants.size() * options.seeds.size();
  // run i (0-based, seed-major) -> its seed and variant
  auto train = [&](size_t i, const ClassifierCallbacks& inside) {
    const uint64_t seed = options.seeds[i / variants.size()];
    const size_t v = i % variants.size();
    ClassifierConfig net = options.network;
    net.norm = variants[v].norm;
    ClassifierTrainOptions train = options.training;
    train.optimizer = variants[v].optimizer->kind;
    train.optimizer_config = variants[v].optimizer->config;
    ClassificationResult r = run_classification(task, net, train, seed, inside, workers);
    return StudyRun{i + 1, v, seed, std::move(r.history), std::move(r.test), r.seconds};
  };
  if (options.jobs == 1) {
    for (size_t i = 0; i < total; ++i) {
      const size_t v = i % variants.size();
      if (callbacks.on_start)
        callbacks.on_start(i + 1, total, variants[v].label, options.seeds[i / variants.size()]);
      result.runs.push_back(train(i, callbacks.training));
      if (callbacks.on_run)
        callbacks.on_run(result.runs.back(), summarize_study(options, result.runs)[v]);
    }
  } else {
    // threads take the next run in order; finished runs are kept in order of completion for the
    // progress summaries, and sorted back into study order at the end
    std::mutex lock;
    size_t next = 0;
    std::exception_ptr failure;
    const int omp_threads = omp_get_max_threads();  // a new thread starts from the default
    auto take_runs = [&] {
      omp_set_num_threads(omp_threads);
      for (;;) {
        size_t i = 0;
        {
          const std::lock_guard<std::mutex> hold(lock);
          if (next == total || failure) return;
          i = next++;
          if (callbacks.on_start)
            callbacks.on_start(i + 1, total, variants[i % variants.size()].label,
                               options.seeds[i / variants.size()]);
        }
        try {
          StudyRun run = train(i, {});
          const std::lock_guard<std::mutex> hold(lock);
          result.runs.push_back(std::move(run));
          if (callbacks.on_run)
            callbacks.on_run(result.runs.back(),
                             summarize_study(options, result.runs)[result.runs.back().variant]);
        } catch (...) {
          const std::lock_guard<std::mutex> hold(lock);
          if (!failure) failure = std::current_exception();
        }
      }
    };
    // (not named workers: that is the data-parallel Workers of every run)
    std::vector<std::thread> threads;
    const size_t count = std::min(total, static_cast<size_t>(options.jobs));
    for (size_t k = 0; k < count; ++k) threads.emplace_back(take_runs);
    for (std::thread& t : threads) t.join();
    if (failure) std::rethrow_exception(failure);
    std::sort(result.runs.begin(), result.runs.end(),
              [](const StudyRun& a, const StudyRun& b) { return a.number < b.number; });
  }
  result.variants = summarize_study(options, result.runs);
  return result;
}

std::string study_table(const StudyResult& r) {
  const auto& th = r.options.thresholds;
  std::string s = "| variant | seeds | test accuracy (%) | test loss |";
  std::string rule = "|---|---:|---:|---:|";
  for (double t : th) {
    s += fmt::format(" steps to {:g} % val. acc. |", 100 * t);
    rule += "---:|";
  }
  s += " final val. acc. (%) | s / epoch |\n" + rule + "---:|---:|\n";
  for (const VariantSummary& v : r.variants) {
    s += fmt::format("| {} | {} | {:.2f} ± {:.2f} | {:.4f} ± {:.4f} |", v.label, v.seeds,
                     100 * v.test_accuracy_mean, 100 * v.test_accuracy_std, v.test_loss_mean,
                     v.test_loss_std);
    for (const auto& per_seed : v.steps_to) {
      std::vector<int64_t> reached;
      for (const auto& x : per_seed)
        if (x) reached.push_back(*x);
      if (reached.empty()) {
        s += fmt::format(" never (0/{}) |", per_seed.size());
        continue;
      }
      std::sort(reached.begin(), reached.end());
      const size_t m = reached.size();
      const double median =
          m % 2 ? static_cast<double>(reached[m / 2]) : (reached[m / 2 - 1] + reached[m / 2]) / 2.0;
      s += fmt::format(" {:g} ({}/{}) |", median, m, per_seed.size());
    }
    s += fmt::format(" {:.2f} | {:.2f} |\n", 100 * v.final_val_accuracy_mean, v.seconds_per_epoch);
  }
  return s;
}

std::string study_json(const StudyResult& r) {
  nlohmann::ordered_json j;
  j["thresholds"] = r.options.thresholds;
  j["seeds"] = r.options.seeds;
  nlohmann::ordered_json vs = nlohmann::ordered_json::array();
  for (const VariantSummary& v : r.variants) {
    nlohmann::ordered_json o;
    o["label"] = v.label;
    o["norm"] = to_string(v.norm);
    o["optimizer"] = v.optimizer;
    o["lr"] = v.lr;
    o["seeds"] = v.seeds;
    o["test_accuracy_mean"] = v.test_accuracy_mean;
    o["test_accuracy_std"] = v.test_accuracy_std;
    o["test_loss_mean"] = v.test_loss_mean;
    o["test_loss_std"] = v.test_loss_std;
    o["final_val_accuracy_mean"] = v.final_val_accuracy_mean;
    o["seconds_per_epoch"] = v.seconds_per_epoch;
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& per_seed : v.steps_to) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& x : per_seed) a.push_back(x ? nlohmann::json(*x) : nlohmann::json());
      steps.push_back(a);
    }
    o["steps_to_threshold"] = steps;
    o["steps"] = v.steps;
    o["val_accuracy_mean"] = v.val_accuracy_mean;
    o["train_loss_mean"] = v.train_loss_mean;
    vs.push_back(o);
  }
  j["variants"] = vs;
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  for (const StudyRun& run : r.runs) {
    nlohmann::ordered_json o;
    o["variant"] = r.variants.at(run.variant).label;
    o["seed"] = run.seed;
    o["test_accuracy"] = run.test.accuracy;
    o["test_loss"] = run.test.loss;
    o["seconds"] = run.seconds;
    o["history"] = nlohmann::ordered_json::parse(run.history.to_json());
    runs.push_back(o);
  }
  j["runs"] = runs;
  return j.dump(1) + "\n";
}

void study_charts(const StudyResult& r, const std::filesystem::path& loss_path,
                  const std::filesystem::path& accuracy_path, const ImageOptions& image) {
  const std::string seeds =
      fmt::format("{} seed{}", r.options.seeds.size(), r.options.seeds.size() == 1 ? "" : "s");
  BandChart loss{"training loss (mean over " + seeds + ", band: lowest..highest)",
                 "optimizer steps",
                 "cross-entropy",
                 {},
                 false};
  BandChart acc{"validation accuracy (mean over " + seeds + ", band: lowest..highest)",
                "optimizer steps",
                "accuracy (%)",
                {},
                false};
  for (const VariantSummary& v : r.variants) {
    loss.series.push_back(
        {v.label, v.steps, v.train_loss_mean, v.train_loss_min, v.train_loss_max});
    auto pct = [](std::vector<double> x) {
      for (double& d : x) d *= 100;
      return x;
    };
    acc.series.push_back({v.label, v.steps, pct(v.val_accuracy_mean), pct(v.val_accuracy_min),
                          pct(v.val_accuracy_max)});
  }
  plot_bands(loss_path, loss, image);
  plot_bands(accuracy_path, acc, image);
}

}  // namespace bnlstm
