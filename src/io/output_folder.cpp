#include "bnlstm/io/output_folder.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <fnmatch.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

namespace fs = std::filesystem;

namespace {

constexpr const char* kStagingTag = ".bnlstm-tmp-";
constexpr const char* kOldTag = ".bnlstm-old-";

std::string errno_text() {
  return std::strerror(errno);
}

// ".model.safetensors.AbC123" for an owned "model.safetensors": a temporary file that
// write_file_atomically or gnuplot left when the run was killed while writing
bool is_stale_temp_name(const std::string& name, const std::vector<std::string>& owned) {
  const size_t dot = name.rfind('.');
  if (name.size() < 9 || name[0] != '.' || dot == 0 || name.size() - dot - 1 != 6) return false;
  const std::string stem = name.substr(1, dot - 1);
  for (const auto& pattern : owned)
    if (::fnmatch(pattern.c_str(), stem.c_str(), FNM_PERIOD) == 0) return true;
  return false;
}

// "pid 123, since 2026-11-27 20:01:02: bnlstm train --out run1"
std::string holder_text() {
  std::string cmdline;
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  for (char c; in.get(c);) cmdline += c == '\0' ? ' ' : c;
  while (!cmdline.empty() && cmdline.back() == ' ') cmdline.pop_back();
  const std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
  return fmt::format("pid {}, since {}: {}", ::getpid(), when, cmdline);
}

}  // namespace

OutputFolder OutputFolder::begin(const fs::path& target, const std::string& label,
                                 std::vector<std::string> owned) {
  OutputFolder out;
  out.target_ = target;
  out.label_ = label;
  out.owned_ = std::move(owned);
  const std::string name = label + " " + target.string();
  auto fail = [&](const std::string& what) { return Error(name + ": " + what); };
  if (target.empty()) throw Error(label + ": expected a folder name, got ''");

  // what is swapped: the folder itself, also when --out is a symbolic link to one
  std::error_code ec;
  fs::path resolved = fs::absolute(target, ec).lexically_normal();
  if (resolved.filename().empty()) resolved = resolved.parent_path();
  const fs::file_status st = fs::symlink_status(resolved, ec);
  if (fs::is_symlink(st)) resolved = fs::weakly_canonical(resolved, ec);
  if (fs::exists(resolved, ec) && !fs::is_directory(resolved, ec))
    throw fail("exists and is not a folder");
  const fs::path parent = resolved.parent_path();
  const std::string base = resolved.filename().string();
  if (base.empty() || base == "." || base == "..") throw fail("expected a folder name");
  out.resolved_ = resolved;

  // missing parents, remembered so that a failed run can remove them again
  fs::path nearest = parent;
  std::vector<fs::path> missing;
  while (!fs::exists(nearest, ec) && nearest != nearest.parent_path()) {
    missing.push_back(nearest);
    nearest = nearest.parent_path();
  }
  if (!fs::is_directory(nearest, ec))
    throw fail("cannot create the folder (" + nearest.string() + " is not a folder)");
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0777) != 0 && errno != EEXIST) {
      const std::string why = errno_text();
      out.release();
      throw fail("cannot create the folder (" + it->string() + ": " + why + ")");
    }
    out.created_parents_.push_back(*it);
  }

  // the lock: one run per folder at a time (flock, released by the kernel even on SIGKILL)
  out.lock_path_ = parent / ("." + base + ".bnlstm-lock");
  for (int attempt = 0;; ++attempt) {
    out.lock_fd_ = ::open(out.lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (out.lock_fd_ < 0) {
      const std::string why = errno_text();
      out.release();
      throw fail("cannot write in " + parent.string() + " (" + why + ")");
    }
    if (::flock(out.lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      std::string holder;
      char buf[512];
      const ssize_t n = ::pread(out.lock_fd_, buf, sizeof buf - 1, 0);
      if (n > 0) holder.assign(buf, static_cast<size_t>(n));
      while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
      ::close(out.lock_fd_);
      out.lock_fd_ = -1;
      out.release();
      throw fail("in use by another run (" + (holder.empty() ? "unknown" : holder) + ")");
    }
    // the holder before us may have removed the lock file after we opened it: retry then
    struct stat by_fd {
    }, by_path{};
    if (::fstat(out.lock_fd_, &by_fd) == 0 && ::stat(out.lock_path_.c_str(), &by_path) == 0 &&
        by_fd.st_ino == by_path.st_ino && by_fd.st_dev == by_path.st_dev)
      break;
    ::close(out.lock_fd_);
    out.lock_fd_ = -1;
    if (attempt > 10) throw fail("cannot lock the folder");
  }
  const std::string holder = holder_text() + "\n";
  if (::ftruncate(out.lock_fd_, 0) != 0 ||
      ::pwrite(out.lock_fd_, holder.data(), holder.size(), 0) < 0) {
    // the lock holds without the text; only the message of a second run gets poorer
  }

  // leftovers of killed runs into this folder (we hold the lock: none of them is live)
  const std::string staging_prefix = "." + base + kStagingTag, old_prefix = "." + base + kOldTag;
  for (const auto& e : fs::directory_iterator(parent, ec)) {
    const std::string n = e.path().filename().string();
    if (n.rfind(staging_prefix, 0) == 0 || n.rfind(old_prefix, 0) == 0)
      fs::remove_all(e.path(), ec);
  }

  // the staging folder: the real writability check
  std::string tmpl = (parent / (staging_prefix + "XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    const std::string why = errno_text();
    out.release();
    throw fail("cannot write in " + parent.string() + " (" + why + ")");
  }
  out.staging_ = tmpl;
  ::chmod(out.staging_.c_str(), 0755);
  return out;
}

OutputFolder::OutputFolder(OutputFolder&& o) noexcept
    : target_(std::move(o.target_)),
      resolved_(std::move(o.resolved_)),
      staging_(std::move(o.staging_)),
      label_(std::move(o.label_)),
      owned_(std::move(o.owned_)),
      created_parents_(std::move(o.created_parents_)),
      lock_fd_(o.lock_fd_),
      lock_path_(std::move(o.lock_path_)),
      committed_(o.committed_) {
  o.lock_fd_ = -1;
  o.staging_.clear();
  o.created_parents_.clear();
  o.committed_ = true;  // the moved-from object owns nothing
}

OutputFolder::~OutputFolder() {
  release();
}

void OutputFolder::release() noexcept {
  std::error_code ec;
  if (!committed_) {
    if (!staging_.empty()) fs::remove_all(staging_, ec);
    for (auto it = created_parents_.rbegin(); it != created_parents_.rend(); ++it)
      ::rmdir(it->c_str());  // only if still empty
  }
  staging_.clear();
  created_parents_.clear();
  if (lock_fd_ >= 0) {
    ::unlink(lock_path_.c_str());  // while holding it: a waiter re-checks the inode
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
}

void OutputFolder::commit() {
  const std::string name = label_ + " " + target_.string();
  std::error_code ec;
  const fs::path parent = resolved_.parent_path();
  const bool had_old = fs::is_directory(resolved_, ec);

  // carry over what this command does not own (subfolders of other commands, a user's files);
  // moved folders go back when the swap fails
  std::vector<std::pair<fs::path, fs::path>> moved;
  auto undo = [&] {
    std::error_code ignored;
    for (const auto& [from, to] : moved) fs::rename(to, from, ignored);
  };
  if (had_old) {
    for (const auto& e : fs::directory_iterator(resolved_, ec)) {
      const std::string n = e.path().filename().string();
      bool owned = is_stale_temp_name(n, owned_) || fs::exists(staging_ / n, ec);
      for (const auto& pattern : owned_)
        owned = owned || ::fnmatch(pattern.c_str(), n.c_str(), FNM_PERIOD) == 0;
      if (owned) continue;
      const fs::path to = staging_ / n;
      if (e.is_directory(ec) && !e.is_symlink(ec)) {
        fs::rename(e.path(), to, ec);  // moved: it reappears with the swap
        if (!ec) moved.emplace_back(e.path(), to);
      } else if (::link(e.path().c_str(), to.c_str()) != 0) {
        fs::copy(e.path(), to, fs::copy_options::copy_symlinks, ec);
      }
      if (ec) {
        undo();
        throw Error(name + ": cannot keep " + e.path().string() + " (" + ec.message() + ")");
      }
    }
  }

  // the swap
  if (had_old) {
    if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, resolved_.c_str(), RENAME_EXCHANGE) ==
        0) {
      // the old folder now sits at the staging path
      fs::remove_all(staging_, ec);
    } else {
      // no RENAME_EXCHANGE on this file system: old aside, new in (a moment without the folder,
      // never a mixture)
      std::string old =
          (parent / ("." + resolved_.filename().string() + kOldTag + "XXXXXX")).string();
      if (::mkdtemp(old.data()) == nullptr || ::rename(resolved_.c_str(), old.c_str()) != 0) {
        const std::string why = errno_text();
        undo();
        throw Error(name + ": cannot replace the folder (" + why + ")");
      }
      if (::rename(staging_.c_str(), resolved_.c_str()) != 0) {
        const std::string why = errno_text();
        ::rename(old.c_str(), resolved_.c_str());
        undo();
        throw Error(name + ": cannot replace the folder (" + why + ")");
      }
      fs::remove_all(old, ec);
    }
  } else if (::rename(staging_.c_str(), resolved_.c_str()) != 0) {
    throw Error(name + ": cannot create the folder (" + errno_text() + ")");
  }
  committed_ = true;
  staging_.clear();
  const int dir = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  release();
}

}  // namespace bnlstm
