#include "bnlstm/train/workflow.hpp"

#include <fmt/core.h>
#include <omp.h>

#include <Eigen/Core>
#include <chrono>

#include "bnlstm/core/error.hpp"
#include "bnlstm/train/resume.hpp"

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
  if (o.resume && o.init_from)
    throw Error("a run either resumes a checkpoint or starts from one's weights, not both");
}

// --resume: the options must be the checkpoint's (resume_settings), the series its data.
void check_resume(const TrainRunOptions& o, const TrainingCheckpoint& ck, const Series& series,
                  uint64_t fingerprint) {
  const DataProvenance& p = ck.forecaster.data();
  if (fingerprint != ck.state.data_fingerprint)
    throw Error(fmt::format(
        "{}: not the data {} was trained on ({} rows, {}..{}; {} here, {}..{}): a resumed run "
        "continues on the same rows (to train on other data, start a new run from its weights)",
        series.source, ck.source, p.rows, format_date(p.first), format_date(p.last), series.rows(),
        series.rows() ? format_date(series.dates.front()) : "-",
        series.rows() ? format_date(series.dates.back()) : "-"));
  const TrainRunOptions& saved = ck.state.options;
  const ForecasterConfig& c = ck.forecaster.config();
  const bool same =
      o.data.split.train == saved.data.split.train &&
      o.data.split.validation == saved.data.split.validation &&
      o.validate_on_test == saved.validate_on_test &&
      o.data.windows.lookback == c.windows.lookback &&
      o.data.windows.horizon == c.windows.horizon && o.data.windows.target == c.windows.target &&
      o.data.windows.input == c.windows.input &&
      o.data.windows.input_columns == c.windows.input_columns &&
      o.data.windows.target_column == c.windows.target_column &&
      o.network.hidden_size == c.network.hidden_size && o.network.norm == c.network.norm &&
      o.training.batch_size == saved.training.batch_size &&
      o.training.optimizer == saved.training.optimizer;
  if (!same)
    throw Error(ck.source +
                ": the run's options are not the checkpoint's (resume_settings() "
                "makes them so)");
}

// The model a run trains: the resumed checkpoint's, or a new one drawn from rng (its weights
// then replaced by init_from's).
Forecaster make_forecaster(const TrainRunOptions& o, const Dataset& data, Rng& rng) {
  if (o.resume) return o.resume->forecaster;
  ForecasterConfig config;
  config.columns = data.series.columns;
  config.windows = data.windows.spec();
  config.network = o.network;
  Forecaster f(config, data.scaler, rng);
  if (o.init_from) {
    const NetworkConfig &have = f.network().config(), &from = o.init_from->network().config();
    if (have.input_size != from.input_size || have.hidden_size != from.hidden_size ||
        have.horizon != from.horizon || have.norm != from.norm)
      throw Error(fmt::format(
          "init_from: its network takes {} inputs, hidden size {}, {} step(s), norm {}; this "
          "run's: {}, {}, {}, {} (init_settings() makes them match)",
          from.input_size, from.hidden_size, from.horizon, to_string(from.norm), have.input_size,
          have.hidden_size, have.horizon, to_string(have.norm)));
    ForecastNetwork<float>::State weights;
    o.init_from->network().copy_state(weights);
    f.network().set_state(weights);
  } else if (o.zero_head) {
    f.network().head().weight().value.setZero();
  }
  return f;
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
  const uint64_t fingerprint = series_fingerprint(series);
  if (options.resume) check_resume(options, *options.resume, series, fingerprint);
  // a resumed run scales with the checkpoint's scaler (the same rows give the same fit anyway)
  Dataset data = make_dataset(std::move(series), options.data,
                              options.resume ? &options.resume->forecaster.scaler() : nullptr);
  if (options.season > data.split.train_rows.size())
    throw Error(fmt::format("season: {} rows is longer than the training part ({} rows)",
                            options.season, data.split.train_rows.size()));
  const Range validation =
      options.validate_on_test ? data.split.test_windows : data.split.validation_windows;
  if (options.resume &&
      data.split.train_windows != options.resume->forecaster.data().split.train_windows)
    throw Error(options.resume->source + ": its training windows are not this split's");

  // model
  Rng rng = make_rng(options.seed);
  Forecaster forecaster = make_forecaster(options, data, rng);
  Index parameters = 0;
  for (auto* p : forecaster.network().parameters()) parameters += p->value.size();
  if (on_start) on_start(data, forecaster, parameters);

  // train (or go on training)
  Workers* workers = options.workers;
  const double comm0 = workers ? workers->communication_seconds() : 0.0;
  const auto t0 = std::chrono::steady_clock::now();
  Trainer<float> trainer(forecaster.network(), data.windows, options.training, workers);
  TrainingHistory history = options.resume
                                ? trainer.resume(options.resume->state.trainer,
                                                 data.split.train_windows, validation, callbacks)
                                : trainer.fit(data.split.train_windows, validation, rng, callbacks);
  history.part = options.validate_on_test ? ValidationPart::test : ValidationPart::validation;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double communication = workers ? workers->communication_seconds() - comm0 : 0.0;
  TrainingState state{options, fingerprint, trainer.state()};
  state.options.workers = nullptr;
  state.options.resume = nullptr;
  state.options.init_from = nullptr;
  state.trainer.history.part = history.part;
  state.options.data.windows.input_columns =
      forecaster.config().windows.input_columns;  // all: 0..C-1

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
      seconds,         communication,         std::move(state)};
}

}  // namespace bnlstm
