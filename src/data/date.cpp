#include "bnlstm/data/date.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

namespace {

// Reads between min_digits and max_digits decimal digits.
bool scan_digits(std::string_view text, size_t& pos, size_t min_digits, size_t max_digits,
                 int& out) {
  size_t i = pos;
  int v = 0;
  while (i < text.size() && i - pos < max_digits &&
         std::isdigit(static_cast<unsigned char>(text[i])))
    v = v * 10 + (text[i++] - '0');
  if (i - pos < min_digits) return false;
  pos = i;
  out = v;
  return true;
}

bool scan_char(std::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::string_view trimmed_date_cell(std::string_view s) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

Date last_supported_date() {
  return Date{kLastYear / std::chrono::December / 31};
}

bool scan_ymd(std::string_view text, size_t& pos, std::chrono::year_month_day& out) {
  size_t p = pos;
  int y = 0, m = 0, d = 0;
  if (!scan_digits(text, p, 4, 4, y) || !scan_char(text, p, '-') ||
      !scan_digits(text, p, 1, 2, m) || !scan_char(text, p, '-') || !scan_digits(text, p, 1, 2, d))
    return false;
  const std::chrono::year_month_day ymd{std::chrono::year{y},
                                        std::chrono::month{static_cast<unsigned>(m)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || ymd.year() < kFirstYear) return false;
  pos = p;
  out = ymd;
  return true;
}

bool scan_time(std::string_view text, size_t& pos, int* seconds) {
  size_t p = pos;
  int h = 0, m = 0, s = 0, frac = 0;
  if (!scan_digits(text, p, 1, 2, h) || h > 23 || !scan_char(text, p, ':') ||
      !scan_digits(text, p, 2, 2, m) || m > 59)
    return false;
  if (scan_char(text, p, ':')) {
    if (!scan_digits(text, p, 2, 2, s) || s > 60) return false;
    if (scan_char(text, p, '.') && !scan_digits(text, p, 1, 9, frac)) return false;
  }
  pos = p;
  if (seconds) *seconds = h * 3600 + m * 60 + s;
  return true;
}

bool scan_utc_offset(std::string_view text, size_t& pos, int& seconds) {
  size_t p = pos;
  if (scan_char(text, p, 'Z')) {
    pos = p;
    seconds = 0;
    return true;
  }
  int sign = 1;
  if (scan_char(text, p, '-'))
    sign = -1;
  else if (!scan_char(text, p, '+'))
    return false;
  int h = 0, m = 0;
  if (!scan_digits(text, p, 2, 2, h) || h > 23) return false;
  const bool colon = scan_char(text, p, ':');
  if (!scan_digits(text, p, 2, 2, m)) {
    if (colon) return false;  // "+05:" is not an offset
    m = 0;
  } else if (m > 59) {
    return false;
  }
  pos = p;
  seconds = sign * (h * 3600 + m * 60);
  return true;
}

std::optional<Date> utc_day(Date day, int seconds_of_day, int offset_seconds) {
  // the leap second 23:59:60 belongs to its own day
  const int64_t local = std::min(seconds_of_day, 86'399);
  const int64_t utc = local - offset_seconds;  // seconds from the local day's midnight
  const int64_t shift = utc >= 0 ? utc / 86'400 : -((-utc + 86'399) / 86'400);  // floor
  const Date d = day + std::chrono::days{shift};
  if (d < Date{kFirstYear / std::chrono::January / 1} || d > last_supported_date())
    return std::nullopt;
  return d;
}

std::optional<Date> try_parse_date(std::string_view text) {
  text = trimmed_date_cell(text);
  size_t pos = 0;
  std::chrono::year_month_day ymd;
  if (!scan_ymd(text, pos, ymd)) return std::nullopt;
  // optional time, then an optional UTC offset (the UTC day of that instant)
  int seconds = 0, offset = 0;
  bool has_offset = false;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
    ++pos;
    if (!scan_time(text, pos, &seconds)) return std::nullopt;
    has_offset = scan_utc_offset(text, pos, offset);
  }
  if (pos != text.size()) return std::nullopt;
  if (has_offset) return utc_day(Date{ymd}, seconds, offset);
  return Date{ymd};
}

Date parse_date(std::string_view text, std::string_view what) {
  if (auto d = try_parse_date(text)) return *d;
  throw Error(std::string(what) + ": expected a date YYYY-MM-DD (optionally with a time), got '" +
              std::string(text) + "'");
}

std::string format_date(Date d) {
  const std::chrono::year_month_day ymd{d};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace bnlstm
