#include "bnlstm/plot/histogram_panels.hpp"

#include <fmt/core.h>

namespace bnlstm {

GnuplotScript histogram_panels_script(const HistogramPanels& p) {
  if (p.panels.empty()) throw Error(fmt::format("histogram panels '{}': no panels", p.title));
  if (p.columns < 1)
    throw Error(
        fmt::format("histogram panels '{}': {} columns, expected at least 1", p.title, p.columns));
  const size_t columns = static_cast<size_t>(p.columns);
  const size_t rows = (p.panels.size() + columns - 1) / columns;
  GnuplotScript s;
  s.add(fmt::format("set multiplot layout {},{} rowsfirst title {} font 'Sans:Bold'", rows, columns,
                    gnuplot_quote(p.title)));
  // each panel defines its data blocks right before its plot command, so the names may repeat
  for (const HistogramChart& chart : p.panels) s.append(histogram_script(chart));
  s.add("unset multiplot");
  return s;
}

void plot_histogram_panels(const std::filesystem::path& path, const HistogramPanels& panels,
                           const ImageOptions& options) {
  render_gnuplot(path, histogram_panels_script(panels), options);
}

}  // namespace bnlstm
