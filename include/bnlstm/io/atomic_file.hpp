#pragma once
// Writes a file so that readers see either the old content or the whole new content:
// write to a temporary file in the same folder, flush, then rename over the target.
#include <filesystem>
#include <string_view>

namespace bnlstm {

// Creates parent folders as needed; throws bnlstm::Error naming the path on any failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace bnlstm
