#pragma once
// Text from files and flags echoed in messages: control bytes and bytes that are not valid UTF-8
// are written as \xNN (and a backslash as \\), so a CSV header cannot move the cursor, ring the
// bell or break the terminal's encoding when an error quotes it. Valid UTF-8 stays as it is.
#include <string>
#include <string_view>

namespace bnlstm {

std::string printable(std::string_view text);

}  // namespace bnlstm
