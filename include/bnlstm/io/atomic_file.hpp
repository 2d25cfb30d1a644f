#pragma once
// Writes a file so that readers see either the old content or the whole new content:
// write to a temporary file in the same folder, flush, then rename over the target.
//
// Output paths given by a user are handled as a user expects:
//   - a symbolic link is written through: its target is replaced, the link stays a link;
//   - an existing path that is not a regular file (a device such as a copy of /dev/full, a
//     fifo, a folder) is refused with one line, instead of being replaced by a regular file;
//   - write_output_file() treats "-" (and a path that is this process's stdout, such as
//     /dev/stdout) as stdout, flushed and checked.
// The temporary file is anonymous (O_TMPFILE) until the moment it is renamed, so a run killed
// while writing leaves nothing behind where the file system supports that; elsewhere it is
// ".NAME.XXXXXX", which OutputFolder (output_folder.hpp) clears on the next run into the folder.
#include <filesystem>
#include <string_view>

namespace bnlstm {

// Creates parent folders as needed; throws bnlstm::Error naming the path on any failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// As write_file_atomically, and "-" or this process's own stdout writes to stdout (flushed;
// a write error such as a full device throws "stdout: ...").
void write_output_file(const std::filesystem::path& path, std::string_view content);

// The file a write to `path` replaces: path itself, or the final target of a symbolic link.
// Throws bnlstm::Error "<path>: is a <kind>, expected a regular file ..." when it exists and is
// not a regular file.
std::filesystem::path output_target(const std::filesystem::path& path);

// True when `path` names the file this process's stdout is (e.g. /dev/stdout, /proc/self/fd/1).
bool is_stdout(const std::filesystem::path& path);

// Flushes stdout and throws bnlstm::Error "stdout: cannot write (<reason>)" when anything written
// to it was lost (a full device, a closed pipe).
void flush_stdout();

}  // namespace bnlstm
