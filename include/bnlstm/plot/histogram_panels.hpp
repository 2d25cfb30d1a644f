#pragma once
// Several histogram charts (bnlstm/plot/charts.hpp) as the panels of one picture, laid out in
// rows of `columns`, with one title over all (gnuplot's multiplot).
#include <filesystem>
#include <string>
#include <vector>

#include "bnlstm/plot/charts.hpp"

namespace bnlstm {

struct HistogramPanels {
  std::string title;
  int columns = 2;                     // panels per row (>= 1)
  std::vector<HistogramChart> panels;  // filled row by row
};

// The gnuplot script (throws bnlstm::Error for no panels, columns < 1, or a panel's own errors).
GnuplotScript histogram_panels_script(const HistogramPanels& panels);
void plot_histogram_panels(const std::filesystem::path& path, const HistogramPanels& panels,
                           const ImageOptions& options = {});

}  // namespace bnlstm
