#include "bnlstm/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

namespace fs = std::filesystem;

void write_file_atomically(const fs::path& path, std::string_view content) {
  auto fail = [&](const std::string& what) -> void {
    throw Error(path.string() + ": cannot write file: " + what + " (" + std::strerror(errno) + ")");
  };
  const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw Error(path.string() + ": cannot create folder " + parent.string() + ": " + ec.message());

  // mkstemp gives a unique name in the target's folder, so the rename stays on one file system.
  std::string tmpl = (parent / ("." + path.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) fail("cannot create temporary file");
  const char* p = content.data();
  size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      ::unlink(tmpl.c_str());
      fail("write failed");
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  ::fchmod(fd, 0644);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmpl.c_str());
    fail("flush failed");
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    ::unlink(tmpl.c_str());
    fail("rename failed");
  }
}

}  // namespace bnlstm
