#include "flag_checks.hpp"

#include "bnlstm/data/series.hpp"

namespace bnlstm::cli {

CLI::Validator non_empty(const std::string& what) {
  return CLI::Validator(
      [what](std::string& text) -> std::string {
        if (text.empty()) return fmt::format("expected {}, got ''", what);
        return {};
      },
      "");
}

CLI::Validator date_text() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        if (try_parse_date(text)) return {};
        return fmt::format("expected a date YYYY-MM-DD (optionally with a time), got '{}'", text);
      },
      "");
}

bool is_flag_value_error(const CLI::Error& e) {
  return dynamic_cast<const CLI::ValidationError*>(&e) != nullptr;
}

}  // namespace bnlstm::cli
