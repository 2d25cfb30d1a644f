#include "bnlstm/train/forecast_study.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "bnlstm/plot/band_chart.hpp"

namespace bnlstm {

namespace {

struct Variant {
  LstmNorm norm;
  const ForecastStudyOptimizer* optimizer;
  std::string label;
};

std::vector<Variant> variants_of(const ForecastStudyOptions& o) {
  std::vector<Variant> v;
  for (const ForecastStudyOptimizer& opt : o.optimizers)
    for (LstmNorm norm : o.norms)
      v.push_back({norm, &opt,
                   o.optimizers.size() > 1 ? to_string(norm) + "/" + opt.name : to_string(norm)});
  return v;
}

void check_options(const ForecastStudyOptions& o) {
  if (o.norms.empty()) throw Error("study-forecast: no --norms given");
  if (o.optimizers.empty()) throw Error("study-forecast: no --optimizers given");
  if (o.seeds.empty()) throw Error("study-forecast: no --seeds given");
  if (o.run.validate_on_test)
    throw Error(
        "study-forecast: the thresholds are measured on a validation part; --validate-on-test "
        "would measure them on the test part");
  for (double t : o.thresholds)
    if (!(t > 0 && t <= 1))
      throw Error(fmt::format("study-forecast: --thresholds must lie in (0, 1], got {}", t));
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

double median_of(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t m = v.size();
  return m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
}

// the first epoch whose validation loss is at most threshold * yardstick
std::optional<int> first_epoch_below(const TrainingHistory& h, double threshold, double yardstick) {
  for (const EpochRecord& e : h.epochs)
    if (e.val_loss <= threshold * yardstick) return e.epoch;
  return std::nullopt;
}

}  // namespace

std::vector<ForecastVariantSummary> summarize_forecast_study(
    const ForecastStudyOptions& options, const std::vector<ForecastStudyRun>& runs) {
  const std::vector<Variant> variants = variants_of(options);
  std::vector<ForecastVariantSummary> out;
  for (size_t v = 0; v < variants.size(); ++v) {
    ForecastVariantSummary s;
    s.label = variants[v].label;
    s.norm = variants[v].norm;
    s.optimizer = variants[v].optimizer->name;
    s.lr = variants[v].optimizer->config.lr;
    s.epochs_to.resize(options.thresholds.size());
    std::vector<double> ratio, best, secs;
    std::vector<const ForecastStudyRun*> mine;
    for (const ForecastStudyRun& r : runs) {
      if (r.variant != v) continue;
      mine.push_back(&r);
      ratio.push_back(r.test_ratio());
      double lowest = r.history.epochs.empty() ? 0 : r.history.epochs[0].val_loss;
      for (const EpochRecord& e : r.history.epochs) lowest = std::min(lowest, e.val_loss);
      best.push_back(lowest / r.persistence_validation_loss);
      secs.push_back(r.epochs_run() > 0 ? r.seconds / r.epochs_run() : 0);
      for (size_t k = 0; k < options.thresholds.size(); ++k)
        s.epochs_to[k].push_back(r.epochs_to.at(k));
    }
    s.seeds = static_cast<int>(mine.size());
    s.test_ratio_median = median_of(ratio);
    s.test_ratio_worst = ratio.empty() ? 0 : *std::max_element(ratio.begin(), ratio.end());
    s.test_ratio_mean = mean_of(ratio);
    s.test_ratio_std = sample_std(ratio);
    s.best_val_ratio_median = median_of(best);
    s.seconds_per_epoch = mean_of(secs);
    // curves: the epochs every seed ran (all of them when early stopping did not end a run)
    size_t points = mine.empty() ? 0 : mine[0]->history.epochs.size();
    for (const auto* r : mine) points = std::min(points, r->history.epochs.size());
    for (size_t i = 0; i < points; ++i) {
      std::vector<double> a, l;
      for (const auto* r : mine) {
        a.push_back(r->history.epochs[i].val_loss / r->persistence_validation_loss);
        l.push_back(r->history.epochs[i].train_loss);
      }
      s.epochs.push_back(mine[0]->history.epochs[i].epoch);
      // the mean clamped into [min, max]: (x + x + x) / 3 can round just past x
      const auto [amin, amax] = std::minmax_element(a.begin(), a.end());
      const auto [lmin, lmax] = std::minmax_element(l.begin(), l.end());
      s.val_ratio_mean.push_back(std::clamp(mean_of(a), *amin, *amax));
      s.val_ratio_min.push_back(*amin);
      s.val_ratio_max.push_back(*amax);
      s.train_loss_mean.push_back(std::clamp(mean_of(l), *lmin, *lmax));
      s.train_loss_min.push_back(*lmin);
      s.train_loss_max.push_back(*lmax);
    }
    out.push_back(std::move(s));
  }
  return out;
}

ForecastStudyResult run_forecast_study(const Series& series, const ForecastStudyOptions& options,
                                       const ForecastStudyCallbacks& callbacks) {
  check_options(options);
  const std::vector<Variant> variants = variants_of(options);
  ForecastStudyResult result;
  result.options = options;
  const size_t total = variants.size() * options.seeds.size();
  for (size_t i = 0; i < total; ++i) {
    const uint64_t seed = options.seeds[i / variants.size()];
    const size_t v = i % variants.size();
    if (callbacks.on_start) callbacks.on_start(i + 1, total, variants[v].label, seed);
    TrainRunOptions o = options.run;
    o.network.norm = variants[v].norm;
    o.training.optimizer = variants[v].optimizer->kind;
    o.training.optimizer_config = variants[v].optimizer->config;
    o.seed = seed;
    TrainRun run = run_training(series, o);
    ForecastStudyRun r;
    r.number = i + 1;
    r.variant = v;
    r.seed = seed;
    r.history = std::move(run.history);
    r.persistence_validation_loss = run.persistence_validation_loss;
    for (double t : options.thresholds)
      r.epochs_to.push_back(first_epoch_below(r.history, t, r.persistence_validation_loss));
    r.test_rmse = run.test.comparison.model.rmse;
    r.persistence_test_rmse = run.test.comparison.baseline.rmse;
    r.seconds = run.seconds;
    result.runs.push_back(std::move(r));
    if (callbacks.on_run)
      callbacks.on_run(result.runs.back(), summarize_forecast_study(options, result.runs)[v]);
  }
  result.variants = summarize_forecast_study(options, result.runs);
  return result;
}

std::string forecast_study_table(const ForecastStudyResult& r) {
  const auto& th = r.options.thresholds;
  std::string s = "| variant | seeds | test RMSE / persistence: median | worst | mean ± std |";
  std::string rule = "|---|---:|---:|---:|---:|";
  for (double t : th) {
    s += fmt::format(" epochs to val. loss <= {:g} x persistence |", t);
    rule += "---:|";
  }
  s += " best val. loss / persistence (median) | s / epoch |\n" + rule + "---:|---:|\n";
  for (const ForecastVariantSummary& v : r.variants) {
    s += fmt::format("| {} | {} | {:.4f} | {:.4f} | {:.4f} ± {:.4f} |", v.label, v.seeds,
                     v.test_ratio_median, v.test_ratio_worst, v.test_ratio_mean, v.test_ratio_std);
    for (const auto& per_seed : v.epochs_to) {
      std::vector<double> reached;
      for (const auto& e : per_seed)
        if (e) reached.push_back(*e);
      if (reached.empty())
        s += fmt::format(" never (0/{}) |", per_seed.size());
      else
        s += fmt::format(" {:g} ({}/{}) |", median_of(reached), reached.size(), per_seed.size());
    }
    s += fmt::format(" {:.4f} | {:.3f} |\n", v.best_val_ratio_median, v.seconds_per_epoch);
  }
  return s;
}

std::string forecast_study_json(const ForecastStudyResult& r) {
  nlohmann::ordered_json j;
  j["thresholds"] = r.options.thresholds;
  j["seeds"] = r.options.seeds;
  j["epochs"] = r.options.run.training.epochs;
  j["lookback"] = r.options.run.data.windows.lookback;
  j["hidden"] = r.options.run.network.hidden_size;
  nlohmann::ordered_json vs = nlohmann::ordered_json::array();
  for (const ForecastVariantSummary& v : r.variants) {
    nlohmann::ordered_json o;
    o["label"] = v.label;
    o["norm"] = to_string(v.norm);
    o["optimizer"] = v.optimizer;
    o["lr"] = v.lr;
    o["seeds"] = v.seeds;
    o["test_ratio_median"] = v.test_ratio_median;
    o["test_ratio_worst"] = v.test_ratio_worst;
    o["test_ratio_mean"] = v.test_ratio_mean;
    o["test_ratio_std"] = v.test_ratio_std;
    o["best_val_ratio_median"] = v.best_val_ratio_median;
    o["seconds_per_epoch"] = v.seconds_per_epoch;
    nlohmann::json to = nlohmann::json::array();
    for (const auto& per_seed : v.epochs_to) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& e : per_seed) a.push_back(e ? nlohmann::json(*e) : nlohmann::json());
      to.push_back(a);
    }
    o["epochs_to_threshold"] = to;
    o["epochs"] = v.epochs;
    o["val_ratio_mean"] = v.val_ratio_mean;
    o["train_loss_mean"] = v.train_loss_mean;
    vs.push_back(o);
  }
  j["variants"] = vs;
  nlohmann::ordered_json runs = nlohmann::ordered_json::array();
  for (const ForecastStudyRun& run : r.runs) {
    nlohmann::ordered_json o;
    o["variant"] = r.variants.at(run.variant).label;
    o["seed"] = run.seed;
    o["test_rmse"] = run.test_rmse;
    o["persistence_test_rmse"] = run.persistence_test_rmse;
    o["persistence_validation_loss"] = run.persistence_validation_loss;
    o["seconds"] = run.seconds;
    o["history"] = nlohmann::ordered_json::parse(run.history.to_json());
    runs.push_back(o);
  }
  j["runs"] = runs;
  return j.dump(1) + "\n";
}

void forecast_study_charts(const ForecastStudyResult& r,
                           const std::filesystem::path& val_ratio_path,
                           const std::filesystem::path& loss_path, const ImageOptions& image) {
  const std::string seeds =
      fmt::format("{} seed{}", r.options.seeds.size(), r.options.seeds.size() == 1 ? "" : "s");
  BandChart val{"validation loss / persistence's (mean over " + seeds + ", band: lowest..highest)",
                "epoch",
                "validation loss / persistence validation loss",
                {},
                true};
  BandChart loss{"training loss (mean over " + seeds + ", band: lowest..highest)",
                 "epoch",
                 "training loss (" +
                     (r.runs.empty() ? std::string("mse") : r.runs[0].history.loss) + ", scaled)",
                 {},
                 true};
  for (const ForecastVariantSummary& v : r.variants) {
    val.series.push_back({v.label, v.epochs, v.val_ratio_mean, v.val_ratio_min, v.val_ratio_max});
    loss.series.push_back(
        {v.label, v.epochs, v.train_loss_mean, v.train_loss_min, v.train_loss_max});
  }
  plot_bands(val_ratio_path, val, image);
  plot_bands(loss_path, loss, image);
}

}  // namespace bnlstm
