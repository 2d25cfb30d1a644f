#pragma once
// A run's output folder written as one unit: a reader of --out sees either the previous run's
// files or the new run's, never a mixture, and a run that fails half-way leaves --out as it was.
//
// How: begin() locks the folder for the run (a second run fails at once, naming the holder),
// creates a fresh staging folder beside it (".NAME.bnlstm-tmp-XXXXXX", which is also the real
// writability check: `--out /proc/x` fails here, before any work), and the run writes every file
// into path(). commit() swaps the staging folder in with one atomic rename (renameat2
// RENAME_EXCHANGE; two renames where the file system lacks it), then deletes the old folder.
// Entries of the old folder that the command does not own (its `owned` patterns, e.g. a
// bn-demo/ subfolder or a user's notes) are carried into the new one before the swap. Without
// commit() (an exception) the destructor removes the staging folder and parents it created.
// Leftovers of a killed run (staging or old folders, stale ".name.XXXXXX" temporary files) are
// removed by the next run into the same folder.
//
// Every command that writes a folder uses it, in this order:
//   OutputFolder out = OutputFolder::begin(flags.out, "--out", {"model.safetensors", "*.png"});
//   ... all the work (training, evaluation) ...
//   write_file_atomically(out.path() / "metrics.json", text);  // files go into path()
//   out.commit();                                               // now visible as flags.out
//   fmt::print("wrote {}\n", (out.final_path() / "metrics.json").string());
// Call begin() after the flags are parsed and before any long work, so that an unusable or busy
// --out fails first. Single output files (--output, --plot) use write_output_file()
// (bnlstm/io/atomic_file.hpp) instead.
#include <filesystem>
#include <string>
#include <vector>

namespace bnlstm {

class OutputFolder {
 public:
  // target: the folder the user named; label: how messages name it ("--out"); owned: glob
  // patterns (fnmatch) of the top-level entries this command writes, dropped from the old folder.
  // Throws bnlstm::Error "<label> <target>: ..." when the folder cannot be used.
  static OutputFolder begin(const std::filesystem::path& target, const std::string& label,
                            std::vector<std::string> owned);

  OutputFolder(OutputFolder&& other) noexcept;
  OutputFolder& operator=(OutputFolder&&) = delete;
  OutputFolder(const OutputFolder&) = delete;
  ~OutputFolder();

  // Where the run writes its files until commit().
  const std::filesystem::path& path() const { return staging_; }
  // The folder as the user named it (where the files are after commit()).
  const std::filesystem::path& final_path() const { return target_; }

  // Swaps the staging folder in as the target; throws bnlstm::Error when that fails (the target
  // is then unchanged).
  void commit();

 private:
  OutputFolder() = default;
  void release() noexcept;

  std::filesystem::path target_;    // as given
  std::filesystem::path resolved_;  // absolute, symlinks resolved: what is swapped
  std::filesystem::path staging_;
  std::string label_;
  std::vector<std::string> owned_;
  std::vector<std::filesystem::path> created_parents_;  // removed again when not committed
  int lock_fd_ = -1;
  std::filesystem::path lock_path_;
  bool committed_ = false;
};

}  // namespace bnlstm
