#include "bnlstm/train/checkpoint.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "bnlstm/core/error.hpp"
#include "bnlstm/train/trainer.hpp"
#include "train/synthetic.hpp"

namespace bnlstm {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() {
  const fs::path d =
      fs::temp_directory_path() / ("bnlstm_checkpoint_test_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

// A trained forecaster over the synthetic series (batch norm, so running statistics matter).
struct Fixture {
  explicit Fixture(InputKind input = InputKind::level) : data(dataset(input)) {}
  static Dataset dataset(InputKind input) {
    DatasetOptions o;
    o.scaler = ScalerKind::min_max;
    o.split = {0.6, 0.2};
    o.windows.lookback = 4;
    o.windows.horizon = 2;
    o.windows.target = Target::delta;
    o.windows.input = input;
    return make_dataset(testing::synthetic_series(150), o);
  }
  Dataset data;
  Forecaster forecaster = make();

  Forecaster make() {
    ForecasterConfig c;
    c.columns = data.series.columns;
    c.windows = data.windows.spec();
    c.network.hidden_size = 6;
    c.network.norm = LstmNorm::batch;
    Rng rng(4);
    Forecaster f(c, data.scaler, rng);
    TrainOptions o;
    o.epochs = 3;
    o.batch_size = 16;
    o.optimizer = OptimizerKind::adam;
    Trainer<float>(f.network(), data.windows, o)
        .fit(data.split.train_windows, data.split.validation_windows, rng);
    DataProvenance& p = f.data();
    p.source = "prices.csv";
    p.date_column = "Date";
    p.start = parse_date("2020-01-01", "start");
    p.first = data.series.dates.front();
    p.last = data.series.dates.back();
    p.rows = data.series.rows();
    p.fractions = {0.6, 0.2};
    p.split = data.split;
    f.training_json() = R"({"optimizer":"adam","epochs_run":3})";
    return f;
  }
};

TEST(Checkpoint, RoundTripGivesIdenticalPredictionsAndMetadata) {
  Fixture fx;
  const fs::path path = temp_dir() / "model.safetensors";
  save_checkpoint(path, fx.forecaster);
  Forecaster g = load_checkpoint(path);

  // identical forecasts for every origin, in scaled and price units
  std::vector<Index> origins(static_cast<size_t>(fx.data.windows.origins()));
  std::iota(origins.begin(), origins.end(), 0);
  const Windows wg = g.windows(fx.data.series);
  EXPECT_EQ(fx.forecaster.predict_scaled(fx.data.windows, origins), g.predict_scaled(wg, origins));
  EXPECT_EQ(fx.forecaster.predict_prices(fx.data.windows, origins), g.predict_prices(wg, origins));

  // configuration
  const ForecasterConfig& a = fx.forecaster.config();
  const ForecasterConfig& b = g.config();
  EXPECT_EQ(b.columns, a.columns);
  EXPECT_EQ(b.windows.lookback, 4);
  EXPECT_EQ(b.windows.horizon, 2);
  EXPECT_EQ(b.windows.target, Target::delta);
  EXPECT_EQ(b.windows.input_columns, a.windows.input_columns);
  EXPECT_EQ(b.network.hidden_size, 6);
  EXPECT_EQ(b.network.norm, LstmNorm::batch);
  EXPECT_EQ(b.network.init, InitScheme::xavier);
  // scaler, exactly
  EXPECT_EQ(g.scaler().to_json(), fx.forecaster.scaler().to_json());
  EXPECT_EQ(g.scaler().shift(), fx.forecaster.scaler().shift());
  EXPECT_EQ(g.scaler().scale(), fx.forecaster.scaler().scale());
  // provenance
  const DataProvenance& p = g.data();
  EXPECT_EQ(p.source, "prices.csv");
  EXPECT_EQ(p.date_column, "Date");
  EXPECT_EQ(format_date(*p.start), "2020-01-01");
  EXPECT_FALSE(p.end.has_value());
  EXPECT_EQ(p.first, fx.data.series.dates.front());
  EXPECT_EQ(p.last, fx.data.series.dates.back());
  EXPECT_EQ(p.rows, 150);
  EXPECT_EQ(p.fractions.train, 0.6);
  EXPECT_EQ(p.fractions.validation, 0.2);
  EXPECT_EQ(p.split.train_rows, fx.data.split.train_rows);
  EXPECT_EQ(p.split.test_windows, fx.data.split.test_windows);
  EXPECT_EQ(g.training_json(), R"({"optimizer":"adam","epochs_run":3})");
  // the running statistics travelled too
  const TensorFile file = TensorFile::load(path);
  EXPECT_TRUE(file.contains("lstm.norm_ih.running_mean"));
  EXPECT_EQ(file.metadata.at("format"), "bnlstm-forecaster");
  EXPECT_EQ(file.metadata.at("columns"), R"({"inputs":["Close"],"target":"Close"})");
  fs::remove_all(path.parent_path());
}

// --input travels in the config, so a reloaded model rebuilds the same inputs and forecasts.
TEST(Checkpoint, InputKindRoundTripsAndPredictionsStayIdentical) {
  for (const InputKind input : {InputKind::delta, InputKind::both}) {
    Fixture fx(input);
    const fs::path path = temp_dir() / "model.safetensors";
    save_checkpoint(path, fx.forecaster);
    Forecaster g = load_checkpoint(path);
    EXPECT_EQ(g.config().windows.input, input);
    EXPECT_EQ(g.config().network.input_size, input == InputKind::both ? 2 : 1);
    const auto config = nlohmann::json::parse(TensorFile::load(path).metadata.at("config"));
    EXPECT_EQ(config.at("input"), to_string(input));
    const Windows wg = g.windows(fx.data.series);
    EXPECT_EQ(wg.span(), 5);
    EXPECT_EQ(wg.origins(), fx.data.windows.origins());
    std::vector<Index> origins(static_cast<size_t>(wg.origins()));
    std::iota(origins.begin(), origins.end(), 0);
    EXPECT_EQ(fx.forecaster.predict_prices(fx.data.windows, origins),
              g.predict_prices(wg, origins));
    // the final origin (predict): last row's change is fed
    MatrixF xa, xb;
    const std::vector<Index> last{wg.origins() - 1};
    wg.gather_inputs(xb, last);
    fx.data.windows.gather_inputs(xa, last);
    EXPECT_EQ(xa, xb);
    const double d = fx.data.series.values(149, 0) - fx.data.series.values(148, 0);
    EXPECT_NEAR(xb(3, input == InputKind::both ? 1 : 0), d / fx.data.scaler.scale()[0], 1e-6);
    fs::remove_all(path.parent_path());
  }
}

TEST(Checkpoint, ReadableByNumpyThroughGoldenIo) {
  if (!fs::exists("/usr/bin/python3") ||
      std::system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0)
    GTEST_SKIP() << "/usr/bin/python3 with numpy not available";
  Fixture fx;
  const fs::path dir = temp_dir();
  save_checkpoint(dir / "model.safetensors", fx.forecaster);
  const std::string script = R"(
import json, sys
sys.path.insert(0, sys.argv[1] + "/tools")
from golden_io import load
t, m = load(sys.argv[2])
c = json.loads(m["config"])
out = {"format": m["format"], "hidden": c["hidden_size"], "norm": c["norm"],
       "head_shape": list(t["head.weight"].shape), "dtype": str(t["head.weight"].dtype),
       "head_sum": float(t["head.weight"].astype("float64").sum()),
       "scaler_kind": json.loads(m["scaler"])["kind"], "first": json.loads(m["data"])["first"],
       "names": sorted(t)}
print(json.dumps(out))
)";
  std::ofstream(dir / "read.py") << script;
  const std::string cmd = "/usr/bin/python3 " + (dir / "read.py").string() +
                          " " BNLSTM_SOURCE_DIR " " + (dir / "model.safetensors").string() + " > " +
                          (dir / "out.json").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(dir / "out.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["format"], "bnlstm-forecaster");
  EXPECT_EQ(j["hidden"], 6);
  EXPECT_EQ(j["norm"], "batch");
  EXPECT_EQ(j["head_shape"], nlohmann::json::array({2, 6}));
  EXPECT_EQ(j["dtype"], "float32");
  EXPECT_EQ(j["scaler_kind"], "min_max");
  EXPECT_EQ(j["first"], format_date(fx.data.series.dates.front()));
  const double sum = fx.forecaster.network().head().weight().value.cast<double>().sum();
  EXPECT_NEAR(j["head_sum"].get<double>(), sum, 1e-12);
  TensorFile mine;
  fx.forecaster.network().save_state(mine);
  std::vector<std::string> names;
  for (const auto& [name, t] : mine.tensors) names.push_back(name);
  EXPECT_EQ(j["names"].get<std::vector<std::string>>(), names);
  fs::remove_all(dir);
}

std::string error_of(const fs::path& path) {
  try {
    load_checkpoint(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Checkpoint, SaysPlainlyWhenAFileIsNotACheckpoint) {
  const fs::path dir = temp_dir();
  EXPECT_EQ(error_of(dir / "missing.safetensors"),
            (dir / "missing.safetensors").string() + ": no such model file");

  std::ofstream(dir / "prices.csv") << "Date,Close\n2020-01-01,1\n2020-01-02,2\n";
  EXPECT_EQ(error_of(dir / "prices.csv")
                .rfind((dir / "prices.csv").string() + ": not a bnlstm checkpoint: ", 0),
            0u)
      << error_of(dir / "prices.csv");

  TensorFile other;  // valid safetensors, but not ours
  const float v = 1;
  other.put<float>("w", &v, {1});
  other.save(dir / "other.safetensors");
  EXPECT_EQ(error_of(dir / "other.safetensors"),
            (dir / "other.safetensors").string() +
                ": not a bnlstm checkpoint: its metadata has no \"format\": \"bnlstm-forecaster\"");

  Fixture fx;
  TensorFile broken = checkpoint_tensors(fx.forecaster);
  broken.tensors.erase("head.bias");
  broken.save(dir / "broken.safetensors");
  EXPECT_EQ(error_of(dir / "broken.safetensors"),
            (dir / "broken.safetensors").string() +
                ": not a bnlstm checkpoint: no tensor named 'head.bias'");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace bnlstm
