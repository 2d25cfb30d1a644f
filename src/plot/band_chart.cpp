#include "bnlstm/plot/band_chart.hpp"

#include <fmt/core.h>

#include <cmath>

namespace bnlstm {
namespace {

// the Okabe-Ito colours of charts.cpp, in the same order
constexpr const char* kColours[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                    "#56B4E9", "#D55E00", "#F0E442", "#000000"};

}  // namespace

GnuplotScript band_script(const BandChart& chart) {
  const std::string name =
      chart.title.empty() ? std::string("band chart") : fmt::format("band chart '{}'", chart.title);
  if (chart.series.empty()) throw Error(name + ": no series to draw");
  GnuplotScript s;
  for (size_t k = 0; k < chart.series.size(); ++k) {
    const BandSeries& b = chart.series[k];
    const std::string where = fmt::format("{}: series '{}'", name, b.title);
    const size_t n = b.x.size();
    if (n == 0) throw Error(where + ": no points");
    if (b.y.size() != n || b.lower.size() != n || b.upper.size() != n)
      throw Error(fmt::format("{}: x has {} values, y {}, lower {}, upper {}", where, n, b.y.size(),
                              b.lower.size(), b.upper.size()));
    for (size_t i = 0; i < n; ++i) {
      const double v[4] = {b.x[i], b.y[i], b.lower[i], b.upper[i]};
      for (double d : v)
        if (!std::isfinite(d)) throw Error(fmt::format("{}: point {} is not finite", where, i));
      if (b.lower[i] > b.y[i] || b.upper[i] < b.y[i])
        throw Error(fmt::format("{}: point {}: the band [{}, {}] does not contain {}", where, i,
                                b.lower[i], b.upper[i], b.y[i]));
      if (chart.log_y && b.lower[i] <= 0)
        throw Error(fmt::format("{}: point {} is not > 0 (log-scale y axis)", where, i));
    }
    s.add_data_block(fmt::format("band{}", k), {b.x, b.y, b.lower, b.upper});
  }
  s.add("set title " + gnuplot_quote(chart.title) + " font 'Sans:Bold'");
  s.add("set xlabel " + gnuplot_quote(chart.xlabel));
  s.add("set ylabel " + gnuplot_quote(chart.ylabel));
  s.add("set border 3 lc rgb '#404040'");
  s.add("set tics nomirror");
  s.add("set style line 100 lc rgb '#e4e4e4' lw 1 dt solid");
  s.add("set grid back ls 100, ls 100");
  s.add("set key outside right top vertical Left reverse nobox samplen 2");
  if (chart.log_y) s.add("set logscale y");
  std::string plot = "plot ";
  for (size_t k = 0; k < chart.series.size(); ++k) {
    const char* c = kColours[k % std::size(kColours)];
    if (k > 0) plot += ", ";
    plot += fmt::format(
        "$band{0} using 1:3:4 with filledcurves fc rgb '{1}' fs transparent solid 0.2 noborder "
        "notitle, $band{0} using 1:2 with lines lw 2 lc rgb '{1}' title {2}",
        k, c, gnuplot_quote(chart.series[k].title));
  }
  s.add(plot);
  return s;
}

void plot_bands(const std::filesystem::path& path, const BandChart& chart,
                const ImageOptions& options) {
  render_gnuplot(path, band_script(chart), options);
}

}  // namespace bnlstm
