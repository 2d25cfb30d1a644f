#include "bnlstm/data/series.hpp"

#include <array>
#include <cctype>
#include <sstream>

#include "bnlstm/core/error.hpp"
#include "bnlstm/core/printable.hpp"

namespace bnlstm {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// "4. close" -> "close"; names without such a prefix are returned unchanged.
std::string_view drop_number_prefix(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == 0 || i >= s.size() || s[i] != '.') return s;
  ++i;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

}  // namespace

std::string_view trim_field(std::string_view s) {
  auto trim = [](std::string_view v) {
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
    return v;
  };
  s = trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = trim(s.substr(1, s.size() - 2));
  return s;
}

std::optional<Index> find_column(const std::vector<std::string>& names, std::string_view wanted) {
  wanted = trim_field(wanted);
  for (size_t i = 0; i < names.size(); ++i)
    if (iequal(trim_field(names[i]), wanted)) return static_cast<Index>(i);
  // No exact match: compare without numbered prefixes, and only accept a unique match.
  std::optional<Index> found;
  for (size_t i = 0; i < names.size(); ++i) {
    if (iequal(drop_number_prefix(trim_field(names[i])), drop_number_prefix(wanted))) {
      if (found) return std::nullopt;
      found = static_cast<Index>(i);
    }
  }
  return found;
}

std::string list_columns(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += "'" + printable(names[i]) + "'";
  }
  return out;
}

Index Series::column_index(std::string_view name) const {
  if (auto c = find_column(columns, name)) return *c;
  throw Error(source + ": no column '" + printable(name) +
              "' (available: " + list_columns(columns) + ")");
}

}  // namespace bnlstm
