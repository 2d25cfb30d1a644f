#include "bnlstm/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

namespace fs = std::filesystem;

namespace {

const char* kind_of(const fs::file_status& st) {
  switch (st.type()) {
    case fs::file_type::directory:
      return "folder";
    case fs::file_type::character:
      return "character device";
    case fs::file_type::block:
      return "block device";
    case fs::file_type::fifo:
      return "fifo";
    case fs::file_type::socket:
      return "socket";
    default:
      return "special file";
  }
}

bool write_all(int fd, std::string_view content) {
  const char* p = content.data();
  size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

std::string random_suffix() {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device rd;
  std::string s(6, 'x');
  for (char& c : s) c = kChars[rd() % (sizeof kChars - 1)];
  return s;
}

}  // namespace

bool is_stdout(const fs::path& path) {
  struct stat out {
  }, p{};
  return ::fstat(STDOUT_FILENO, &out) == 0 && ::stat(path.c_str(), &p) == 0 &&
         out.st_dev == p.st_dev && out.st_ino == p.st_ino;
}

fs::path output_target(const fs::path& path) {
  std::error_code ec;
  fs::path target = path;
  // write through links, to the end of the chain (a dangling link's target is created)
  for (int hops = 0; fs::is_symlink(fs::symlink_status(target, ec)); ++hops) {
    const fs::path next = fs::read_symlink(target, ec);
    if (ec || hops > 40)
      throw Error(path.string() + ": cannot follow the symbolic link (" +
                  (ec ? ec.message() : std::string("too many levels")) + ")");
    target = (next.is_absolute() ? next : target.parent_path() / next).lexically_normal();
  }
  const fs::file_status st = fs::status(target, ec);
  if (fs::exists(st) && !fs::is_regular_file(st))
    throw Error(path.string() + ": is a " + kind_of(st) +
                ", expected a regular file (or - for stdout)");
  return target;
}

void flush_stdout() {
  errno = 0;
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    const int err = errno;
    std::clearerr(stdout);
    throw Error(std::string("stdout: cannot write (") + (err ? std::strerror(err) : "write error") +
                ")");
  }
}

void write_output_file(const fs::path& path, std::string_view content) {
  if (path == "-" || is_stdout(path)) {
    std::fwrite(content.data(), 1, content.size(), stdout);
    flush_stdout();
    return;
  }
  write_file_atomically(path, content);
}

void write_file_atomically(const fs::path& given, std::string_view content) {
  const fs::path path = output_target(given);
  auto fail = [&](const std::string& what, int err) -> void {
    throw Error(given.string() + ": cannot write file: " + what + " (" + std::strerror(err) + ")");
  };
  const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec)
    throw Error(given.string() + ": cannot create folder " + parent.string() + ": " + ec.message());

  // anonymous until linked (nothing left behind when killed); mkstemp where unsupported
  std::string tmp;
  int fd = ::open(parent.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  const bool anonymous = fd >= 0;
  if (!anonymous) {
    tmp = (parent / ("." + path.filename().string() + ".XXXXXX")).string();
    fd = ::mkstemp(tmp.data());
    if (fd < 0) fail("cannot create temporary file", errno);
  }
  auto discard = [&](int err, const char* what) {
    ::close(fd);
    if (!anonymous) ::unlink(tmp.c_str());
    fail(what, err);
  };
  if (!write_all(fd, content)) discard(errno, "write failed");
  ::fchmod(fd, 0644);
  if (::fsync(fd) != 0) discard(errno, "flush failed");
  if (anonymous) {
    // give it a name beside the target, then rename over it (a moment with a name, not a window
    // where a kill leaves one behind for long)
    const std::string proc = "/proc/self/fd/" + std::to_string(fd);
    for (int attempt = 0;; ++attempt) {
      tmp = (parent / ("." + path.filename().string() + "." + random_suffix())).string();
      if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, tmp.c_str(), AT_SYMLINK_FOLLOW) == 0) break;
      if (errno != EEXIST || attempt > 20) discard(errno, "cannot name temporary file");
    }
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail("flush failed", err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail("rename failed", err);
  }
}

}  // namespace bnlstm
