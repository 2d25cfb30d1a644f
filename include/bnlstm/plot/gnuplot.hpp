#pragma once
// Pictures drawn by gnuplot, run as a separate process over a pipe.
//
// A GnuplotScript holds plotting commands and inline data blocks ($name << EOD ... EOD).
// render_gnuplot() puts the terminal for the chosen format first, has gnuplot write to a
// temporary file beside the target and renames it over the target only when gnuplot exits
// cleanly, so nobody ever sees a half-drawn picture. gnuplot reads the script as a file
// (`gnuplot /dev/stdin`), which makes it stop at the first error with a non-zero status.
//
// The chart functions most callers want (histograms, line charts, date charts) are in
// bnlstm/plot/charts.hpp; this header is the layer underneath them.
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

enum class ImageFormat { png, svg, pdf };

// "png", "svg" or "pdf" (exactly); throws Error naming the accepted names otherwise.
ImageFormat parse_image_format(std::string_view name);
std::string_view image_format_name(ImageFormat format);
// From the extension (.png, .svg, .pdf in any case); nullopt when missing or unknown.
std::optional<ImageFormat> image_format_from_extension(const std::filesystem::path& path);

// How a picture is written. Sizes are in pixels; PDF pages use 96 pixels per inch.
struct ImageOptions {
  std::optional<ImageFormat> format;  // empty: inferred from the file's extension
  int width = 960;
  int height = 600;
  int font_size = 12;               // points
  std::string gnuplot = "gnuplot";  // executable; searched in PATH when it has no '/'
};

// Thrown when the gnuplot executable cannot be started; the message names the Debian package.
class GnuplotNotFound : public Error {
 public:
  using Error::Error;
};

// A gnuplot string literal: single-quoted, with ' doubled. Inside single quotes gnuplot
// expands no backslash escapes and no macros; line breaks become spaces (a command is one
// line). Terminals are set to noenhanced, so ^ _ @ { } & need no escaping.
std::string gnuplot_quote(std::string_view text);

// A number as gnuplot reads it back exactly (shortest round-trip form).
std::string gnuplot_number(double value);

class GnuplotScript {
 public:
  // Appends one command; throws Error if it contains a line break.
  GnuplotScript& add(std::string_view command);

  // Appends another script's commands and data blocks (e.g. the panels of a multiplot).
  GnuplotScript& append(const GnuplotScript& other) {
    text_ += other.text_;
    return *this;
  }

  // Appends "$name << EOD", one line per row, "EOD". name: [A-Za-z_][A-Za-z0-9_]*, without
  // the '$'. Rows must not contain line breaks nor be "EOD".
  GnuplotScript& add_data_block(std::string_view name, const std::vector<std::string>& rows);

  // Numeric data block: column j of row i is columns[j][i]. Columns must have equal length
  // and finite values (Error naming the block, row and column otherwise).
  GnuplotScript& add_data_block(std::string_view name,
                                std::initializer_list<std::span<const double>> columns);

  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// The commands render_gnuplot puts before the script: terminal, size, font, no enhanced text.
std::string gnuplot_terminal(ImageFormat format, const ImageOptions& options);

// Runs `<executable> /dev/stdin` with `script` on its standard input and waits for it.
// Throws GnuplotNotFound when the program cannot be started, and Error when gnuplot fails,
// quoting its first error line (and the script line it refers to).
void run_gnuplot(std::string_view script, const std::string& executable = "gnuplot");

// Draws `script` into the picture file `path` atomically: creates the folder, has gnuplot write
// a temporary file in it, renames that over `path` on success and removes it on failure.
// The format comes from options.format or else from the extension; a conflict is an Error.
void render_gnuplot(const std::filesystem::path& path, const GnuplotScript& script,
                    const ImageOptions& options = {});

}  // namespace bnlstm
