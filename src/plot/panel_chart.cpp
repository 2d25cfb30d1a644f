#include "bnlstm/plot/panel_chart.hpp"

#include <fmt/core.h>

#include <numeric>

#include "chart_frame.hpp"

namespace bnlstm {

GnuplotScript panel_script(const PanelChart& chart) {
  using namespace chart_frame;
  const std::string name = chart_name("panel chart", chart.title);
  if (chart.panels.empty()) throw Error(name + ": no panels to draw");
  GnuplotScript s;
  // data, checked; the date range over every series (ISO dates sort as text)
  std::string first, last;
  double total_height = 0;
  for (size_t p = 0; p < chart.panels.size(); ++p) {
    const DatePanel& panel = chart.panels[p];
    const std::string where_panel = fmt::format("{}: panel {}", name, p + 1);
    if (panel.series.empty()) throw Error(where_panel + ": no series to draw");
    if (!(panel.height > 0)) throw Error(where_panel + ": height must be > 0");
    total_height += panel.height;
    for (size_t k = 0; k < panel.series.size(); ++k) {
      const PanelSeries& series = panel.series[k];
      const std::string where = fmt::format("{}, series '{}'", where_panel, series.title);
      if (series.dates.size() != series.values.size())
        throw Error(fmt::format("{}: {} dates but {} values", where, series.dates.size(),
                                series.values.size()));
      if (series.dates.empty()) throw Error(where + ": no points");
      check_values(series.values, false, where, "values");
      std::vector<std::string> rows(series.dates.size());
      for (size_t i = 0; i < rows.size(); ++i) {
        check_iso_date(series.dates[i], fmt::format("{} row {}", where, i));
        rows[i] = series.dates[i] + " " + gnuplot_number(series.values[i]);
        if (first.empty() || series.dates[i] < first) first = series.dates[i];
        if (last.empty() || series.dates[i] > last) last = series.dates[i];
      }
      s.add_data_block(fmt::format("panel{}_{}", p, k), rows);
    }
  }

  // layout: a title band on top, panels below it in proportion to their heights
  constexpr double kTitle = 0.06, kBottom = 0.03;
  s.add("set multiplot title " + gnuplot_quote(chart.title) + " font 'Sans:Bold'");
  s.add("set lmargin at screen 0.10");
  s.add("set rmargin at screen 0.72");
  s.add("set xdata time");
  s.add("set timefmt '%Y-%m-%d'");
  s.add(fmt::format("set xrange ['{}':'{}']", first, last));
  double top = 1.0 - kTitle;
  const double usable = 1.0 - kTitle - kBottom;
  for (size_t p = 0; p < chart.panels.size(); ++p) {
    const DatePanel& panel = chart.panels[p];
    const bool bottom = p + 1 == chart.panels.size();
    const double h = usable * panel.height / total_height;
    add_frame(s, "", bottom ? chart.xlabel : "", panel.ylabel);
    s.add(fmt::format("set tmargin at screen {}", gnuplot_number(top)));
    s.add(fmt::format("set bmargin at screen {}", gnuplot_number(top - h + (bottom ? 0.1 : 0.02))));
    if (bottom) {
      s.add("set format x " + gnuplot_quote(chart.date_format));
      s.add("set xtics rotate by 30 right");
    } else {
      s.add("set format x ''");
      s.add("set xtics norotate");
    }
    s.add(panel.from_zero ? "set offsets 0, 0, graph 0.05, 0"
                          : "set offsets 0, 0, graph 0.05, graph 0.05");
    s.add(panel.from_zero ? "set yrange [0:*]" : "set yrange [*:*]");
    s.add(panel.zero_line ? "set xzeroaxis lt 1 lc rgb '#808080' lw 1" : "unset xzeroaxis");
    std::string plot = "plot ";
    for (size_t k = 0; k < panel.series.size(); ++k) {
      const PanelSeries& series = panel.series[k];
      if (k > 0) plot += ", ";
      const size_t c = series.colour >= 0 ? static_cast<size_t>(series.colour) : k;
      plot += fmt::format("$panel{}_{} using 1:2 with lines lw {} lc rgb '{}'{} title {}", p, k,
                          gnuplot_number(series.line_width), colour(c),
                          series.dashed ? " dt 2" : "", gnuplot_quote(series.title));
    }
    s.add(plot);
    top -= h;
  }
  s.add("unset multiplot");
  return s;
}

void plot_panels(const std::filesystem::path& path, const PanelChart& chart,
                 const ImageOptions& options) {
  render_gnuplot(path, panel_script(chart), options);
}

}  // namespace bnlstm
