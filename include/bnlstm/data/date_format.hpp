#pragma once
// How a file's date column is read: the layouts a user's files actually hold.
//
//   DateFormat::automatic()      ISO dates "2021-01-04", optionally with a time
//                                ("2021-01-04T09:30:00Z", "2021-01-04 09:30",
//                                "2021-01-04T23:30:00-05:00"), read by the
//                                scanner of date.hpp; "2021-01" (the month's first day, as
//                                pandas reads it); or Unix timestamps: an integer of 9 or 10
//                                digits (seconds, 1973..2286) or 12 or 13 digits (milliseconds)
//   DateFormat::from_spec("unix")     seconds since 1970-01-01 UTC, any integer (or "unix-ms")
//   DateFormat::from_spec("%b %d %Y") strftime-style codes, read by Howard Hinnant's date::parse
//                                     ("Jan 1 2000"; %d and %m take one or two digits)
//
// Series are daily (date.hpp): a time of day without a UTC offset is read and checked, then
// dropped (the day as written); a date and time with a UTC offset (%z, or "+01:00" / "Z" after
// an ISO time) and a timestamp are the UTC day of that instant. A zone name (%Z) is matched but
// not converted (abbreviations are ambiguous and no time zone database is read): the day as
// written.
//
// hinnant-date 3.0.1 (Debian 12, built with ONLY_C_LOCALE) converts an uninitialized long double
// to an integer whenever a seconds field (%S, %T, %r, %X, %c) is reached with the stream failed
// (HowardHinnant/date#697). So date::parse reads only the date codes; the time of day, which
// must come after them (%H %I %M %S %T %R %p %r %X %z %Z), is matched by a small reader here and
// dropped. %c is refused: its codes are to be written out.
#include <optional>
#include <string>
#include <string_view>

#include "bnlstm/data/date.hpp"

namespace bnlstm {

class DateFormat {
 public:
  // ISO dates (with optional times) and Unix timestamps, decided per cell.
  static DateFormat automatic() { return DateFormat(Kind::automatic, ""); }
  // "" or "auto": automatic(); "unix" / "unix-ms": timestamps in seconds / milliseconds;
  // anything else: strftime codes, which must name a year, a month (or a day of the year) and a
  // day. Throws bnlstm::Error "<what>: ..." for a spec that cannot name a day.
  static DateFormat from_spec(std::string_view spec, std::string_view what = "--date-format");

  // The day written in `text` (surrounding spaces and double quotes ignored), or nullopt when it
  // does not match the whole text. Days outside 0001-01-01..9999-12-31 are rejected.
  std::optional<Date> read(std::string_view text) const;

  // What it expects, for messages: "a date YYYY-MM-DD", "a Unix timestamp (seconds)",
  // "a date like '%b %d %Y'".
  std::string expected() const;
  // The spec as given ("" for automatic); stored in checkpoints.
  const std::string& spec() const { return spec_; }
  bool is_automatic() const { return kind_ == Kind::automatic; }

 private:
  enum class Kind { automatic, unix_seconds, unix_millis, codes };
  DateFormat(Kind kind, std::string spec) : kind_(kind), spec_(std::move(spec)) {}

  Kind kind_;
  std::string spec_;
  std::string date_codes_, time_codes_;  // the spec split before its first time code
};

// For a date that did not read in the automatic layout: the first of a few common layouts that
// reads it, as a hint for messages, after `setting`, the way the front end names the date format
// ("--date-format '%b %d %Y'"; Python: "date_format='%b %d %Y'"), or "" when none does.
// Day-month orders that could be either ("01/02/2000") are named both ways.
std::string suggest_date_format(std::string_view text, std::string_view setting = "--date-format ");

}  // namespace bnlstm
