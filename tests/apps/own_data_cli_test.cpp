// `bnlstm train/evaluate/predict` on files laid out as users have them (issue #12 part 1): a
// long-format file of several series with "Jan 1 2000" dates (vega-datasets' stocks.csv layout),
// Unix timestamps, weekly and irregular dates. The built binary (BNLSTM_CLI_PATH) runs on small
// files written here, with a tiny model.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono;

struct Result {
  int status = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The lines of a CSV text after its header.
std::vector<std::string> rows_of(const std::string& csv) {
  std::istringstream in(csv);
  std::string line;
  std::vector<std::string> out;
  std::getline(in, line);
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

class OwnDataCli : public ::testing::Test {
 protected:
  fs::path dir;

  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("bnlstm_own_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    // stocks.csv's layout: three series of 60 months, 2000-01..2004-12, one after the other
    std::ofstream csv(dir / "stocks.csv");
    csv << "symbol,date,price\n";
    for (const char* symbol : {"AAA", "BBB", "CCC"})
      for (int i = 0; i < 60; ++i)
        csv << symbol << "," << kMonths[i % 12] << " 1 " << 2000 + i / 12 << ","
            << 100 + symbol[0] - 'A' + 0.5 * i + 4 * std::sin(0.5 * i) << "\n";
  }
  void TearDown() override { fs::remove_all(dir); }

  Result run(const std::string& args) {
    const std::string cmd = std::string(BNLSTM_CLI_PATH) + " " + args + " >" +
                            (dir / "stdout").string() + " 2>" + (dir / "stderr").string();
    const int raw = std::system(cmd.c_str());
    Result r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = slurp(dir / "stdout");
    r.err = slurp(dir / "stderr");
    return r;
  }

  std::string stocks() const { return "--data " + (dir / "stocks.csv").string(); }
  static std::string tiny() {
    return " --epochs 2 --hidden 8 --batch-size 8 --look-back 3 --no-plots --quiet";
  }

  void expect_error(const std::string& args, const std::string& message) {
    const Result r = run(args);
    EXPECT_EQ(r.status, 1) << args;
    EXPECT_EQ(r.err, "bnlstm: error: " + message + "\n") << args;
  }

  // a `value` file with one row per date given as text
  fs::path write_series(const std::string& name, const std::vector<std::string>& dates) {
    std::ofstream csv(dir / name);
    csv << "date,value\n";
    for (size_t i = 0; i < dates.size(); ++i)
      csv << dates[i] << "," << 50 + 0.2 * static_cast<double>(i) + std::sin(0.7 * i) << "\n";
    return dir / name;
  }
};

TEST_F(OwnDataCli, LongFormatStopsWithTheFlagsThatSelectASeries) {
  const std::string f = (dir / "stocks.csv").string();
  // dates first: the one-line error names the --date-format that reads them
  expect_error("train " + stocks() + tiny() + " --out " + (dir / "x").string(),
               f + ": no valid rows (180 bad rows; first: " + f +
                   ":2: column 'date': expected a date YYYY-MM-DD, got 'Jan 1 2000' "
                   "(--date-format '%b %d %Y' reads it))");
  // then the series
  expect_error("train " + stocks() + " --date-format '%b %d %Y'" + tiny() + " --out " +
                   (dir / "x").string(),
               f + ": 120 of 180 rows repeat a date (line 62: 2000-01-01, first at line 2): the "
                   "file holds several series, told apart by column 'symbol' (3 series: AAA, "
                   "BBB, CCC); select one with --series-col symbol --series AAA");
  expect_error("train " + stocks() + " --date-format '%b %d %Y' --series-col symbol" + tiny() +
                   " --out " + (dir / "x").string(),
               f + ": column 'symbol' holds 3 series (AAA, BBB, CCC); select one with --series "
                   "(e.g. --series AAA)");
  expect_error("train " + stocks() + " --series BBB" + tiny() + " --out " + (dir / "x").string(),
               "--series BBB: expected --series-col too (the column naming each row's series)");
  expect_error("train " + stocks() + " --date-format '%H:%M'" + tiny(),
               "--date-format: expected strftime codes naming a year, a month and a day (e.g. "
               "'%b %d %Y' for 'Jan 1 2000', '%d/%m/%Y'), 'unix' or 'unix-ms', got '%H:%M'");
  expect_error("train " + stocks() + " --freq hourly" + tiny(),
               "--freq: expected business, day, week, month, quarter or year, got 'hourly'");
  EXPECT_FALSE(fs::exists(dir / "x"));
}

TEST_F(OwnDataCli, MonthlySeriesTrainsPredictsMonthsAndEvaluatesOtherRows) {
  const fs::path out = dir / "bbb";
  const std::string select = " --date-format '%b %d %Y' --series-col symbol --series BBB";
  Result r = run("train " + stocks() + select + " --horizon 2" +
                 " --epochs 2 --hidden 8 --batch-size 8 --look-back 3 --no-plots --out " +
                 out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("(symbol = BBB): 60 rows 2000-01-01..2004-12-01, monthly (120 rows of 2 "
                       "other series)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("persistence (previous month)"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("tomorrow"), std::string::npos) << r.out;

  // predict: the checkpoint knows how its file was read; the next two months follow
  const std::string model = " --model " + (out / "model.safetensors").string();
  Result p = run("predict" + model);
  ASSERT_EQ(p.status, 0) << p.err;
  std::vector<std::string> rows = rows_of(p.out);
  ASSERT_EQ(rows.size(), 2u) << p.out;
  EXPECT_EQ(rows[0].substr(0, 13), "2005-01-01,1,");
  EXPECT_EQ(rows[1].substr(0, 13), "2005-02-01,2,");
  // values near 130 with about six significant digits: three decimals
  EXPECT_TRUE(std::regex_match(rows[0], std::regex(R"(2005-01-01,1,1[0-9]{2}\.[0-9]{3})")))
      << rows[0];
  EXPECT_NE(p.err.find("last observed 2004-12-01 price = "), std::string::npos) << p.err;
  EXPECT_NE(p.err.find("; next 2 months:"), std::string::npos) << p.err;
  // --freq overrides
  p = run("predict" + model + " --freq quarter");
  ASSERT_EQ(p.status, 0) << p.err;
  rows = rows_of(p.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].substr(0, 11), "2005-03-01,");
  EXPECT_EQ(rows[1].substr(0, 11), "2005-06-01,");

  // evaluate on its own rows: the test part of the split, as train did
  Result e = run("evaluate" + model);
  ASSERT_EQ(e.status, 0) << e.err;
  EXPECT_NE(e.out.find("scored: the test part of the split ("), std::string::npos) << e.out;
  EXPECT_NE(e.out.find("persistence (previous month)"), std::string::npos) << e.out;
  // on another series (other rows): all of them, and it says so
  e = run("evaluate" + model + " --series CCC");
  ASSERT_EQ(e.status, 0) << e.err;
  // 60 rows, look-back 3, horizon 2: 56 windows
  EXPECT_NE(e.out.find("(symbol = CCC): 60 rows"), std::string::npos) << e.out;
  EXPECT_NE(e.out.find("scored: all 56 windows of these rows (rows 2000-01-01..2004-12-01)"),
            std::string::npos)
      << e.out;
  EXPECT_NE(e.out.find("all (112 forecasts)"), std::string::npos) << e.out;
  // --start alone is other rows too; --part picks a part of their split
  e = run("evaluate" + model + " --start 2002-01-01");
  ASSERT_EQ(e.status, 0) << e.err;
  EXPECT_NE(e.out.find("scored: all 32 windows"), std::string::npos) << e.out;
  e = run("evaluate" + model + " --start 2002-01-01 --part test");
  ASSERT_EQ(e.status, 0) << e.err;
  EXPECT_NE(e.out.find("scored: the test part of the split"), std::string::npos) << e.out;
}

TEST_F(OwnDataCli, WeeklyUnixTimestampsAndIrregularDates) {
  // weekly, as Unix seconds (Mondays from 2021-01-04)
  std::vector<std::string> stamps;
  for (int i = 0; i < 60; ++i)
    stamps.push_back(std::to_string((sys_days{year{2021} / 1 / 4} + days{7 * i})
                                        .time_since_epoch()
                                        .count() *
                                    86400));
  const fs::path weekly = write_series("weekly.csv", stamps);
  const fs::path out = dir / "w";
  Result r = run("train --data " + weekly.string() + tiny() + " --out " + out.string());
  ASSERT_EQ(r.status, 0) << r.err;
  Result p = run("predict --model " + (out / "model.safetensors").string());
  ASSERT_EQ(p.status, 0) << p.err;
  // the last row is 2021-01-04 + 59 weeks = 2022-02-21
  EXPECT_EQ(p.out.substr(0, 30), "date,step,forecast\n2022-02-28,") << p.out;
  EXPECT_NE(p.err.find("weekly"), std::string::npos) << p.err;

  // every 10 days: no known frequency; predict asks for --freq
  std::vector<std::string> dates;
  for (int i = 0; i < 60; ++i) {
    const year_month_day d{sys_days{year{2021} / 1 / 1} + days{10 * i}};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
    dates.push_back(text);
  }
  const fs::path odd = write_series("odd.csv", dates);
  const fs::path out2 = dir / "odd";
  r = run("train --data " + odd.string() + tiny() + " --out " + out2.string());
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string model = " --model " + (out2 / "model.safetensors").string();
  expect_error("predict" + model,
               odd.string() +
                   ": cannot tell how often the rows come (median gap 10 days); name it with "
                   "--freq business|day|week|month|quarter|year");
  p = run("predict" + model + " --freq day");
  ASSERT_EQ(p.status, 0) << p.err;
  // the last row: 2021-01-01 + 590 days = 2022-08-14
  EXPECT_EQ(p.out.substr(0, 30), "date,step,forecast\n2022-08-15,") << p.out;
}

}  // namespace
