// The gnuplot layer: script text (quoting, data blocks, terminals) and running gnuplot
// (missing program, failing script, atomic output, format from the extension).
#include "bnlstm/plot/gnuplot.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "plot/plot_testing.hpp"

namespace bnlstm {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

TEST(GnuplotQuote, DoublesSingleQuotesAndKeepsEverythingElse) {
  EXPECT_EQ(gnuplot_quote("plain"), "'plain'");
  EXPECT_EQ(gnuplot_quote("it's \"quoted\""), "'it''s \"quoted\"'");
  EXPECT_EQ(gnuplot_quote("a\\n b @m $x ^_{}&"), "'a\\n b @m $x ^_{}&'");
  EXPECT_EQ(gnuplot_quote("two\nlines\r"), "'two lines '");
  EXPECT_EQ(gnuplot_quote(""), "''");
}

TEST(GnuplotNumber, RoundTrips) {
  EXPECT_EQ(gnuplot_number(0.1), "0.1");
  EXPECT_EQ(gnuplot_number(-2.5e-17), "-2.5e-17");
  EXPECT_EQ(std::stod(gnuplot_number(1.0 / 3.0)), 1.0 / 3.0);
}

TEST(GnuplotScript, NumericDataBlockHasOneRowPerValue) {
  GnuplotScript s;
  const std::vector<double> x = {1, 2.5, -3}, y = {10, 0.25, 1e-20};
  s.add_data_block("pts", {x, y}).add("plot $pts using 1:2 with lines");
  EXPECT_EQ(s.text(),
            "$pts << EOD\n1 10\n2.5 0.25\n-3 1e-20\nEOD\nplot $pts using 1:2 with lines\n");
}

TEST(GnuplotScript, RejectsWhatWouldBreakTheScript) {
  GnuplotScript s;
  const std::vector<double> ok = {1, 2}, short_column = {1}, bad = {1, std::nan("")};
  EXPECT_THROW(s.add("set title 'a'\nsystem 'rm -rf /'"), Error);
  EXPECT_THROW(s.add_data_block("bad name", {ok}), Error);
  EXPECT_THROW(s.add_data_block("1x", {ok}), Error);
  EXPECT_THROW(s.add_data_block("d", std::vector<std::string>{"1 2", "EOD", "3 4"}), Error);
  EXPECT_THROW(s.add_data_block("d", std::vector<std::string>{"1 2\n3 4"}), Error);
  EXPECT_THROW(s.add_data_block("d", {ok, short_column}), Error);
  try {
    s.add_data_block("d", {ok, bad});
    FAIL() << "NaN accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("$d row 1 column 2"), std::string::npos) << e.what();
  }
  EXPECT_EQ(s.text(), "");  // nothing half-added
}

TEST(GnuplotTerminal, MatchesFormatAndSize) {
  ImageOptions o;
  o.width = 800;
  o.height = 480;
  o.font_size = 10;
  EXPECT_EQ(gnuplot_terminal(ImageFormat::png, o),
            "set terminal pngcairo size 800,480 noenhanced font 'Sans,10' background '#ffffff'\n");
  EXPECT_EQ(gnuplot_terminal(ImageFormat::svg, o),
            "set terminal svg size 800,480 noenhanced font 'Sans,10' background '#ffffff'\n");
  EXPECT_EQ(gnuplot_terminal(ImageFormat::pdf, o),
            "set terminal pdfcairo size 8.33in,5.00in noenhanced font 'Sans,10'\n");
  o.width = 0;
  EXPECT_THROW(gnuplot_terminal(ImageFormat::png, o), Error);
}

TEST(ImageFormat, FromNameAndExtension) {
  EXPECT_EQ(parse_image_format("svg"), ImageFormat::svg);
  EXPECT_THROW(parse_image_format("jpeg"), Error);
  EXPECT_EQ(image_format_from_extension("a/b.PNG"), ImageFormat::png);
  EXPECT_EQ(image_format_from_extension("b.pdf"), ImageFormat::pdf);
  EXPECT_EQ(image_format_from_extension("b.svg"), ImageFormat::svg);
  EXPECT_EQ(image_format_from_extension("b.jpg"), std::nullopt);
  EXPECT_EQ(image_format_from_extension("noext"), std::nullopt);
}

TEST(RunGnuplot, MissingProgramSaysWhichPackageToInstall) {
  try {
    run_gnuplot("plot sin(x)\n", "/nonexistent/bin/gnuplot");
    FAIL() << "no exception";
  } catch (const GnuplotNotFound& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("gnuplot not found"), std::string::npos) << m;
    EXPECT_NE(m.find("gnuplot-nox"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}

TEST(RunGnuplot, FailingScriptNamesTheFirstErrorLine) {
  BNLSTM_SKIP_WITHOUT_GNUPLOT();
  try {
    run_gnuplot(
        "set terminal dumb\nset output '/dev/null'\nplot $missing using 1:2\nplot sin(x) with "
        "nonsense\n");
    FAIL() << "no exception";
  } catch (const GnuplotNotFound&) {
    FAIL() << "gnuplot was found a moment ago";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("line 3: no datablock named $missing"), std::string::npos) << m;
    EXPECT_NE(m.find("[in: plot $missing using 1:2]"), std::string::npos) << m;
    EXPECT_EQ(m.find("line 4"), std::string::npos) << "gnuplot went on after the error: " << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}

TEST(RunGnuplot, WarningsBeforeTheErrorAreNotReported) {
  BNLSTM_SKIP_WITHOUT_GNUPLOT();
  try {
    run_gnuplot(
        "set terminal dumb\nset output '/dev/null'\n$e << EOD\nx y\nEOD\n"
        "plot $e using 1:2, x\nundefined_command\n");
    FAIL() << "no exception";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("line 7: invalid command [in: undefined_command]"), std::string::npos) << m;
    EXPECT_EQ(m.find("warning"), std::string::npos) << m;
  }
}

TEST(RunGnuplot, LongScriptAfterAnEarlyErrorDoesNotKillUs) {
  BNLSTM_SKIP_WITHOUT_GNUPLOT();
  // gnuplot exits at line 1 while we still have ~2 MB to write: EPIPE, not SIGPIPE.
  std::string script = "this is not gnuplot\n";
  while (script.size() < (2u << 20)) script += "print 1\n";
  try {
    run_gnuplot(script);
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 1:"), std::string::npos) << e.what();
  }
}

TEST(RunGnuplot, ManyWarningsOnStderrDoNotDeadlock) {
  BNLSTM_SKIP_WITHOUT_GNUPLOT();
  // ~1 MB of stderr output while the script is still being written
  std::string script;
  for (int i = 0; i < 20000; ++i) script += "print 'some text to fill the stderr pipe buffer'\n";
  EXPECT_NO_THROW(run_gnuplot(script));
}

TEST(RenderGnuplot, WritesAPngAtomically) {
  BNLSTM_SKIP_WITHOUT_GNUPLOT();
  ScratchDir dir("render-png");
  const fs::path out = dir.path / "new" / "folder" / "sine.png";
  GnuplotScript s;
  s.add("plot sin(x) title 'sine'");
  render_gnuplot(out, s);
  const std::string bytes = testing::read_bytes(out);
  ASSERT_GT(bytes.size(), 1000u);
  EXPECT_EQ(bytes.substr(0, 8), testing::kPngSignature);
  EXPECT_EQ(fs::status(out).permissions() & fs::perms::others_read, fs::perms::others_read);
  // only the picture is left in the folder (no temporary file)
  EXPECT_EQ(std::distance(fs::directory_iterator(out.parent_path()), fs::directory_iterator()), 1);
}

TEST(RenderGnuplot, SvgAndPdfByExtensionOrOption) {
  BNLSTM_SKIP_WITHOUT_GNUPLOT();
  ScratchDir dir("render-formats");
  GnuplotScript s;
  s.add("plot x**2 title 'square'");
  render_gnuplot(dir.path / "a.svg", s);
  render_gnuplot(dir.path / "a.pdf", s);
  ImageOptions pdf;
  pdf.format = ImageFormat::pdf;
  render_gnuplot(dir.path / "noext", s, pdf);
  EXPECT_NE(testing::read_bytes(dir.path / "a.svg").find("<svg"), std::string::npos);
  EXPECT_EQ(testing::read_bytes(dir.path / "a.pdf").substr(0, 5), "%PDF-");
  EXPECT_EQ(testing::read_bytes(dir.path / "noext").substr(0, 5), "%PDF-");
}

TEST(RenderGnuplot, FormatMustBeKnownAndAgreeWithTheExtension) {
  ScratchDir dir("render-mismatch");
  GnuplotScript s;
  s.add("plot x");
  EXPECT_THROW(render_gnuplot(dir.path / "a.jpg", s), Error);
  ImageOptions svg;
  svg.format = ImageFormat::svg;
  EXPECT_THROW(render_gnuplot(dir.path / "a.png", s, svg), Error);
  EXPECT_TRUE(fs::is_empty(dir.path));
}

TEST(RenderGnuplot, FailureLeavesNoFileAndKeepsTheOldOne) {
  BNLSTM_SKIP_WITHOUT_GNUPLOT();
  ScratchDir dir("render-fail");
  const fs::path out = dir.path / "chart.png";
  GnuplotScript bad;
  bad.add("set title 'half drawn'").add("plot sin(x)").add("plot $nothing using 1:2");
  try {
    render_gnuplot(out, bad);
    FAIL() << "no exception";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(out.string()), std::string::npos) << m;
    EXPECT_NE(m.find("no datablock named $nothing"), std::string::npos) << m;
  }
  EXPECT_TRUE(fs::is_empty(dir.path)) << "partial output left behind";

  // an existing picture survives a failed redraw untouched
  GnuplotScript good;
  good.add("plot cos(x)");
  render_gnuplot(out, good);
  const std::string before = testing::read_bytes(out);
  EXPECT_THROW(render_gnuplot(out, bad), Error);
  EXPECT_EQ(testing::read_bytes(out), before);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 1);
}

TEST(RenderGnuplot, MissingGnuplotLeavesNoFile) {
  ScratchDir dir("render-missing");
  ImageOptions o;
  o.gnuplot = "bnlstm-no-such-gnuplot";
  GnuplotScript s;
  s.add("plot x");
  EXPECT_THROW(render_gnuplot(dir.path / "x.png", s, o), GnuplotNotFound);
  EXPECT_TRUE(fs::is_empty(dir.path));
}

TEST(RenderGnuplot, UnwritableFolderIsAnErrorNamingIt) {
  ScratchDir dir("render-unwritable");
  { std::ofstream(dir.path / "file") << "x"; }
  GnuplotScript s;
  s.add("plot x");
  try {
    render_gnuplot(dir.path / "file" / "sub" / "x.png", s);
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find((dir.path / "file" / "sub").string()), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace bnlstm
