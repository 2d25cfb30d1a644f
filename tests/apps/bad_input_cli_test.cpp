// Table-driven bad input for every command (issue #10): bad flags, bad CSVs, bad output
// folders and damaged checkpoints. Each case asserts exit status 1, exactly one line on stderr
// naming the flag or file, nothing on stdout, and an --out folder left exactly as it was (a
// previous run's files, byte for byte, and no staging or lock files beside it). Runs under the
// sanitizer build too (make test-asan).
//
// In a case's arguments and message: @DIR is the scratch folder, @CSV a good price file, @MODEL
// a trained checkpoint, @OUT the --out folder holding the previous run, @BAD/name a file made by
// the suite (bad CSVs, damaged checkpoints). A message ending in "..." is a prefix.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "testing/checkpoint_edit.hpp"
#include "testing/cli.hpp"

namespace bnlstm {
namespace {

namespace fs = std::filesystem;
using testing::OrderedJson;

struct BadCase {
  const char* name;
  std::vector<std::string> args;
  std::string message;
};

// The suite's files, made once.
struct World {
  fs::path dir;
  std::map<std::string, std::string> bad;  // @BAD/name -> path
  std::map<std::string, std::string> out_before;
  int lock_fd = -1;
  std::string device_kind;  // of @BAD/full
};

World& world() {
  static World w;
  return w;
}

std::string substitute(std::string s) {
  const World& w = world();
  const std::pair<std::string, std::string> vars[] = {
      {"@CSV", (w.dir / "good.csv").string()},
      {"@MODEL", (w.dir / "model" / "model.safetensors").string()},
      {"@VOTMODEL", (w.dir / "model-vot" / "model.safetensors").string()},
      {"@OUT", (w.dir / "out").string()},
      {"@BAD/", (w.dir / "bad").string() + "/"},
      {"@DIR", w.dir.string()},
      {"@DEVICE_KIND", w.device_kind}};
  for (const auto& [key, value] : vars)
    for (size_t p; (p = s.find(key)) != std::string::npos;) s.replace(p, key.size(), value);
  return s;
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

std::string rows(int n, const std::string& value = "7", int start_day = 4) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    char date[16];
    const auto d =
        std::chrono::sys_days{std::chrono::year{2021} / 1 / 1} + std::chrono::days{start_day + i};
    const std::chrono::year_month_day ymd{d};
    std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    s += std::string(date) + "," + value + "\n";
  }
  return s;
}

class BadInput : public ::testing::TestWithParam<BadCase> {
 public:
  static void SetUpTestSuite() {
    World& w = world();
    w.dir = fs::temp_directory_path() / ("bnlstm_bad_input_" + std::to_string(::getpid()));
    fs::remove_all(w.dir);
    fs::create_directories(w.dir / "bad");
    testing::write_prices_csv(w.dir / "good.csv");
    const auto trained = testing::run_cli(
        {"train", "--data", (w.dir / "good.csv").string(), "--epochs", "1", "--hidden", "4",
         "--quiet", "--no-plots", "--out", (w.dir / "model").string()},
        w.dir);
    ASSERT_EQ(trained.status, 0) << trained.err;
    // a model trained with the notebook's protocol: no validation part of its own
    const auto on_test = testing::run_cli(
        {"train", "--data", (w.dir / "good.csv").string(), "--epochs", "1", "--hidden", "4",
         "--validate-on-test", "--quiet", "--no-plots", "--out", (w.dir / "model-vot").string()},
        w.dir);
    ASSERT_EQ(on_test.status, 0) << on_test.err;
    // the previous run in --out, plus a file of the user's
    fs::copy(w.dir / "model", w.dir / "out", fs::copy_options::recursive);
    write_bytes(w.dir / "out" / "notes.txt", "mine\n");
    w.out_before = testing::snapshot(w.dir / "out");

    // bad CSVs
    const fs::path b = w.dir / "bad";
    const std::string header = "Date,Close\n";
    write_bytes(b / "empty.csv", "");
    write_bytes(b / "header-only.csv", header);
    write_bytes(b / "unterminated.csv", header + rows(3) + "2021-02-01,\"7\n" + rows(200, "7", 40));
    write_bytes(b / "mostly-bad.csv", header + rows(10) + rows(5, "abc", 20));
    write_bytes(b / "no-date.csv", "Day0,Close\n1,2\n");
    write_bytes(b / "bad-dates.csv", header + "2021-13-01,1\n2021-02-30,2\n");
    write_bytes(b / "strict.csv", header + rows(30) + "2021-03-01,abc\n");
    std::string big = header;
    for (int i = 0; i < 40; ++i) big += rows(1, i % 2 ? "1e308" : "-1e308", i);
    write_bytes(b / "overflow.csv", big);
    write_bytes(b / "control.csv", "Date,\x1b[2JClose\xff\n" + rows(3));
    write_bytes(b / "two-rows.csv", header + rows(2));
    write_bytes(b / "year-9999.csv", header + "9999-12-29,1\n9999-12-30,2\n9999-12-31,3\n");
    write_bytes(b / "other-columns.csv", "Date,Price\n" + rows(30));
    write_bytes(b / "file", "x");
    fs::create_directories(b / "folder.csv");
    ASSERT_EQ(::mkfifo((b / "fifo").c_str(), 0644), 0);
    // a private copy of /dev/full where we may (root); never a system device: a regression that
    // replaced the device by a regular file would break the machine's /dev
    if (::mknod((b / "full").c_str(), S_IFCHR | 0666, makedev(1, 7)) == 0) {
      w.device_kind = "character device";
    } else {
      ASSERT_EQ(::mkfifo((b / "full").c_str(), 0644), 0);
      w.device_kind = "fifo";
    }

    // damaged checkpoints
    std::ifstream in(w.dir / "model" / "model.safetensors", std::ios::binary);
    const std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto config = [&](const char* name, const std::function<void(OrderedJson&)>& edit) {
      write_bytes(b / name, testing::with_metadata(good, "config", edit));
    };
    auto data = [&](const char* name, const std::function<void(OrderedJson&)>& edit) {
      write_bytes(b / name, testing::with_metadata(good, "data", edit));
    };
    auto tensor = [&](const char* name, const std::function<void(OrderedJson&)>& edit) {
      write_bytes(b / name, testing::with_tensor_entry(good, "head.bias", edit));
    };
    config("hidden-12000.safetensors", [](OrderedJson& c) { c["hidden_size"] = 12000; });
    config("hidden-8.7.safetensors", [](OrderedJson& c) { c["hidden_size"] = 8.7; });
    config("hidden-2e9.safetensors", [](OrderedJson& c) { c["hidden_size"] = 2000000000; });
    config("target-7.safetensors", [](OrderedJson& c) { c["target_column"] = 7; });
    config("lookback-max.safetensors",
           [](OrderedJson& c) { c["lookback"] = std::numeric_limits<int64_t>::max(); });
    data("empty-first.safetensors", [](OrderedJson& d) { d["first"] = ""; });
    data("nowhere.safetensors", [](OrderedJson& d) {
      d["source"] = "nowhere.csv";
      d["source_absolute"] = "";
    });
    tensor("shape-overflow.safetensors",
           [](OrderedJson& t) { t["shape"] = {uint64_t{4611686018427387905}}; });
    tensor("shape-2pow64.safetensors", [](OrderedJson& t) {
      t["shape"] = {uint64_t{1} << 32, uint64_t{1} << 32, 1};
    });
    tensor("offsets-1e20.safetensors", [](OrderedJson& t) { t["data_offsets"] = {0, 1e20}; });
    tensor("offsets-overlap.safetensors", [](OrderedJson& t) { t["data_offsets"] = {4, 8}; });
    write_bytes(
        b / "nan.safetensors",
        testing::with_first_float(good, "head.bias", std::numeric_limits<float>::quiet_NaN()));
    write_bytes(b / "negative-var.safetensors",
                testing::with_first_float(good, "lstm.norm_c.running_var", -1.0f));
    write_bytes(b / "truncated.safetensors", good.substr(0, good.size() / 2));

    // a busy --out: its lock held by this process, as a running `train` would
    const fs::path busy = w.dir / ".busy.bnlstm-lock";
    w.lock_fd = ::open(busy.c_str(), O_RDWR | O_CREAT, 0644);
    ASSERT_EQ(::flock(w.lock_fd, LOCK_EX | LOCK_NB), 0);
    const std::string holder = "pid 1, since 2026-01-01 00:00:00: bnlstm train --out busy\n";
    ASSERT_EQ(::write(w.lock_fd, holder.data(), holder.size()),
              static_cast<ssize_t>(holder.size()));
    fs::create_directories(w.dir / "busy");
  }
  static void TearDownTestSuite() {
    ::close(world().lock_fd);
    fs::remove_all(world().dir);
  }
};

TEST_P(BadInput, OneLineNamingTheCauseExitOneOutUntouched) {
  const BadCase& c = GetParam();
  std::vector<std::string> args;
  for (const auto& a : c.args) args.push_back(substitute(a));
  const auto r = testing::run_cli(args, world().dir);
  const std::string message = substitute(c.message);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(r.out, "");
  if (message.size() > 3 && message.compare(message.size() - 3, 3, "...") == 0) {
    EXPECT_EQ(r.err.rfind("bnlstm: error: " + message.substr(0, message.size() - 3), 0), 0u)
        << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.back(), '\n');
  } else {
    EXPECT_EQ(r.err, "bnlstm: error: " + message + "\n");
  }
  EXPECT_EQ(testing::snapshot(world().dir / "out"), world().out_before);
  for (const auto& e : fs::directory_iterator(world().dir)) {
    const std::string n = e.path().filename().string();
    EXPECT_TRUE(n.find(".bnlstm-") == std::string::npos || n == ".busy.bnlstm-lock") << n;
  }
}

// train with a tiny model into the folder of the previous run, plus the given flags
std::vector<std::string> train(std::vector<std::string> extra) {
  std::vector<std::string> a{"train",    "--data", "@CSV",       "--epochs", "1",
                             "--hidden", "4",      "--no-plots", "--out",    "@OUT"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}
std::vector<std::string> train_on(const std::string& csv, std::vector<std::string> extra = {}) {
  std::vector<std::string> a{"train",    "--data", csv,          "--epochs", "1",
                             "--hidden", "4",      "--no-plots", "--out",    "@OUT"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}
std::vector<std::string> evaluate(const std::string& model, std::vector<std::string> extra = {}) {
  std::vector<std::string> a{"evaluate", "--model", model};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}
std::vector<std::string> predict(const std::string& model, std::vector<std::string> extra = {}) {
  std::vector<std::string> a{"predict", "--model", model};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

const std::string kNotCheckpoint = ": not a bnlstm checkpoint: ";

INSTANTIATE_TEST_SUITE_P(
    Flags, BadInput,
    ::testing::Values(
        BadCase{"epochs_wraps", train({"--epochs", "4294967297"}),
                "--epochs: expected an integer <= 1000000, got '4294967297'"},
        BadCase{"epochs_word", train({"--epochs", "ten"}),
                "--epochs: expected an integer >= 1, got 'ten'"},
        BadCase{"epochs_zero", train({"--epochs", "0"}),
                "--epochs: expected an integer >= 1, got '0'"},
        BadCase{"patience_wraps", train({"--patience", "4294967296"}),
                "--patience: expected an integer <= 1000000, got '4294967296'"},
        BadCase{"threads_wraps", train({"--threads", "2147483648"}),
                "--threads: expected an integer <= 1024, got '2147483648'"},
        BadCase{"threads_zero", train({"--threads", "0"}),
                "--threads: expected an integer >= 1, got '0'"},
        BadCase{"look_back_max", train({"--look-back", "9223372036854775807"}),
                "--look-back: expected an integer <= 100000, got '9223372036854775807'"},
        BadCase{"horizon_max", train({"--horizon", "9223372036854775807"}),
                "--horizon: expected an integer <= 100000, got '9223372036854775807'"},
        BadCase{"hidden_2e9", train({"--hidden", "2000000000"}),
                "--hidden: expected an integer <= 100000, got '2000000000'"},
        BadCase{"hidden_memory", train({"--hidden", "100000"}),
                "--hidden 100000 with --look-back 1 and --batch-size 32: training would need "
                "about ..."},
        BadCase{"batch_zero", train({"--batch-size", "0"}),
                "--batch-size: expected an integer >= 1, got '0'"},
        BadCase{"value_col_empty", train({"--value-col", ""}),
                "--value-col: expected a column name, got ''"},
        BadCase{"target_col_empty", train({"--target-col", ""}),
                "--target-col: expected a column name, got ''"},
        BadCase{"weight_decay_negative", train({"--weight-decay", "-1"}),
                "--weight-decay: expected a number >= 0, got '-1'"},
        BadCase{"val_size_no_rows", train({"--val-size", "1e-9"}),
                "--val-size: 1e-09 of 150 rows is no validation row; expected a fraction >= "
                "0.00667"},
        BadCase{"val_size_no_test", train({"--train-size", "0.6", "--val-size", "0.5"}),
                "--val-size: expected a fraction > 0 with --train-size + --val-size < 1, got 0.6 "
                "+ 0.5"},
        BadCase{"train_size_one", train({"--train-size", "1"}),
                "--train-size: expected a fraction in (0, 1), got '1'"},
        BadCase{"lr_zero", train({"--lr", "0"}), "--lr: expected a number > 0, got '0'"},
        BadCase{"lr_inf", train({"--lr", "inf"}), "--lr: expected a number > 0, got 'inf'"},
        BadCase{"momentum_negative", train({"--momentum", "-0.1"}),
                "--momentum: expected a number in [0, 1), got '-0.1'"},
        BadCase{"huber_delta", train({"--loss", "huber", "--huber-delta", "-1"}),
                "--huber-delta: expected a number > 0, got '-1'"},
        BadCase{"delta_negative", train({"--delta", "-0.5"}),
                "--delta: expected a number >= 0, got '-0.5'"},
        BadCase{"clip_negative", train({"--clip", "-1"}),
                "--clip: expected a number >= 0 (0 = no clipping), got '-1'"},
        BadCase{"seed_negative", train({"--seed", "-1"}),
                "--seed: expected an integer >= 0, got '-1'"},
        BadCase{"format_gif", train({"--format", "gif"}),
                "--format: expected png, svg or pdf, got 'gif'"},
        BadCase{"norm", train({"--norm", "group"}),
                "--norm: expected batch, layer or none, got 'group'"},
        BadCase{"init", train({"--init", "zeros"}),
                "--init: expected xavier, random, he, uniform, glorot_uniform, orthogonal or torch, "
                "got 'zeros'"},
        BadCase{"optimizer", train({"--optimizer", "rmsprop"}),
                "--optimizer: expected sgd, momentum, adam or adamw, got 'rmsprop'"},
        BadCase{"loss", train({"--loss", "hinge"}),
                "--loss: expected mse, mae or huber, got 'hinge'"},
        BadCase{"clip_mode", train({"--clip-mode", "global"}),
                "--clip-mode: expected value or norm, got 'global'"},
        BadCase{"target", train({"--target", "sideways"}),
                "--target: expected level or delta, got 'sideways'"},
        BadCase{"input", train({"--input", "log"}),
                "--input: expected level, delta or both, got 'log'"},
        BadCase{"scaler", train({"--scaler", "robust"}),
                "--scaler: expected zscore or minmax, got 'robust'"},
        BadCase{"start_invalid_day", train({"--start", "2021-02-30"}),
                "--start: expected a date YYYY-MM-DD (optionally with a time), got '2021-02-30'"},
        BadCase{"end_word", train({"--end", "yesterday"}),
                "--end: expected a date YYYY-MM-DD (optionally with a time), got 'yesterday'"},
        BadCase{"log_every_negative", train({"--log-every", "-1"}),
                "--log-every: expected an integer >= 0, got '-1'"},
        BadCase{"data_empty", train({"--data", ""}), "--data: expected a file name, got ''"},
        BadCase{"date_col_empty", train({"--date-col", ""}),
                "--date-col: expected a column name, got ''"},
        BadCase{"unknown_flag", train({"--bogus"}),
                "The following argument was not expected: --bogus (see --help)"},
        BadCase{"head_init", train({"--head-init", "zeros"}),
                "--head-init: expected zero or drawn, got 'zeros'"},
        BadCase{"plot_step_past_horizon", train({"--horizon", "2", "--plot-step", "3"}),
                "--plot-step: expected a step <= --horizon 2, got 3"},
        BadCase{"season_longer_than_training", train({"--season", "200"}),
                "season: 200 rows is longer than the training part (105 rows)"},
        BadCase{"backtest_refit_negative",
                {"backtest", "--data", "@CSV", "--epochs", "1", "--hidden", "4", "--no-plots",
                 "--refit", "-1", "--out", "@OUT"},
                "--refit: expected an integer >= 0, got '-1'"},
        BadCase{"backtest_validate_on_test",
                {"backtest", "--data", "@CSV", "--epochs", "1", "--hidden", "4", "--no-plots",
                 "--validate-on-test", "--out", "@OUT"},
                "backtest: --validate-on-test / --notebook would choose each fold's epoch on the "
                "rows it forecasts; a backtest validates on the --val-size rows before each fold"},
        BadCase{"bn_demo_seed",
                {"bn-demo", "--seed", "-5", "--out", "@OUT"},
                "--seed: expected an integer >= 0, got '-5'"},
        BadCase{"bn_demo_activation",
                {"bn-demo", "--activation", "gelu", "--out", "@OUT"},
                "--activation: expected tanh, sigmoid or relu, got 'gelu'"}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Csv, BadInput,
    ::testing::Values(
        BadCase{"missing", train_on("@DIR/missing.csv"), "@DIR/missing.csv: no such file"},
        BadCase{"folder", train_on("@BAD/folder.csv"),
                "@BAD/folder.csv: is a directory, expected a CSV file"},
        BadCase{"empty", train_on("@BAD/empty.csv"),
                "@BAD/empty.csv: the file is empty (expected a header line such as Date,Close)"},
        BadCase{"header_only", train_on("@BAD/header-only.csv"),
                "@BAD/header-only.csv: no data rows after the header"},
        BadCase{"unterminated_quote", train_on("@BAD/unterminated.csv"),
                "@BAD/unterminated.csv:5: a quoted field opened on this line is never closed "
                "(expected a closing \")"},
        BadCase{"mostly_bad", train_on("@BAD/mostly-bad.csv"),
                "@BAD/mostly-bad.csv: 5 of 15 rows are bad, more than 10% (the first: "
                "@BAD/mostly-bad.csv:12: column 'Close': expected a number, got 'abc')"},
        BadCase{"no_date_column", train_on("@BAD/no-date.csv"),
                "@BAD/no-date.csv: no date column (looked for date, timestamp, time, datetime, "
                "day; available: 'Day0', 'Close'); name the date column explicitly"},
        BadCase{"no_value_column", train_on("@CSV", {"--value-col", "Price"}),
                "@CSV: no value column 'Price' (available: 'Date', 'Open', 'High', 'Low', "
                "'Close', 'Adj Close', 'Volume')"},
        BadCase{"all_bad_dates", train_on("@BAD/bad-dates.csv"),
                "@BAD/bad-dates.csv: no valid rows (2 bad rows; first: @BAD/bad-dates.csv:2: "
                "column 'Date': expected a date YYYY-MM-DD, got '2021-13-01')"},
        BadCase{"strict", train_on("@BAD/strict.csv", {"--strict"}),
                "@BAD/strict.csv:32: column 'Close': expected a number, got 'abc'"},
        BadCase{"overflow", train_on("@BAD/overflow.csv"),
                "@BAD/overflow.csv: column 'Close': the values overflow when scaled (values from "
                "-1e+308 to 1e+308); expected numbers below about 1e300"},
        BadCase{"control_bytes", train_on("@BAD/control.csv", {"--value-col", "Price"}),
                "@BAD/control.csv: no value column 'Price' (available: 'Date', "
                "'\\x1B[2JClose\\xFF')"},
        BadCase{"too_few_rows", train({"--look-back", "200"}),
                "too few rows for look-back 200 and horizon 1: have 150, need at least 201"},
        BadCase{"validation_two_rows", train_on("@BAD/two-rows.csv"),
                "--val-size: 0.1 of 2 rows is no validation row; expected a fraction >= 0.5"},
        BadCase{"split_two_rows", train_on("@BAD/two-rows.csv", {"--validate-on-test"}),
                "split: the train part has 1 of the 2 rows (train fraction 0.7); look-back 1 and "
                "horizon 1 need at least 2 rows in it"},
        BadCase{"no_rows_in_range", train({"--start", "2030-01-01"}),
                "@CSV: no rows between 2030-01-01 and the end (the file covers "
                "2021-01-04..2021-07-30)"},
        BadCase{"range_reversed", train({"--start", "2021-06-01", "--end", "2021-01-01"}),
                "@CSV: date range start 2021-06-01 is after end 2021-01-01"}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    OutputFolders, BadInput,
    ::testing::Values(
        BadCase{"out_is_a_file", train({"--out", "@BAD/file"}),
                "--out @BAD/file: exists and is not a folder"},
        BadCase{"out_under_a_file", train({"--out", "@BAD/file/sub"}),
                "--out @BAD/file/sub: cannot create the folder (@BAD/file is not a folder)"},
        BadCase{"out_in_proc", train({"--out", "/proc/bnlstm-x"}),
                "--out /proc/bnlstm-x: cannot write in /proc (..."},
        BadCase{"out_busy", train({"--out", "@DIR/busy"}),
                "--out @DIR/busy: in use by another run (pid 1, since 2026-01-01 00:00:00: "
                "bnlstm train --out busy)"},
        BadCase{"bn_demo_out_is_a_file",
                {"bn-demo", "--out", "@BAD/file"},
                "--out @BAD/file: exists and is not a folder"},
        BadCase{"predict_output_fifo", predict("@MODEL", {"--output", "@BAD/fifo"}),
                "@BAD/fifo: is a fifo, expected a regular file (or - for stdout)"},
        BadCase{"evaluate_output_device", evaluate("@MODEL", {"--output", "@BAD/full"}),
                "@BAD/full: is a @DEVICE_KIND, expected a regular file (or - for stdout)"},
        BadCase{"evaluate_output_folder", evaluate("@MODEL", {"--output", "@BAD/folder.csv"}),
                "@BAD/folder.csv: is a folder, expected a regular file (or - for stdout)"},
        BadCase{"evaluate_plot_gif", evaluate("@MODEL", {"--plot", "@DIR/x.gif"}),
                "--plot @DIR/x.gif: cannot tell the picture format; expected a .png, .svg or .pdf "
                "name, or --format"},
        BadCase{"evaluate_plot_mismatch",
                evaluate("@MODEL", {"--plot", "@DIR/x.png", "--format", "svg"}),
                "--plot @DIR/x.png: the extension does not match --format svg"}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Checkpoints, BadInput,
    ::testing::Values(
        BadCase{"missing", evaluate("@DIR/none.safetensors"),
                "@DIR/none.safetensors: no such model file"},
        BadCase{"folder", predict("@DIR/model"),
                "@DIR/model: is a folder, expected a .safetensors file (such as @MODEL)"},
        BadCase{"csv", evaluate("@CSV"),
                "@CSV" + kNotCheckpoint +
                    "not a valid safetensors file: header length 7309429247321596228 exceeds "
                    "file size"},
        BadCase{
            "truncated", predict("@BAD/truncated.safetensors"),
            "@BAD/truncated.safetensors" + kNotCheckpoint + "not a valid safetensors file: ..."},
        BadCase{"hidden_12000", evaluate("@BAD/hidden-12000.safetensors"),
                "@BAD/hidden-12000.safetensors" + kNotCheckpoint +
                    "tensor 'lstm.weight_ih_l0' has shape (16, 1), the config (hidden_size "
                    "12000, input_size 1, horizon 1) needs (48000, 1)"},
        BadCase{"hidden_fraction", predict("@BAD/hidden-8.7.safetensors"),
                "@BAD/hidden-8.7.safetensors" + kNotCheckpoint +
                    "hidden_size: expected a whole number in [1, 100000], got 8.7"},
        BadCase{"hidden_2e9", predict("@BAD/hidden-2e9.safetensors"),
                "@BAD/hidden-2e9.safetensors" + kNotCheckpoint +
                    "hidden_size: expected a whole number in [1, 100000], got 2000000000"},
        BadCase{"target_column", evaluate("@BAD/target-7.safetensors"),
                "@BAD/target-7.safetensors" + kNotCheckpoint +
                    "target_column: expected a whole number in [0, 0], got 7"},
        BadCase{"lookback_max", predict("@BAD/lookback-max.safetensors"),
                "@BAD/lookback-max.safetensors" + kNotCheckpoint +
                    "lookback: expected a whole number in [1, 100000], got 9223372036854775807"},
        BadCase{"empty_first", predict("@BAD/empty-first.safetensors"),
                "@BAD/empty-first.safetensors" + kNotCheckpoint +
                    "data.first: expected a date YYYY-MM-DD, got ''"},
        BadCase{"shape_overflow", evaluate("@BAD/shape-overflow.safetensors"),
                "@BAD/shape-overflow.safetensors" + kNotCheckpoint +
                    "not a valid safetensors file: tensor 'head.bias' has a shape too large to "
                    "address"},
        BadCase{"shape_2pow64", evaluate("@BAD/shape-2pow64.safetensors"),
                "@BAD/shape-2pow64.safetensors" + kNotCheckpoint +
                    "not a valid safetensors file: tensor 'head.bias' has a shape too large to "
                    "address"},
        BadCase{"offsets_1e20", predict("@BAD/offsets-1e20.safetensors"),
                "@BAD/offsets-1e20.safetensors" + kNotCheckpoint +
                    "not a valid safetensors file: tensor 'head.bias' has data_offsets outside "
                    "the data"},
        BadCase{"offsets_overlap", predict("@BAD/offsets-overlap.safetensors"),
                "@BAD/offsets-overlap.safetensors" + kNotCheckpoint +
                    "not a valid safetensors file: two tensors' data_offsets overlap"},
        BadCase{"nan_weight", predict("@BAD/nan.safetensors"),
                "@BAD/nan.safetensors" + kNotCheckpoint +
                    "tensor 'head.bias' holds NaN or infinite values"},
        BadCase{"negative_variance", evaluate("@BAD/negative-var.safetensors"),
                "@BAD/negative-var.safetensors" + kNotCheckpoint +
                    "lstm.norm_c.running_mean/running_var: expected finite means and variances "
                    ">= 0, got ..."},
        BadCase{"data_path_gone", predict("@BAD/nowhere.safetensors"),
                "nowhere.csv: no such file (the path came from the checkpoint "
                "@BAD/nowhere.safetensors; pass --data FILE to name the data)"},
        BadCase{"data_other_columns", evaluate("@MODEL", {"--data", "@BAD/other-columns.csv"}),
                "@BAD/other-columns.csv: no value column 'Close' (available: 'Date', 'Price')"},
        BadCase{"part_validation", evaluate("@VOTMODEL", {"--part", "validation"}),
                "--part validation: the model was trained without --val-size (it validated on "
                "the test part); give --val-size to cut one"},
        BadCase{
            "predict_past_9999", predict("@MODEL", {"--data", "@BAD/year-9999.csv"}),
            "forecasts for 1 business day after 9999-12-31 would fall beyond 9999-12-31, the "
            "last date supported"},
        BadCase{"model_empty", predict(""), "--model: expected a checkpoint file, got ''"},
        BadCase{"evaluate_format", evaluate("@MODEL", {"--format", "jpeg"}),
                "--format: expected png, svg or pdf, got 'jpeg'"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace bnlstm
