#pragma once
// The charts bnlstm draws, one function each, all through gnuplot (bnlstm/plot/gnuplot.hpp):
//   plot_histograms  overlaid, semi-transparent histograms of several named samples
//   plot_lines       several (x, y) series, optionally with a log-scale y axis
//                    (e.g. training and validation loss per epoch)
//   plot_dates       several series over calendar dates "YYYY-MM-DD"
//                    (e.g. predicted vs actual prices over the test period)
// The picture format comes from the file's extension (.png, .svg, .pdf) or ImageOptions::format;
// files are written atomically. Bad input throws bnlstm::Error naming the chart and series;
// a missing gnuplot throws GnuplotNotFound. The *_script functions return the gnuplot script
// without running anything (handy for tests and for debugging a picture by hand).
#include <filesystem>
#include <string>
#include <vector>

#include "bnlstm/plot/gnuplot.hpp"

namespace bnlstm {

struct HistogramSample {
  std::string title;           // legend entry
  std::vector<double> values;  // (n), finite, n >= 1
};

struct HistogramChart {
  std::string title;
  std::string xlabel = "value";
  std::string ylabel = "count";
  std::vector<HistogramSample> samples;  // drawn in order, each over its own [min, max]
  int bins = 30;                         // per sample
  double alpha = 0.5;                    // fill opacity, in (0, 1]
  bool density = false;                  // bar heights as probability density (area 1)
  bool key_inside = false;               // legend inside the plot (small panels)
};

struct LineSeries {
  std::string title;       // legend entry
  std::vector<double> x;   // (n), finite
  std::vector<double> y;   // (n), finite; > 0 when the chart has log_y
  bool reference = false;  // a dashed line without points (e.g. a baseline's level)
  int colour = -1;         // palette index; -1: the series' position
  bool dashed = false;     // a dashed line (with points when the chart has them)
};

// A point singled out on a line chart (e.g. the epoch whose weights were kept): a large dot with
// its own legend entry and a dashed vertical line through it.
struct LineMarker {
  std::string title;    // legend entry; "" for none
  double x = 0, y = 0;  // finite; y > 0 on a log-scale axis
  int colour = -1;      // palette index; -1: black
  bool rule = true;     // the dashed vertical line through it
};

struct LineChart {
  std::string title;
  std::string xlabel;
  std::string ylabel;
  std::vector<LineSeries> series;
  bool log_y = false;   // logarithmic y axis
  bool points = false;  // also mark each point (useful when there are few)
  std::vector<LineMarker> markers;
  bool legend_below = false;  // the legend under the plot (long entries) instead of at its right
};

struct DateSeries {
  std::string title;               // legend entry
  std::vector<std::string> dates;  // (n), "YYYY-MM-DD", valid calendar dates
  std::vector<double> values;      // (n), finite; > 0 when the chart has log_y
};

struct DateChart {
  std::string title;
  std::string xlabel = "date";
  std::string ylabel;
  std::vector<DateSeries> series;
  bool log_y = false;
  std::string date_format = "%Y-%m-%d";  // x tic labels, in gnuplot's time format (%Y %m %d %b)
};

// The gnuplot commands and data blocks for each chart (no terminal, no output file).
GnuplotScript histogram_script(const HistogramChart& chart);
GnuplotScript line_script(const LineChart& chart);
GnuplotScript date_script(const DateChart& chart);

// Draws the chart into `path` (see render_gnuplot for the format and atomic write).
void plot_histograms(const std::filesystem::path& path, const HistogramChart& chart,
                     const ImageOptions& options = {});
void plot_lines(const std::filesystem::path& path, const LineChart& chart,
                const ImageOptions& options = {});
void plot_dates(const std::filesystem::path& path, const DateChart& chart,
                const ImageOptions& options = {});

}  // namespace bnlstm
