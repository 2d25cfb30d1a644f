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

// A calendar day (days since 1970-01-01, proleptic Gregorian). Series are daily, so a date with
// a time of day becomes one day:
//   - without a UTC offset ("2021-01-04 23:30"): the day as written (local time, not converted);
//   - with a UTC offset ("2021-01-04T23:30:00-05:00", "...+0530", "...Z") or as a Unix
//     timestamp: the UTC day of that instant (2021-01-04T23:30-05:00 is 2021-01-05 04:30 UTC,
//     so the day 2021-01-05), so that the same instant written in two offsets is the same day.
// A file whose days are stamped at local midnight with an offset east of UTC
// ("2021-01-04T00:00:00+01:00") therefore reads as the previous day: drop the offset (or the
// time) from such dates to keep the days as written.
using Date = std::chrono::sys_days;

// Years 0001..9999: what "YYYY-MM-DD" can write, and what files and forecasts may hold.
inline constexpr std::chrono::year kFirstYear{1};
inline constexpr std::chrono::year kLastYear{9999};
Date last_supported_date();  // 9999-12-31

// Parses an ISO date "YYYY-MM-DD" (month and day may have one digit), optionally followed by a
// time "HH:MM" or "HH:MM:SS[.fraction]" separated by 'T' or a space, and an optional UTC offset
// after the time ('Z', "+hh:mm", "+hhmm", "+hh", or '-'), which makes the date the UTC day of
// that instant (see Date above). Leading/trailing spaces and surrounding double quotes are
// ignored. Invalid days such as 2021-02-30 are rejected, and so are days that an offset moves
// outside 0001-01-01..9999-12-31. Returns nullopt on failure.
std::optional<Date> try_parse_date(std::string_view text);

// As try_parse_date, but throws bnlstm::Error "<what>: expected a date YYYY-MM-DD (optionally
// with a time), got '<text>'". `what` names the origin (a flag, a file:line).
Date parse_date(std::string_view text, std::string_view what);

// "YYYY-MM-DD"; years outside 1..9999 are written with their sign and all digits.
std::string format_date(Date d);

// A CSV date cell as the readers see it: surrounding white space and one pair of double quotes
// removed (white space inside the quotes too).
std::string_view trimmed_date_cell(std::string_view s);

// Building blocks. Each reads at text[pos...], advances pos past what it read and returns true,
// or returns false and leaves pos unchanged.
// "YYYY-MM-DD" with a valid day.
bool scan_ymd(std::string_view text, size_t& pos, std::chrono::year_month_day& out);
// "HH:MM" or "HH:MM:SS[.fraction]" with HH < 24, MM < 60, SS < 61 (a leap second); the
// seconds since midnight (fraction dropped) go to *seconds when given.
bool scan_time(std::string_view text, size_t& pos, int* seconds = nullptr);
// A UTC offset: 'Z' (0), or '+' / '-' then "hh:mm", "hhmm" or "hh" (hh < 24, mm < 60); the
// offset east of UTC in seconds ("-05:00" is -18000) goes to `seconds`.
bool scan_utc_offset(std::string_view text, size_t& pos, int& seconds);

// The UTC day of the instant `day` + `seconds_of_day` (local time, 0..86400: a leap second
// counts as the day's last second) at `offset_seconds` east of UTC; nullopt outside
// 0001-01-01..9999-12-31.
std::optional<Date> utc_day(Date day, int seconds_of_day, int offset_seconds);

}  // namespace bnlstm
