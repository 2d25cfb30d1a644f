#pragma once
// Calendar days and how they are read from text.
//
// Dates are parsed by a small hand-written scanner rather than hinnant-date's date::parse: the
// Debian 12 version (3.0.1) reads an uninitialized long double whenever a plain date is tried
// against "%F %T" (HowardHinnant/date#697, UBSan reports it on every date), and a scanner of our
// own is easy to extend. The pieces below are the building blocks: scan_ymd() and scan_time()
// each read one part at a position and return false without consuming anything on a mismatch;
// a new layout (another date order, a timestamp, a --date-format) is one more function on top of
// them, tried in try_parse_date().
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace bnlstm {

// A calendar day (days since 1970-01-01, proleptic Gregorian). Series are daily, so a time part
// in the input is validated and then dropped.
using Date = std::chrono::sys_days;

// Years 0001..9999: what "YYYY-MM-DD" can write, and what files and forecasts may hold.
inline constexpr std::chrono::year kFirstYear{1};
inline constexpr std::chrono::year kLastYear{9999};
Date last_supported_date();  // 9999-12-31

// Parses an ISO date "YYYY-MM-DD" (month and day may have one digit), optionally followed by a
// time "HH:MM" or "HH:MM:SS[.fraction]" separated by 'T' or a space, and an optional trailing
// 'Z'. Leading/trailing spaces and surrounding double quotes are ignored. Invalid days such as
// 2021-02-30 are rejected. Returns nullopt on failure.
std::optional<Date> try_parse_date(std::string_view text);

// As try_parse_date, but throws bnlstm::Error "<what>: expected a date YYYY-MM-DD (optionally
// with a time), got '<text>'". `what` names the origin (a flag, a file:line).
Date parse_date(std::string_view text, std::string_view what);

// "YYYY-MM-DD"; years outside 1..9999 are written with their sign and all digits.
std::string format_date(Date d);

// Building blocks. Each reads at text[pos...], advances pos past what it read and returns true,
// or returns false and leaves pos unchanged.
// "YYYY-MM-DD" with a valid day.
bool scan_ymd(std::string_view text, size_t& pos, std::chrono::year_month_day& out);
// "HH:MM" or "HH:MM:SS[.fraction]" with HH < 24, MM < 60, SS < 61 (a leap second).
bool scan_time(std::string_view text, size_t& pos);

}  // namespace bnlstm
