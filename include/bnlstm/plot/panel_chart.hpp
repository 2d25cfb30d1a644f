#pragma once
// Date charts stacked on one picture over one shared date axis: e.g. forecasts over the test
// period on top and, below, the errors they make, so that a model's line lying on the actual one
// cannot hide that a baseline's errors are smaller. Same frame, colours and checks as
// charts.hpp; files are written atomically through render_gnuplot.
#include <filesystem>
#include <string>
#include <vector>

#include "bnlstm/plot/gnuplot.hpp"

namespace bnlstm {

struct PanelSeries {
  std::string title;               // legend entry
  std::vector<std::string> dates;  // (n), "YYYY-MM-DD"
  std::vector<double> values;      // (n), finite
  int colour = -1;                 // palette index (charts.hpp's colours); -1: the series' position
  bool dashed = false;
  double line_width = 2;
};

struct DatePanel {
  std::string ylabel;
  std::vector<PanelSeries> series;  // at least one
  double height = 1;                // share of the picture's height, relative to the others
  bool zero_line = false;           // a thin horizontal line at y = 0
  bool from_zero = false;           // the y axis starts at 0 (values that cannot be negative)
};

struct PanelChart {
  std::string title;                     // over the whole picture
  std::string xlabel = "date";           // under the last panel
  std::vector<DatePanel> panels;         // top to bottom; at least one
  std::string date_format = "%Y-%m-%d";  // x tic labels (gnuplot time format)
};

// Every panel spans the same dates (the earliest to the latest of all series) with the same
// margins, so that a date lines up across panels. Throws bnlstm::Error naming the panel and series
// for no panels, an empty panel or series, lengths that differ, bad dates or non-finite values.
GnuplotScript panel_script(const PanelChart& chart);
void plot_panels(const std::filesystem::path& path, const PanelChart& chart,
                 const ImageOptions& options = {});

}  // namespace bnlstm
