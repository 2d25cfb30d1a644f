// Charts: the generated gnuplot scripts (data blocks, escaping, log scale, date axis), input
// checks, and real pictures in each format.
#include "bnlstm/plot/charts.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "plot/plot_testing.hpp"
#include "testing/errors.hpp"

namespace bnlstm {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

using testing::error_of;

HistogramChart two_samples() {
  HistogramChart c;
  c.title = "Before \"and\" after: it's x_1^2 @home";
  c.samples = {{"first", {0, 1, 1, 2, 3, 4}}, {"it's second", {10, 20}}};
  c.bins = 4;
  c.alpha = 0.4;
  return c;
}

TEST(HistogramScript, BinsEachSampleIntoADataBlock) {
  const std::string s = histogram_script(two_samples()).text();
  // centre, count, width per bin: numpy.histogram([0,1,1,2,3,4], 4) = [1, 2, 1, 2]
  EXPECT_TRUE(contains(s, "$hist0 << EOD\n0.5 1 1\n1.5 2 1\n2.5 1 1\n3.5 2 1\nEOD\n")) << s;
  EXPECT_TRUE(
      contains(s, "$hist1 << EOD\n11.25 1 2.5\n13.75 0 2.5\n16.25 0 2.5\n18.75 1 2.5\nEOD\n"))
      << s;
  EXPECT_TRUE(contains(s, "set style fill transparent solid 0.4 border")) << s;
  EXPECT_TRUE(contains(s, "set xlabel 'value'")) << s;
  EXPECT_TRUE(contains(s, "set ylabel 'count'")) << s;
  EXPECT_TRUE(contains(s,
                       "plot $hist0 using 1:2:3 with boxes lc rgb '#0072B2' title 'first', "
                       "$hist1 using 1:2:3 with boxes lc rgb '#E69F00' title 'it''s second'\n"))
      << s;
  EXPECT_TRUE(contains(s, "set key ")) << s;
}

TEST(HistogramScript, TitleWithQuotesIsEscaped) {
  const std::string s = histogram_script(two_samples()).text();
  EXPECT_TRUE(contains(s, "set title 'Before \"and\" after: it''s x_1^2 @home'")) << s;
}

TEST(HistogramScript, DensityDividesByTotalAndWidth) {
  HistogramChart c = two_samples();
  c.density = true;
  const std::string s = histogram_script(c).text();
  // [1, 2, 1, 2] / (6 * 1)
  EXPECT_TRUE(contains(s, "$hist0 << EOD\n0.5 0.16666666666666666 1\n1.5 0.3333333333333333 1\n"))
      << s;
}

TEST(HistogramScript, BadInputNamesTheSample) {
  HistogramChart c = two_samples();
  c.samples[1].values.push_back(INFINITY);
  EXPECT_TRUE(contains(error_of([&] { histogram_script(c); }), "sample 'it's second'"));
  c = two_samples();
  c.samples[0].values.clear();
  EXPECT_TRUE(contains(error_of([&] { histogram_script(c); }), "sample 'first': no values"));
  c = two_samples();
  c.alpha = 0;
  EXPECT_TRUE(contains(error_of([&] { histogram_script(c); }), "alpha"));
  c.samples.clear();
  c.alpha = 0.5;
  EXPECT_TRUE(contains(error_of([&] { histogram_script(c); }), "no samples"));
}

LineChart loss_chart() {
  LineChart c;
  c.title = "Loss";
  c.xlabel = "epoch";
  c.ylabel = "MSE";
  c.series = {{"training", {1, 2, 3}, {1.0, 0.5, 0.25}},
              {"validation", {1, 2, 3}, {1.5, 0.75, 0.5}}};
  return c;
}

TEST(LineScript, SeriesDataAndPlotCommand) {
  const std::string s = line_script(loss_chart()).text();
  EXPECT_TRUE(contains(s, "$line0 << EOD\n1 1\n2 0.5\n3 0.25\nEOD\n")) << s;
  EXPECT_TRUE(contains(s, "$line1 << EOD\n1 1.5\n2 0.75\n3 0.5\nEOD\n")) << s;
  EXPECT_TRUE(contains(s,
                       "plot $line0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'training', "
                       "$line1 using 1:2 with lines lw 2 lc rgb '#E69F00' title 'validation'\n"))
      << s;
  EXPECT_FALSE(contains(s, "logscale")) << s;
}

TEST(LineScript, LogScaleY) {
  LineChart c = loss_chart();
  c.log_y = true;
  c.points = true;
  const std::string s = line_script(c).text();
  EXPECT_TRUE(contains(s, "set logscale y\n")) << s;
  EXPECT_TRUE(contains(s, "with linespoints")) << s;
  c.series[1].y[2] = 0.0;  // cannot be drawn on a log axis
  EXPECT_TRUE(contains(error_of([&] { line_script(c); }),
                       "series 'validation': y[2] = 0 is not > 0 (log-scale y axis)"));
}

TEST(LineScript, BadInputNamesTheSeries) {
  LineChart c = loss_chart();
  c.series[0].y.pop_back();
  EXPECT_TRUE(contains(error_of([&] { line_script(c); }),
                       "line chart 'Loss': series 'training': x has 3 values, y has 2"));
  c = loss_chart();
  c.series[1].x[0] = std::nan("");
  EXPECT_TRUE(contains(error_of([&] { line_script(c); }), "series 'validation': x[0] = nan"));
}

DateChart price_chart() {
  DateChart c;
  c.title = "S&P 500 test period";
  c.ylabel = "price";
  c.series = {{"actual", {"2020-01-02", "2020-01-03", "2020-02-29"}, {3257.85, 3234.85, 2954.22}},
              {"predicted", {"2020-01-02", "2020-01-03", "2020-02-29"}, {3250, 3240, 3000}}};
  return c;
}

TEST(DateScript, TimeAxisAndDateRows) {
  const std::string s = date_script(price_chart()).text();
  EXPECT_TRUE(contains(
      s, "$dates0 << EOD\n2020-01-02 3257.85\n2020-01-03 3234.85\n2020-02-29 2954.22\nEOD\n"))
      << s;
  EXPECT_TRUE(contains(s, "set xdata time\n")) << s;
  EXPECT_TRUE(contains(s, "set timefmt '%Y-%m-%d'\n")) << s;
  EXPECT_TRUE(contains(s, "set format x '%Y-%m-%d'\n")) << s;
  EXPECT_TRUE(contains(s, "set xlabel 'date'\n")) << s;
  EXPECT_TRUE(contains(s,
                       "plot $dates0 using 1:2 with lines lw 2 lc rgb '#0072B2' title 'actual', "
                       "$dates1 using 1:2 with lines lw 2 lc rgb '#E69F00' title 'predicted'\n"))
      << s;
}

TEST(DateScript, RejectsInvalidDates) {
  for (const char* bad : {"2020-02-30", "2021-02-29", "2020-1-02", "20200102", "2020-13-01",
                          "2020-01-02 x", "2020/01/02"}) {
    DateChart c = price_chart();
    c.series[1].dates[1] = bad;
    EXPECT_TRUE(contains(error_of([&] { date_script(c); }),
                         std::string("series 'predicted' row 1: date '") + bad + "'"))
        << bad;
  }
  DateChart c = price_chart();
  c.series[0].values.pop_back();
  EXPECT_TRUE(contains(error_of([&] { date_script(c); }), "3 dates but 2 values"));
}

TEST(Charts, DrawAllThreeInEveryFormat) {
  BNLSTM_SKIP_WITHOUT_GNUPLOT();
  ScratchDir dir("charts");
  plot_histograms(dir.path / "hist.png", two_samples());
  LineChart loss = loss_chart();
  loss.log_y = true;
  plot_lines(dir.path / "loss.svg", loss);
  plot_dates(dir.path / "prices.pdf", price_chart());
  ImageOptions small;
  small.width = 320;
  small.height = 200;
  plot_dates(dir.path / "prices-small.png", price_chart(), small);

  const std::string png = testing::read_bytes(dir.path / "hist.png");
  EXPECT_EQ(png.substr(0, 8), testing::kPngSignature);
  // PNG IHDR: width and height as big-endian 32-bit numbers at bytes 16..23
  auto be32 = [](const std::string& b, size_t at) {
    return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) |
           (uint32_t(uint8_t(b[at + 2])) << 8) | uint32_t(uint8_t(b[at + 3]));
  };
  EXPECT_EQ(be32(png, 16), 960u);
  EXPECT_EQ(be32(png, 20), 600u);
  const std::string small_png = testing::read_bytes(dir.path / "prices-small.png");
  EXPECT_EQ(be32(small_png, 16), 320u);
  EXPECT_EQ(be32(small_png, 20), 200u);

  const std::string svg = testing::read_bytes(dir.path / "loss.svg");
  EXPECT_TRUE(contains(svg, "<svg")) << svg.substr(0, 200);
  EXPECT_TRUE(contains(svg, "validation"));  // legend text is in the SVG
  EXPECT_EQ(testing::read_bytes(dir.path / "prices.pdf").substr(0, 5), "%PDF-");
}

}  // namespace
}  // namespace bnlstm
