#pragma once
// CLI11 validators that parse a flag straight into its own type with a range, and give the
// one-line error every bnlstm command prints for a bad flag:
//   bnlstm: error: --epochs: expected an integer <= 1000000, got '4294967297'
// CLI11 prefixes the flag's name ("--epochs: "); main.cpp prints a ValidationError as is.
//
// Each validator is a transform: it checks the text and rewrites it into a canonical form that
// CLI11's own conversion then reads exactly (CLI11 2.1 reads integers with strtoll base 0, so
// "010" would be octal 8 and "9223372036854775808" would saturate silently; here both are
// decided before CLI11 sees them). Use with ->transform(...) on an option of the matching type:
//   int epochs = 100;
//   cmd->add_option("--epochs", epochs, "...")->transform(integer_in<int>(1, 1'000'000));
//   Target target = Target::delta;
//   cmd->add_option("--target", target, "...")->transform(choice(parse_target, "level or delta"))
//      ->default_str("delta");
// New commands (backtest, classify, study, compare, ...) should use these for every flag.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include "bnlstm/core/error.hpp"

namespace bnlstm::cli {

// An integer of type T in [min, max], decimal digits only (an optional leading '-' for signed
// T). Messages: "expected an integer >= min, got 'x'" (not an integer, or below min) and
// "expected an integer <= max, got 'x'" (above max, including what does not fit in T).
template <typename T>
CLI::Validator integer_in(T min, T max = std::numeric_limits<T>::max()) {
  static_assert(std::is_integral_v<T>);
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        const auto too_small = fmt::format("expected an integer >= {}, got '{}'", min, text);
        const auto too_large = fmt::format("expected an integer <= {}, got '{}'", max, text);
        const char* begin = text.data();
        const char* end = begin + text.size();
        const bool digits = !text.empty() && text.find_first_not_of("-0123456789") == text.npos;
        if (!digits) return too_small;
        T v{};
        const auto [ptr, ec] = std::from_chars(begin, end, v);
        if (ec == std::errc::result_out_of_range) return text[0] == '-' ? too_small : too_large;
        if (ec != std::errc() || ptr != end) return too_small;
        if (v < min) return too_small;
        if (v > max) return too_large;
        text = std::to_string(v);  // canonical: no leading zeros (CLI11 would read them as octal)
        return {};
      },
      max == std::numeric_limits<T>::max() ? fmt::format("{}..", min)
                                           : fmt::format("{}..{}", min, max));
}

// A finite number accepted by ok(v); otherwise "expected <expected>, got 'x'", e.g.
// number_where("a number > 0", [](double v) { return v > 0; }).
template <typename Ok>
CLI::Validator number_where(std::string expected, Ok ok) {
  return CLI::Validator(
      [expected, ok](std::string& text) -> std::string {
        double v = 0;
        const char* begin = text.data();
        const char* end = begin + text.size();
        if (!text.empty() && *begin == '+') ++begin;
        const auto [ptr, ec] = std::from_chars(begin, end, v);
        if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(v) || !ok(v))
          return fmt::format("expected {}, got '{}'", expected, text);
        text = fmt::format("{}", v);  // shortest round-trip form: CLI11 reads back the same double
        return {};
      },
      "");
}

// One of a few words, parsed by the library's own parser (so aliases stay in one place):
// parse(text) returns the enum value or throws bnlstm::Error. The text becomes the enum's
// integer, which CLI11 converts into the enum option. Message: "expected <expected>, got 'x'".
template <typename Parse>
CLI::Validator choice(Parse parse, std::string expected) {
  return CLI::Validator(
      [parse, expected](std::string& text) -> std::string {
        try {
          const auto value = parse(text);
          text = std::to_string(static_cast<long long>(value));
          return {};
        } catch (const Error&) {
          return fmt::format("expected {}, got '{}'", expected, text);
        }
      },
      "");
}

// A non-empty text: "expected <what>, got ''".
CLI::Validator non_empty(const std::string& what);

// A date as the CSV reader understands it (YYYY-MM-DD, optionally with a time).
CLI::Validator date_text();

// A ValidationError from the validators above reads "--flag: expected ..., got '...'".
bool is_flag_value_error(const CLI::Error& e);

}  // namespace bnlstm::cli
