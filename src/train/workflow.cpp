#include "bnlstm/train/workflow.hpp"

#include <fmt/core.h>
#include <omp.h>

#include <Eigen/Core>
#include <chrono>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

ForecastColumns select_columns(const std::vector<std::string>& value_columns,
                               const std::string& target_column) {
  const std::string target = !target_column.empty()  ? target_column
                             : value_columns.empty() ? std::string()
                                                     : value_columns[0];
  if (target.empty()) return ForecastColumns{{}, {0}, 0};
  ForecastColumns c;
  c.load = value_columns.empty() ? std::vector<std::string>{target} : value_columns;
  for (Index i = 0; i < static_cast<Index>(c.load.size()); ++i) c.inputs.push_back(i);
  if (const auto same = find_column(c.load, target)) {
    c.target = *same;
  } else {
    c.load.push_back(target);
    c.target = static_cast<Index>(c.load.size()) - 1;
  }
  return c;
}

namespace {

void check_options(const TrainRunOptions& o) {
  const bool has_validation = o.data.split.validation > 0;
  if (o.validate_on_test && has_validation)
    throw Error(fmt::format(
        "validation on the test part (the notebook's protocol) needs no validation part, got a "
        "validation fraction of {}",
        o.data.split.validation));
  if (!o.validate_on_test && !has_validation)
    throw Error(
        "no validation part: give a validation fraction > 0 (e.g. 0.1), or validate on the test "
        "part explicitly (the notebook's protocol)");
  if (o.threads < 0) throw Error(fmt::format("threads: expected >= 0, got {}", o.threads));
  if (o.season < 0) throw Error(fmt::format("season: expected >= 0 rows, got {}", o.season));
}

}  // namespace

DatasetOptions default_run_data() {
  DatasetOptions o;
  o.split = {0.7, 0.1};
  return o;
}

TrainOptions default_run_training() {
  TrainOptions o;
  o.delta = 0;
  o.score_initial = true;
  return o;
}

TrainRun run_training(Series series, const TrainRunOptions& options,
                      const TrainCallbacks& callbacks, const RunStartCallback& on_start) {
  check_options(options);
  if (options.threads > 0) {
    Eigen::setNbThreads(options.threads);
    omp_set_num_threads(options.threads);
  }

  // data
  Dataset data = make_dataset(std::move(series), options.data);
  if (options.season > data.split.train_rows.size())
    throw Error(fmt::format("season: {} rows is longer than the training part ({} rows)",
                            options.season, data.split.train_rows.size()));
  const Range validation =
      options.validate_on_test ? data.split.test_windows : data.split.validation_windows;

  // model
  ForecasterConfig config;
  config.columns = data.series.columns;
  config.windows = data.windows.spec();
  config.network = options.network;
  Rng rng = make_rng(options.seed);
  Forecaster forecaster(config, data.scaler, rng);
  if (options.zero_head) forecaster.network().head().weight().value.setZero();
  Index parameters = 0;
  for (auto* p : forecaster.network().parameters()) parameters += p->value.size();
  if (on_start) on_start(data, forecaster, parameters);

  // train
  Workers* workers = options.workers;
  const double comm0 = workers ? workers->communication_seconds() : 0.0;
  const auto t0 = std::chrono::steady_clock::now();
  Trainer<float> trainer(forecaster.network(), data.windows, options.training, workers);
  TrainingHistory history = trainer.fit(data.split.train_windows, validation, rng, callbacks);
  history.part = options.validate_on_test ? ValidationPart::test : ValidationPart::validation;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double communication = workers ? workers->communication_seconds() - comm0 : 0.0;

  // judge on the test part
  BaselineOptions baselines;
  baselines.season = options.season;
  baselines.in_sample_rows = data.split.train_rows;
  RangeForecast test =
      evaluate_range(forecaster, data.windows, data.split.test_windows, "test", baselines);

  const double persistence = persistence_loss(
      data.windows, validation, Loss<double>(options.training.loss, options.training.huber_delta));

  DataProvenance& p = forecaster.data();
  p.first = data.series.dates.front();
  p.last = data.series.dates.back();
  p.rows = data.series.rows();
  p.fractions = options.data.split;
  p.split = data.split;

  return TrainRun{
      std::move(data), std::move(forecaster), std::move(history), options.validate_on_test,
      validation,      persistence,           std::move(test),    parameters,
      seconds,         communication};
}

}  // namespace bnlstm
