#pragma once
// Lines with a shaded band around each: the mean of several runs and their spread (for example
// mean ± standard deviation over seeds, or min..max). Drawn by gnuplot like the charts in
// charts.hpp, same frame and colours.
#include <filesystem>
#include <string>
#include <vector>

#include "bnlstm/plot/gnuplot.hpp"

namespace bnlstm {

struct BandSeries {
  std::string title;          // legend entry
  std::vector<double> x;      // (n), finite
  std::vector<double> y;      // (n) the line
  std::vector<double> lower;  // (n) the band's lower edge, <= y
  std::vector<double> upper;  // (n) the band's upper edge, >= y
};

struct BandChart {
  std::string title;
  std::string xlabel;
  std::string ylabel;
  std::vector<BandSeries> series;
  bool log_y = false;  // then every value must be > 0
};

// The gnuplot script (throws bnlstm::Error naming the series for lengths that differ, no points,
// non-finite values or a band that does not contain its line).
GnuplotScript band_script(const BandChart& chart);
void plot_bands(const std::filesystem::path& path, const BandChart& chart,
                const ImageOptions& options = {});

}  // namespace bnlstm
