#pragma once
// Running the built `bnlstm` binary (BNLSTM_CLI_PATH) from tests: arguments are passed as a
// list and shell-quoted, so paths and values may hold spaces, quotes or nothing at all.
//   const CliResult r = run_cli({"train", "--epochs", "ten"}, scratch);
//   EXPECT_EQ(r.err, "bnlstm: error: --epochs: expected an integer >= 1, got 'ten'\n");
#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace bnlstm::testing {

struct CliResult {
  int status = -1;  // exit status, -1 when killed by a signal
  std::string out, err;
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline std::string slurp_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs bnlstm with args; stdout and stderr are captured through files in `scratch` (which must
// exist), unless `stdout_to` names another destination (e.g. "/dev/full"); `cwd`: the folder
// to run in (default: the test's).
inline CliResult run_cli(const std::vector<std::string>& args, const std::filesystem::path& scratch,
                         const std::string& stdout_to = "", const std::string& cwd = "") {
  std::string cmd =
      (cwd.empty() ? "" : "cd " + shell_quote(cwd) + " && ") + shell_quote(BNLSTM_CLI_PATH);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  const auto out = scratch / ".cli-stdout", err = scratch / ".cli-stderr";
  cmd += " </dev/null >" + shell_quote(stdout_to.empty() ? out.string() : stdout_to) + " 2>" +
         shell_quote(err.string());
  const int raw = std::system(cmd.c_str());
  CliResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  if (stdout_to.empty()) r.out = slurp_file(out);
  r.err = slurp_file(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

// `rows` business days from Monday 2021-01-04 in the Yahoo layout, a smooth price with wiggles.
inline void write_prices_csv(const std::filesystem::path& path, int rows = 150) {
  std::ofstream csv(path);
  csv << "Date,Open,High,Low,Close,Adj Close,Volume\n";
  int day = 0;
  for (int i = 0; i < rows; ++i) {
    if (day % 7 >= 5) day += 7 - day % 7;
    const auto d = std::chrono::sys_days{std::chrono::year{2021} / 1 / 4} + std::chrono::days{day};
    const std::chrono::year_month_day ymd{d};
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    const double close = 100 + 0.1 * i + 3 * std::sin(0.3 * i);
    csv << date << "," << close - 0.5 << "," << close + 1 << "," << close - 1 << "," << close << ","
        << close << "," << 1000 + i << "\n";
    ++day;
  }
}

// Every entry under `root` (relative path -> content for files, "<dir>" / "<link:target>"
// otherwise): equal snapshots before and after a run mean the run left the folder untouched.
inline std::map<std::string, std::string> snapshot(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> s;
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(root, ec))) return s;
  if (!fs::is_directory(fs::symlink_status(root, ec))) {
    s[""] = slurp_file(root);
    return s;
  }
  for (auto it = fs::recursive_directory_iterator(root, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const auto rel = fs::relative(it->path(), root).string();
    if (it->is_symlink())
      s[rel] = "<link:" + fs::read_symlink(it->path()).string() + ">";
    else if (it->is_directory())
      s[rel] = "<dir>";
    else
      s[rel] = slurp_file(it->path());
  }
  return s;
}

}  // namespace bnlstm::testing
