#include "bnlstm/plot/charts.hpp"

#include <fmt/core.h>

#include <chrono>
#include <cmath>

#include "bnlstm/plot/histogram.hpp"

namespace bnlstm {

namespace {

// Okabe-Ito colours: distinct for colour-blind readers and in grey print.
constexpr const char* kColours[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                    "#56B4E9", "#D55E00", "#F0E442", "#000000"};

std::string colour(size_t i) {
  return kColours[i % std::size(kColours)];
}

// Title, labels, grid, legend: the same frame for every chart.
void add_frame(GnuplotScript& s, const std::string& title, const std::string& xlabel,
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

std::string chart_name(const char* kind, const std::string& title) {
  return title.empty() ? std::string(kind) : fmt::format("{} '{}'", kind, title);
}

void check_values(const std::vector<double>& v, bool positive, const std::string& where,
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

void check_iso_date(const std::string& date, const std::string& where) {
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

}  // namespace

GnuplotScript histogram_script(const HistogramChart& chart) {
  const std::string name = chart_name("histogram chart", chart.title);
  if (chart.samples.empty()) throw Error(name + ": no samples to draw");
  if (chart.bins < 1)
    throw Error(fmt::format("{}: {} bins, expected at least 1", name, chart.bins));
  if (!(chart.alpha > 0.0 && chart.alpha <= 1.0)) {
    throw Error(fmt::format("{}: alpha {} is not in (0, 1]", name, chart.alpha));
  }
  GnuplotScript s;
  // bars: one row per bin (centre, height, width); binning done here so gnuplot gets 30 rows,
  // not 50 000 values, and the counts are testable
  for (size_t k = 0; k < chart.samples.size(); ++k) {
    const HistogramSample& sample = chart.samples[k];
    const std::string where = fmt::format("{}: sample '{}'", name, sample.title);
    if (sample.values.empty()) throw Error(where + ": no values");
    check_values(sample.values, false, where, "values");
    Histogram h = compute_histogram(sample.values, chart.bins);
    if (chart.density) normalize_density(h);
    std::vector<double> centre(h.counts.size()), width(h.counts.size());
    for (size_t i = 0; i < h.counts.size(); ++i) {
      centre[i] = 0.5 * (h.edges[i] + h.edges[i + 1]);
      width[i] = h.edges[i + 1] - h.edges[i];
    }
    s.add_data_block(fmt::format("hist{}", k), {centre, h.counts, width});
  }
  add_frame(s, chart.title, chart.xlabel, chart.ylabel);
  s.add(fmt::format("set style fill transparent solid {} border", gnuplot_number(chart.alpha)));
  s.add("set yrange [0:*]");
  std::string plot = "plot ";
  for (size_t k = 0; k < chart.samples.size(); ++k) {
    if (k > 0) plot += ", ";
    plot += fmt::format("$hist{} using 1:2:3 with boxes lc rgb '{}' title {}", k, colour(k),
                        gnuplot_quote(chart.samples[k].title));
  }
  s.add(plot);
  return s;
}

GnuplotScript line_script(const LineChart& chart) {
  const std::string name = chart_name("line chart", chart.title);
  if (chart.series.empty()) throw Error(name + ": no series to draw");
  GnuplotScript s;
  for (size_t k = 0; k < chart.series.size(); ++k) {
    const LineSeries& series = chart.series[k];
    const std::string where = fmt::format("{}: series '{}'", name, series.title);
    if (series.x.size() != series.y.size()) {
      throw Error(
          fmt::format("{}: x has {} values, y has {}", where, series.x.size(), series.y.size()));
    }
    if (series.x.empty()) throw Error(where + ": no points");
    check_values(series.x, false, where, "x");
    check_values(series.y, chart.log_y, where, "y");
    s.add_data_block(fmt::format("line{}", k), {series.x, series.y});
  }
  add_frame(s, chart.title, chart.xlabel, chart.ylabel);
  if (chart.log_y) s.add("set logscale y");
  const char* style = chart.points ? "linespoints pt 7 ps 0.6" : "lines";
  std::string plot = "plot ";
  for (size_t k = 0; k < chart.series.size(); ++k) {
    if (k > 0) plot += ", ";
    plot += fmt::format("$line{} using 1:2 with {} lw 2 lc rgb '{}' title {}", k, style, colour(k),
                        gnuplot_quote(chart.series[k].title));
  }
  s.add(plot);
  return s;
}

GnuplotScript date_script(const DateChart& chart) {
  const std::string name = chart_name("date chart", chart.title);
  if (chart.series.empty()) throw Error(name + ": no series to draw");
  GnuplotScript s;
  for (size_t k = 0; k < chart.series.size(); ++k) {
    const DateSeries& series = chart.series[k];
    const std::string where = fmt::format("{}: series '{}'", name, series.title);
    if (series.dates.size() != series.values.size()) {
      throw Error(fmt::format("{}: {} dates but {} values", where, series.dates.size(),
                              series.values.size()));
    }
    if (series.dates.empty()) throw Error(where + ": no points");
    check_values(series.values, chart.log_y, where, "values");
    std::vector<std::string> rows(series.dates.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      check_iso_date(series.dates[i], fmt::format("{} row {}", where, i));
      rows[i] = series.dates[i] + " " + gnuplot_number(series.values[i]);
    }
    s.add_data_block(fmt::format("dates{}", k), rows);
  }
  add_frame(s, chart.title, chart.xlabel, chart.ylabel);
  s.add("set xdata time");
  s.add("set timefmt '%Y-%m-%d'");
  s.add("set format x " + gnuplot_quote(chart.date_format));
  s.add("set xtics rotate by 30 right");
  s.add("set autoscale xfix");
  s.add("set offsets 0, 0, graph 0.05, graph 0.05");
  if (chart.log_y) s.add("set logscale y");
  std::string plot = "plot ";
  for (size_t k = 0; k < chart.series.size(); ++k) {
    if (k > 0) plot += ", ";
    plot += fmt::format("$dates{} using 1:2 with lines lw 2 lc rgb '{}' title {}", k, colour(k),
                        gnuplot_quote(chart.series[k].title));
  }
  s.add(plot);
  return s;
}

void plot_histograms(const std::filesystem::path& path, const HistogramChart& chart,
                     const ImageOptions& options) {
  render_gnuplot(path, histogram_script(chart), options);
}

void plot_lines(const std::filesystem::path& path, const LineChart& chart,
                const ImageOptions& options) {
  render_gnuplot(path, line_script(chart), options);
}

void plot_dates(const std::filesystem::path& path, const DateChart& chart,
                const ImageOptions& options) {
  render_gnuplot(path, date_script(chart), options);
}

}  // namespace bnlstm
