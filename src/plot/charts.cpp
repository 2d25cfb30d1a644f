#include "bnlstm/plot/charts.hpp"

#include <fmt/core.h>

#include "bnlstm/plot/histogram.hpp"
#include "chart_frame.hpp"

namespace bnlstm {

using chart_frame::add_frame;
using chart_frame::chart_name;
using chart_frame::check_iso_date;
using chart_frame::check_values;
using chart_frame::colour;

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
  if (chart.key_inside) s.add("set key inside right top vertical Right noreverse opaque box");
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
  for (size_t m = 0; m < chart.markers.size(); ++m) {
    const LineMarker& marker = chart.markers[m];
    const std::string where = fmt::format("{}: marker '{}'", name, marker.title);
    check_values({marker.x}, false, where, "x");
    check_values({marker.y}, chart.log_y, where, "y");
    s.add_data_block(fmt::format("marker{}", m),
                     {std::vector<double>{marker.x}, std::vector<double>{marker.y}});
  }
  add_frame(s, chart.title, chart.xlabel, chart.ylabel);
  if (chart.legend_below) s.add("set key below left vertical Left reverse nobox samplen 2");
  if (chart.log_y) s.add("set logscale y");
  for (const LineMarker& marker : chart.markers)
    if (marker.rule)
      s.add(fmt::format("set arrow from {}, graph 0 to {}, graph 1 nohead dt 2 lc rgb '#404040'",
                        gnuplot_number(marker.x), gnuplot_number(marker.x)));
  const char* style = chart.points ? "linespoints pt 7 ps 0.6" : "lines";
  std::string plot = "plot ";
  for (size_t k = 0; k < chart.series.size(); ++k) {
    if (k > 0) plot += ", ";
    const LineSeries& series = chart.series[k];
    const size_t c = series.colour >= 0 ? static_cast<size_t>(series.colour) : k;
    plot += fmt::format("$line{} using 1:2 with {} lc rgb '{}' title {}", k,
                        series.reference
                            ? "lines lw 1.5 dt 2"
                            : fmt::format("{} lw 2{}", style, series.dashed ? " dt 2" : ""),
                        colour(c), gnuplot_quote(series.title));
  }
  for (size_t m = 0; m < chart.markers.size(); ++m) {
    const LineMarker& marker = chart.markers[m];
    plot += fmt::format(
        ", $marker{} using 1:2 with points pt 7 ps 2 lc rgb '{}' {}", m,
        marker.colour >= 0 ? colour(static_cast<size_t>(marker.colour)) : std::string("#000000"),
        marker.title.empty() ? std::string("notitle") : "title " + gnuplot_quote(marker.title));
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
