// Checkpoints are untrusted input (issue #10): a damaged or hostile file is one line naming the
// file, never an allocation the file does not pay for, an out-of-bounds read or undefined
// behaviour. Each case edits a real checkpoint's JSON header or bytes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>

#include "bnlstm/core/error.hpp"
#include "bnlstm/train/checkpoint.hpp"
#include "bnlstm/train/trainer.hpp"
#include "testing/errors.hpp"
#include "train/synthetic.hpp"

namespace bnlstm {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using testing::error_of;

// A trained batch-norm forecaster (running statistics present), serialized.
std::string checkpoint_bytes() {
  DatasetOptions o;
  o.windows.lookback = 3;
  const Dataset d = make_dataset(testing::synthetic_series(80), o);
  ForecasterConfig c;
  c.columns = d.series.columns;
  c.windows = d.windows.spec();
  c.network.hidden_size = 4;
  Rng rng(1);
  Forecaster f(c, d.scaler, rng);
  TrainOptions t;
  t.epochs = 1;
  Trainer<float>(f.network(), d.windows, t).fit(d.split.train_windows, d.split.test_windows, rng);
  DataProvenance& p = f.data();
  p.source = "prices.csv";
  p.first = d.series.dates.front();
  p.last = d.series.dates.back();
  p.rows = d.series.rows();
  p.split = d.split;
  return checkpoint_tensors(f).serialize();
}

const std::string& good() {
  static const std::string bytes = checkpoint_bytes();
  return bytes;
}

// The header as JSON, and a file with an edited header and the same data bytes.
Json header_of(const std::string& bytes) {
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  return Json::parse(bytes.substr(8, n));
}
std::string with_header(const std::string& bytes, const Json& header) {
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  const std::string json = header.dump();
  std::string out(8, '\0');
  const uint64_t len = json.size();
  std::memcpy(out.data(), &len, 8);
  return out + json + bytes.substr(8 + n);
}

// Edits one metadata entry (itself JSON) of the good file.
std::string with_metadata(const std::string& key, const std::function<void(Json&)>& edit) {
  Json h = header_of(good());
  Json m = Json::parse(h["__metadata__"][key].get<std::string>());
  edit(m);
  h["__metadata__"][key] = m.dump();
  return with_header(good(), h);
}

std::string load_error(const std::string& bytes) {
  return error_of([&] { forecaster_from_tensors(TensorFile::parse(bytes, "m.safetensors")); });
}

const std::string kNot = "m.safetensors: not a bnlstm checkpoint: ";

TEST(UntrustedCheckpoint, TheGoodOneLoads) {
  EXPECT_NO_THROW(forecaster_from_tensors(TensorFile::parse(good(), "m.safetensors")));
}

// The config is checked against the tensors before the network is built: hidden_size 12000 in
// a small file used to allocate gigabytes first, 2e9 ended in std::bad_alloc.
TEST(UntrustedCheckpoint, ConfigSizesAreCheckedBeforeAllocating) {
  EXPECT_EQ(load_error(with_metadata("config", [](Json& c) { c["hidden_size"] = 12000; })),
            kNot +
                "tensor 'lstm.weight_ih_l0' has shape (16, 1), the config (hidden_size 12000, "
                "input_size 1, horizon 1) needs (48000, 1)");
  EXPECT_EQ(load_error(with_metadata("config", [](Json& c) { c["hidden_size"] = 2000000000; })),
            kNot + "hidden_size: expected a whole number in [1, 100000], got 2000000000");
  EXPECT_EQ(load_error(with_metadata("config", [](Json& c) { c["hidden_size"] = 8.7; })),
            kNot + "hidden_size: expected a whole number in [1, 100000], got 8.7");
  EXPECT_EQ(
      load_error(with_metadata("config", [](Json& c) { c["hidden_size"] = uint64_t{1} << 62; })),
      kNot + "hidden_size: expected a whole number in [1, 100000], got 4611686018427387904");
  EXPECT_EQ(
      load_error(with_metadata("config", [](Json& c) { c["lookback"] = 9223372036854775807; })),
      kNot + "lookback: expected a whole number in [1, 100000], got 9223372036854775807");
  EXPECT_EQ(load_error(with_metadata("config", [](Json& c) { c["target_column"] = 7; })),
            kNot + "target_column: expected a whole number in [0, 0], got 7");
  EXPECT_EQ(load_error(with_metadata("config", [](Json& c) { c["input_size"] = 3; })),
            kNot + "config: input_size 3 does not match the 1 input features of its columns");
}

TEST(UntrustedCheckpoint, LstmRefusesAHiddenSizeWhoseGatesOverflow) {
  LstmOptions o;
  o.hidden_size = Index{1} << 62;
  Rng rng(1);
  EXPECT_EQ(error_of([&] { Lstm<float> lstm(o, rng); }),
            "Lstm: hidden_size 4611686018427387904 is too large");
}

// Shapes and offsets whose products overflow int64_t or exceed the data (UBSan found signed
// overflow at safetensors.cpp:117 and :49, and a float-to-uint64 conversion in nlohmann).
TEST(UntrustedCheckpoint, TensorShapesAndOffsetsAreCheckedArithmetic) {
  const std::string head = "m.safetensors: not a valid safetensors file: ";
  auto edited = [](const std::function<void(Json&)>& edit) {
    Json h = header_of(good());
    edit(h["head.bias"]);
    return with_header(good(), h);
  };
  auto parse_error = [](const std::string& bytes) {
    return error_of([&] { TensorFile::parse(bytes, "m.safetensors"); });
  };
  EXPECT_EQ(parse_error(edited([](Json& t) { t["shape"] = {4611686018427387905}; })),
            head + "tensor 'head.bias' has a shape too large to address");
  EXPECT_EQ(parse_error(edited([](Json& t) {
              t["shape"] = {uint64_t{1} << 32, uint64_t{1} << 32, 1};
            })),
            head + "tensor 'head.bias' has a shape too large to address");
  EXPECT_EQ(parse_error(edited([](Json& t) { t["shape"] = {-1}; })),
            head + "tensor 'head.bias' has a dimension that is not a whole number >= 0: -1");
  EXPECT_EQ(parse_error(edited([](Json& t) { t["shape"] = {1.5}; })),
            head + "tensor 'head.bias' has a dimension that is not a whole number >= 0: 1.5");
  EXPECT_EQ(parse_error(edited([](Json& t) {
              t["data_offsets"] = {0, 1e20};
            })),
            head + "tensor 'head.bias' has data_offsets outside the data");
  EXPECT_EQ(parse_error(edited([](Json& t) {
              t["data_offsets"] = {4, 0};
            })),
            head + "tensor 'head.bias' has data_offsets outside the data");
  // head.bias (one float, first in the file) moved onto the bytes of head.weight
  EXPECT_EQ(parse_error(edited([](Json& t) {
              t["data_offsets"] = {4, 8};
            })),
            head + "two tensors' data_offsets overlap");
}

TEST(UntrustedCheckpoint, MetadataContentIsChecked) {
  EXPECT_EQ(load_error(with_metadata("data", [](Json& d) { d["first"] = ""; })),
            kNot + "data.first: expected a date YYYY-MM-DD, got ''");
  EXPECT_EQ(load_error(with_metadata("data", [](Json& d) { d["rows"] = -3; })),
            kNot + "rows: expected a whole number in [1, 1099511627776], got -3");
  EXPECT_EQ(load_error(with_metadata("data",
                                     [](Json& d) {
                                       d["split"]["test_rows"] = {5, 2};
                                     })),
            kNot + "range [5, 2) ends before it begins");
  EXPECT_EQ(load_error(with_metadata("data", [](Json& d) { d["train_fraction"] = 2; })),
            kNot + "data.train_fraction: expected a number in [0, 1], got 2");
}

// Weights and running statistics: NaN, infinity and negative variances are rejected.
TEST(UntrustedCheckpoint, NonFiniteWeightsAndNegativeVariancesAreRejected) {
  const TensorFile base = TensorFile::parse(good(), "m.safetensors");
  auto with_value = [&](const std::string& name, float v) {
    TensorFile f = base;
    StoredTensor& t = f.tensors.at(name);
    std::memcpy(t.bytes.data(), &v, sizeof v);
    return error_of([&] { forecaster_from_tensors(f); });
  };
  EXPECT_EQ(with_value("head.bias", std::numeric_limits<float>::quiet_NaN()),
            kNot + "tensor 'head.bias' holds NaN or infinite values");
  EXPECT_EQ(with_value("lstm.weight_hh_l0", std::numeric_limits<float>::infinity()),
            kNot + "tensor 'lstm.weight_hh_l0' holds NaN or infinite values");
  EXPECT_THAT(with_value("lstm.norm_c.running_var", -1.0f),
              ::testing::AllOf(::testing::StartsWith(kNot + "lstm.norm_c.running_mean/running_var: "
                                                            "expected finite means and variances "
                                                            ">= 0, got "),
                               ::testing::EndsWith(" and -1.000000")));
}

TEST(UntrustedCheckpoint, AFolderIsNotAModelFile) {
  const fs::path d = fs::temp_directory_path() / ("bnlstm_untrusted_" + std::to_string(::getpid()));
  fs::create_directories(d);
  EXPECT_EQ(error_of([&] { load_checkpoint(d); }),
            d.string() + ": is a folder, expected a .safetensors file (such as " +
                (d / "model.safetensors").string() + ")");
  fs::remove_all(d);
}

}  // namespace
}  // namespace bnlstm
