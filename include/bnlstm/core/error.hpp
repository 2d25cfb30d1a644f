#pragma once
// One exception type for everything a user can get wrong: the message is a single line that
// names the file, line, column, flag or shape involved and what was expected.
#include <stdexcept>
#include <string>

namespace bnlstm {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace bnlstm
