#include "bnlstm/plot/gnuplot.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <utility>

#include "bnlstm/core/error.hpp"
#include "bnlstm/io/atomic_file.hpp"

extern char** environ;

namespace bnlstm {

namespace fs = std::filesystem;

ImageFormat parse_image_format(std::string_view name) {
  if (name == "png") return ImageFormat::png;
  if (name == "svg") return ImageFormat::svg;
  if (name == "pdf") return ImageFormat::pdf;
  throw Error(fmt::format("unknown image format '{}': expected png, svg or pdf", name));
}

std::string_view image_format_name(ImageFormat format) {
  switch (format) {
    case ImageFormat::png:
      return "png";
    case ImageFormat::svg:
      return "svg";
    case ImageFormat::pdf:
      return "pdf";
  }
  return "?";
}

std::optional<ImageFormat> image_format_from_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".png") return ImageFormat::png;
  if (ext == ".svg") return ImageFormat::svg;
  if (ext == ".pdf") return ImageFormat::pdf;
  return std::nullopt;
}

std::string gnuplot_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "''";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

std::string gnuplot_number(double value) {
  return fmt::format("{}", value);
}

// ---------------------------------------------------------------------------------------------
// GnuplotScript

GnuplotScript& GnuplotScript::add(std::string_view command) {
  if (command.find_first_of("\r\n") != std::string_view::npos) {
    throw Error(fmt::format("gnuplot command must be one line: {}", command.substr(0, 60)));
  }
  text_ += command;
  text_ += '\n';
  return *this;
}

static void check_block_name(std::string_view name) {
  bool ok = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!ok)
    throw Error(fmt::format("gnuplot data block name '{}': expected letters, digits, '_'", name));
}

GnuplotScript& GnuplotScript::add_data_block(std::string_view name,
                                             const std::vector<std::string>& rows) {
  check_block_name(name);
  std::string block = fmt::format("${} << EOD\n", name);
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].find_first_of("\r\n") != std::string::npos || rows[i] == "EOD") {
      throw Error(
          fmt::format("gnuplot data block ${} row {}: a row must be one line, not EOD", name, i));
    }
    block += rows[i];
    block += '\n';
  }
  block += "EOD\n";
  text_ += block;
  return *this;
}

GnuplotScript& GnuplotScript::add_data_block(
    std::string_view name, std::initializer_list<std::span<const double>> columns) {
  check_block_name(name);
  const size_t n = columns.size() == 0 ? 0 : columns.begin()->size();
  for (const auto& column : columns) {
    if (column.size() != n) {
      throw Error(fmt::format("gnuplot data block ${}: columns have {} and {} rows", name, n,
                              column.size()));
    }
  }
  std::vector<std::string> rows(n);
  for (size_t i = 0; i < n; ++i) {
    size_t j = 0;
    for (const auto& column : columns) {
      if (!std::isfinite(column[i])) {
        throw Error(fmt::format("gnuplot data block ${} row {} column {}: value {} is not finite",
                                name, i, j + 1, column[i]));
      }
      if (j++ > 0) rows[i] += ' ';
      rows[i] += gnuplot_number(column[i]);
    }
  }
  return add_data_block(name, rows);
}

// ---------------------------------------------------------------------------------------------
// Terminal

std::string gnuplot_terminal(ImageFormat format, const ImageOptions& options) {
  if (options.width < 16 || options.height < 16 || options.width > 20000 ||
      options.height > 20000) {
    throw Error(fmt::format("image size {}x{}: expected 16..20000 pixels each way", options.width,
                            options.height));
  }
  if (options.font_size < 4 || options.font_size > 200) {
    throw Error(fmt::format("font size {}: expected 4..200 points", options.font_size));
  }
  // noenhanced: titles and labels are shown literally (no ^ _ @ markup).
  const std::string font = fmt::format("font 'Sans,{}'", options.font_size);
  switch (format) {
    case ImageFormat::png:
      return fmt::format("set terminal pngcairo size {},{} noenhanced {} background '#ffffff'\n",
                         options.width, options.height, font);
    case ImageFormat::svg:
      return fmt::format("set terminal svg size {},{} noenhanced {} background '#ffffff'\n",
                         options.width, options.height, font);
    case ImageFormat::pdf:
      // pdfcairo sizes are in inches; 96 px per inch keeps the layout of the PNG.
      return fmt::format("set terminal pdfcairo size {:.2f}in,{:.2f}in noenhanced {}\n",
                         options.width / 96.0, options.height / 96.0, font);
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Running gnuplot

namespace {

// Closes a file descriptor once.
struct Fd {
  int fd = -1;
  explicit Fd(int f = -1) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

// Blocks SIGPIPE in this thread while we write to gnuplot, so that a gnuplot that stopped
// early gives EPIPE (handled) instead of killing the whole program; a SIGPIPE raised meanwhile
// is taken off the pending set before the old mask comes back.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlock() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      const timespec zero{0, 0};
      sigtimedwait(&pipe_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_{}, old_{};
  bool was_pending_ = false;
};

std::string_view script_line(std::string_view script, long number) {
  size_t start = 0;
  for (long i = 1; i < number; ++i) {
    start = script.find('\n', start);
    if (start == std::string_view::npos) return {};
    ++start;
  }
  const size_t end = script.find('\n', start);
  return script.substr(start, end == std::string_view::npos ? script.npos : end - start);
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// gnuplot reports `"/dev/stdin" line 12: no datablock named $x`, sometimes followed by
// `system error: ...`; this makes one line of it, with the offending script line. Warnings
// have the same form (`line 5: warning: ...`) and are passed over.
std::string first_gnuplot_error(std::string_view err, std::string_view script) {
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos <= err.size();) {
    size_t end = err.find('\n', pos);
    if (end == std::string_view::npos) end = err.size();
    lines.push_back(err.substr(pos, end - pos));
    pos = end + 1;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    const size_t at = lines[i].find("\" line ");
    if (lines[i].empty() || lines[i][0] != '"' || at == std::string_view::npos) continue;
    std::string message = trim(lines[i].substr(at + 2));  // "line 12: ..."
    const size_t colon = message.find(": ");
    if (colon != std::string::npos && message.compare(colon + 2, 8, "warning:") == 0) continue;
    const long number = std::strtol(message.c_str() + 5, nullptr, 10);
    if (i + 1 < lines.size() && lines[i + 1].starts_with("system error:")) {
      message += fmt::format(" ({})", trim(lines[i + 1]));
    }
    const std::string offending = trim(script_line(script, number));
    if (!offending.empty()) {
      message += fmt::format(" [in: {}]",
                             offending.size() > 80 ? offending.substr(0, 77) + "..." : offending);
    }
    return message;
  }
  for (const auto& line : lines) {
    if (!trim(line).empty()) return trim(line);
  }
  return {};
}

}  // namespace

void run_gnuplot(std::string_view script, const std::string& executable) {
  auto sys_error = [](const std::string& what) {
    return Error(fmt::format("cannot run gnuplot: {} ({})", what, std::strerror(errno)));
  };
  int in_fds[2], err_fds[2];
  if (::pipe2(in_fds, O_CLOEXEC) != 0) throw sys_error("pipe");
  Fd in_read(in_fds[0]), in_write(in_fds[1]);
  if (::pipe2(err_fds, O_CLOEXEC) != 0) throw sys_error("pipe");
  Fd err_read(err_fds[0]), err_write(err_fds[1]);

  // child: stdin <- script pipe, stdout -> /dev/null, stderr -> our pipe; default signals.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_read.fd, STDIN_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, err_write.fd, STDERR_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::string arg0 = executable, arg1 = "/dev/stdin";
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = -1;
  const int spawned = ::posix_spawnp(&pid, executable.c_str(), &actions, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (spawned == ENOENT || spawned == EACCES || spawned == ENOTDIR) {
    throw GnuplotNotFound(
        fmt::format("gnuplot not found (tried '{}'): install the Debian package gnuplot-nox "
                    "(apt-get install gnuplot-nox)",
                    executable));
  }
  if (spawned != 0) {
    errno = spawned;
    throw sys_error("cannot start " + executable);
  }
  in_read.reset();
  err_write.reset();

  // Feed the script and collect stderr at the same time: either pipe can fill up.
  std::string err;
  {
    SigpipeBlock block;
    ::fcntl(in_write.fd, F_SETFL, ::fcntl(in_write.fd, F_GETFL) | O_NONBLOCK);
    size_t written = 0;
    if (script.empty()) in_write.reset();
    while (in_write.fd >= 0 || err_read.fd >= 0) {
      pollfd fds[2] = {{in_write.fd, POLLOUT, 0}, {err_read.fd, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (in_write.fd >= 0 && fds[0].revents != 0) {
        const ssize_t n = ::write(in_write.fd, script.data() + written, script.size() - written);
        if (n > 0) written += static_cast<size_t>(n);
        // EPIPE: gnuplot stopped reading (it failed); its exit status tells the rest.
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == script.size()) {
          in_write.reset();
        }
      }
      if (err_read.fd >= 0 && fds[1].revents != 0) {
        char buffer[4096];
        const ssize_t n = ::read(err_read.fd, buffer, sizeof buffer);
        if (n > 0) {
          if (err.size() < (1u << 20)) err.append(buffer, static_cast<size_t>(n));
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          err_read.reset();
        }
      }
    }
  }

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw sys_error("waitpid");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;

  std::string message = first_gnuplot_error(err, script);
  if (message.empty()) {
    message = WIFSIGNALED(status) ? fmt::format("killed by signal {}", WTERMSIG(status))
                                  : fmt::format("exited with status {}", WEXITSTATUS(status));
  }
  throw Error("gnuplot: " + message);
}

void render_gnuplot(const fs::path& path, const GnuplotScript& script,
                    const ImageOptions& options) {
  const std::optional<ImageFormat> from_extension = image_format_from_extension(path);
  if (!options.format && !from_extension) {
    throw Error(fmt::format("{}: cannot tell the image format: use .png, .svg or .pdf, or pass one",
                            path.string()));
  }
  if (options.format && from_extension && *options.format != *from_extension) {
    throw Error(fmt::format("{}: extension does not match the requested format {}", path.string(),
                            image_format_name(*options.format)));
  }
  const ImageFormat format = options.format ? *options.format : *from_extension;
  const std::string terminal = gnuplot_terminal(format, options);

  // through a symbolic link to its target; a device or folder is refused (atomic_file.hpp)
  const fs::path target = output_target(path);
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) {
    throw Error(fmt::format("{}: cannot create folder {}: {}", path.string(), parent.string(),
                            ec.message()));
  }
  // The temporary file sits beside the target, so the rename stays on one file system.
  std::string tmp = (parent / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    throw Error(fmt::format("{}: cannot write file: {}", path.string(), std::strerror(errno)));
  }
  ::close(fd);
  auto fail = [&](const std::string& message) -> void {
    ::unlink(tmp.c_str());
    throw Error(message);
  };

  const std::string full =
      terminal + "set output " + gnuplot_quote(tmp) + "\n" + script.text() + "unset output\n";
  try {
    run_gnuplot(full, options.gnuplot);
  } catch (const GnuplotNotFound&) {
    ::unlink(tmp.c_str());
    throw;
  } catch (const Error& e) {
    fail(fmt::format("{}: {}", path.string(), e.what()));
  }

  struct stat info {};
  if (::stat(tmp.c_str(), &info) != 0 || info.st_size == 0) {
    fail(fmt::format("{}: gnuplot wrote nothing", path.string()));
  }
  // mkstemp made it 0600; a picture is for everyone to read. fsync before the rename.
  ::chmod(tmp.c_str(), 0644);
  const int sync_fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (sync_fd >= 0) {
    ::fsync(sync_fd);
    ::close(sync_fd);
  }
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    fail(fmt::format("{}: cannot write file: rename failed ({})", path.string(),
                     std::strerror(errno)));
  }
}

}  // namespace bnlstm
