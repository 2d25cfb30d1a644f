#pragma once
// Internal to src/plot/: what every chart shares (palette, frame, value and date checks).
#include <fmt/core.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <iterator>
#include <string>
#include <vector>

#include "bnlstm/plot/gnuplot.hpp"

namespace bnlstm::chart_frame {

// Okabe-Ito colours: distinct for colour-blind readers and in grey print.
inline constexpr const char* kColours[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                           "#56B4E9", "#D55E00", "#F0E442", "#000000"};

inline std::string colour(size_t i) {
  return kColours[i % std::size(kColours)];
}

// Title, labels, grid, legend: the same frame for every chart.
inline void add_frame(GnuplotScript& s, const std::string& title, const std::string& xlabel,
                      const std::string& ylabel) {
  s.add("set title " + gnuplot_quote(title) + " font 'Sans:Bold'");
  s.add("set xlabel " + gnuplot_quote(xlabel));
  s.add("set ylabel " + gnuplot_quote(ylabel));
  s.add("set border 3 lc rgb '#404040'");
  s.add("set tics nomirror");
  s.add("set style line 100 lc rgb '#e4e4e4' lw 1 dt solid");
  s.add("set grid back ls 100, ls 100");
  // the legend sits right of the plot, where it can never hide data
  s.add("set key outside right top vertical Left reverse nobox samplen 2");
}

inline std::string chart_name(const char* kind, const std::string& title) {
  return title.empty() ? std::string(kind) : fmt::format("{} '{}'", kind, title);
}

inline void check_values(const std::vector<double>& v, bool positive, const std::string& where,
                         const char* axis) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      throw Error(fmt::format("{}: {}[{}] = {} is not finite", where, axis, i, v[i]));
    }
    if (positive && v[i] <= 0) {
      throw Error(
          fmt::format("{}: {}[{}] = {} is not > 0 (log-scale y axis)", where, axis, i, v[i]));
    }
  }
}

inline void check_iso_date(const std::string& date, const std::string& where) {
  bool ok = date.size() == 10 && date[4] == '-' && date[7] == '-';
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    ok = ok && std::isdigit(static_cast<unsigned char>(date[i]));
  }
  if (ok) {
    using namespace std::chrono;
    const year_month_day ymd{year{std::stoi(date.substr(0, 4))},
                             month{static_cast<unsigned>(std::stoi(date.substr(5, 2)))},
                             day{static_cast<unsigned>(std::stoi(date.substr(8, 2)))}};
    ok = ymd.ok();
  }
  if (!ok) throw Error(fmt::format("{}: date '{}' is not a valid YYYY-MM-DD date", where, date));
}

}  // namespace bnlstm::chart_frame
