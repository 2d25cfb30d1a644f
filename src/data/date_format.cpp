#include "bnlstm/data/date_format.hpp"

// GCC 12 at -O3 reports -Wstringop-overflow in hinnant-date's literal reader (date.h read(is,
// int): at most the 10 digits of an unsigned go into an 11-byte buffer, then std::reverse, which
// GCC sees as 32-byte moves): a false positive in a system header only this file instantiates.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
#include <date/date.h>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <locale>
#include <sstream>
#include <string>

#include "bnlstm/core/error.hpp"
#include "bnlstm/core/printable.hpp"

namespace bnlstm {

namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

Date first_day() {
  return Date{kFirstYear / std::chrono::January / 1};
}

// "[-]digits[.digits]" as a count of `unit`s since 1970-01-01 UTC (the fraction is checked and
// dropped), or nullopt.
std::optional<Date> read_timestamp(std::string_view s, int64_t unit_per_day) {
  const bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  if (const size_t dot = s.find('.'); dot != std::string_view::npos) {
    if (!all_digits(s.substr(dot + 1))) return std::nullopt;
    s = s.substr(0, dot);
  }
  if (!all_digits(s)) return std::nullopt;
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;  // overflow
  if (negative) v = -v;
  // floor division: -1 s is 1969-12-31
  int64_t days = v / unit_per_day;
  if (v % unit_per_day < 0) --days;
  const int64_t lo = first_day().time_since_epoch().count();
  const int64_t hi = last_supported_date().time_since_epoch().count();
  if (days < lo || days > hi) return std::nullopt;
  return Date{std::chrono::days{days}};
}

// "YYYY-MM" (a monthly file's dates, as pandas reads them): the first day of that month.
std::optional<Date> read_year_month(std::string_view s) {
  if (s.size() != 7 || s[4] != '-' || !all_digits(s.substr(0, 4)) || !all_digits(s.substr(5)))
    return std::nullopt;
  const int y = std::stoi(std::string(s.substr(0, 4)));
  const unsigned m = static_cast<unsigned>(std::stoi(std::string(s.substr(5))));
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{1}};
  if (!ymd.ok() || ymd.year() < kFirstYear) return std::nullopt;
  return Date{ymd};
}

constexpr int64_t kSecondsPerDay = 86'400;

// One strftime code at spec[i] == '%': the conversion character (after an optional width and
// E/O modifier) and where the code ends.
struct Code {
  char c = 0;
  size_t end = 0;
};

std::optional<Code> code_at(std::string_view spec, size_t i) {
  size_t j = i + 1;
  while (j < spec.size() && std::isdigit(static_cast<unsigned char>(spec[j]))) ++j;
  if (j < spec.size() && (spec[j] == 'E' || spec[j] == 'O')) ++j;
  if (j >= spec.size()) return std::nullopt;
  return Code{spec[j], j + 1};
}

bool is_time_code(char c) {
  return std::string_view("HIMSTRprXzZ").find(c) != std::string_view::npos;
}

// Which parts of a day the codes name.
struct Named {
  bool year = false, month = false, day = false, day_of_year = false;
};

Named named_parts(std::string_view spec) {
  Named n;
  for (size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] != '%') continue;
    const auto code = code_at(spec, i);
    if (!code) break;
    switch (code->c) {
      case 'Y':
      case 'y':
      case 'G':
        n.year = true;
        break;
      case 'm':
      case 'b':
      case 'B':
      case 'h':
        n.month = true;
        break;
      case 'd':
      case 'e':
        n.day = true;
        break;
      case 'j':
        n.day_of_year = true;
        break;
      case 'F':
      case 'D':
      case 'x':
        n.year = n.month = n.day = true;
        break;
      default:
        break;
    }
    i = code->end - 1;
  }
  return n;
}

// The time of day after the date: the codes H I M S T R p r X z Z, literal characters, and
// spaces (any run of white space, also none). Read here rather than by date::parse (see the
// header). Returns false unless `text` is matched whole. What it read goes to a Clock: the time
// of day, to convert a date with a UTC offset (%z) to the UTC day.
struct Clock {
  int hour = 0;  // %H, or %I (1..12) until %p says am or pm
  int minute = 0;
  int second = 0;
  bool twelve = false;        // the hour came from %I
  int pm = -1;                // %p: 0 am, 1 pm, -1 not given
  std::optional<int> offset;  // %z: seconds east of UTC

  int seconds_of_day() const {
    int h = hour;
    if (twelve && pm >= 0) h = hour % 12 + (pm == 1 ? 12 : 0);
    return h * 3600 + minute * 60 + second;
  }
};

bool scan_number(std::string_view text, size_t& pos, int max_digits, int lo, int hi,
                 int* out = nullptr) {
  size_t i = pos;
  int v = 0;
  while (i < text.size() && static_cast<int>(i - pos) < max_digits &&
         std::isdigit(static_cast<unsigned char>(text[i])))
    v = v * 10 + (text[i++] - '0');
  if (i == pos || v < lo || v > hi) return false;
  pos = i;
  if (out) *out = v;
  return true;
}

bool match_time(std::string_view fmt, std::string_view text, size_t& pos, Clock& clock);

bool match_time_code(char c, std::string_view text, size_t& pos, Clock& clock) {
  auto lit = [&](char ch) {
    if (pos >= text.size() || text[pos] != ch) return false;
    ++pos;
    return true;
  };
  switch (c) {
    case 'H':
      clock.twelve = false;
      return scan_number(text, pos, 2, 0, 23, &clock.hour);
    case 'I':
      clock.twelve = true;
      return scan_number(text, pos, 2, 1, 12, &clock.hour);
    case 'M':
      return scan_number(text, pos, 2, 0, 59, &clock.minute);
    case 'S':
      if (!scan_number(text, pos, 2, 0, 60, &clock.second)) return false;
      if (pos < text.size() && text[pos] == '.') {  // a fraction
        size_t i = pos + 1;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
        if (i == pos + 1) return false;
        pos = i;
      }
      return true;
    case 'T':
    case 'X':
      return match_time("%H:%M:%S", text, pos, clock);
    case 'R':
      return match_time("%H:%M", text, pos, clock);
    case 'r':
      return match_time("%I:%M:%S %p", text, pos, clock);
    case 'p': {
      if (pos + 2 > text.size()) return false;
      const char a = static_cast<char>(std::toupper(static_cast<unsigned char>(text[pos])));
      const char m = static_cast<char>(std::toupper(static_cast<unsigned char>(text[pos + 1])));
      if ((a != 'A' && a != 'P') || m != 'M') return false;
      clock.pm = a == 'P' ? 1 : 0;
      pos += 2;
      return true;
    }
    case 'z': {  // Z, +hh:mm, +hhmm or +hh (date.hpp)
      int seconds = 0;
      if (!scan_utc_offset(text, pos, seconds)) return false;
      clock.offset = seconds;
      return true;
    }
    case 'Z': {  // a zone name: letters, digits, '/', '_', '+', '-' (not converted: see header)
      const size_t from = pos;
      while (pos < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[pos])) ||
              std::string_view("/_+-").find(text[pos]) != std::string_view::npos))
        ++pos;
      return pos > from;
    }
    case '%':
      return lit('%');
    default:
      return false;
  }
}

bool match_time(std::string_view fmt, std::string_view text, size_t& pos, Clock& clock) {
  for (size_t i = 0; i < fmt.size(); ++i) {
    const char f = fmt[i];
    if (std::isspace(static_cast<unsigned char>(f))) {
      while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos]))) ++pos;
    } else if (f == '%') {
      const auto code = code_at(fmt, i);
      if (!code || !match_time_code(code->c, text, pos, clock)) return false;
      i = code->end - 1;
    } else {
      if (pos >= text.size() || text[pos] != f) return false;
      ++pos;
    }
  }
  return true;
}

// date::parse of the date codes, then match_time on the rest: the whole text, or nullopt.
std::optional<Date> read_codes(std::string_view text, const std::string& date_codes,
                               const std::string& time_codes) {
  std::istringstream in{std::string(text)};
  in.imbue(std::locale::classic());
  date::year_month_day ymd{};
  date::from_stream(in, date_codes.c_str(), ymd);
  if (in.fail()) return std::nullopt;
  std::string rest;
  if (!in.eof()) rest.assign(std::istreambuf_iterator<char>(in), {});
  size_t pos = 0;
  Clock clock;
  if (!match_time(time_codes, rest, pos, clock)) return std::nullopt;
  while (pos < rest.size() && std::isspace(static_cast<unsigned char>(rest[pos]))) ++pos;
  if (pos != rest.size()) return std::nullopt;  // text left over
  if (!ymd.ok()) return std::nullopt;
  const Date day{date::sys_days(ymd).time_since_epoch()};
  if (day < first_day() || day > last_supported_date()) return std::nullopt;
  // with a UTC offset: the UTC day of that instant (date.hpp)
  if (clock.offset) return utc_day(day, clock.seconds_of_day(), *clock.offset);
  return day;
}

// A spec's date codes and its time codes (from the first time code on).
std::pair<std::string, std::string> split_codes(std::string_view spec) {
  for (size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] != '%') continue;
    const auto code = code_at(spec, i);
    if (!code) break;
    if (is_time_code(code->c)) return {std::string(spec.substr(0, i)), std::string(spec.substr(i))};
    i = code->end - 1;
  }
  return {std::string(spec), ""};
}

}  // namespace

DateFormat DateFormat::from_spec(std::string_view spec, std::string_view what) {
  const std::string s(trimmed_date_cell(spec));
  if (s.empty() || s == "auto") return automatic();
  if (s == "unix" || s == "unix-s") return DateFormat(Kind::unix_seconds, s);
  if (s == "unix-ms") return DateFormat(Kind::unix_millis, s);
  const auto fail = [&](const std::string& why) {
    return Error(std::string(what) + ": " + why + ", got '" + printable(s) + "'");
  };
  if (s.find("%c") != std::string::npos)
    throw fail("expected the codes %c stands for written out (e.g. '%a %b %d %H:%M:%S %Y')");
  const Named n = named_parts(s);
  if (!n.year || !(n.day_of_year || (n.month && n.day)))
    throw fail(
        "expected strftime codes naming a year, a month and a day (e.g. '%b %d %Y' for 'Jan 1 "
        "2000', '%d/%m/%Y'), 'unix' or 'unix-ms'");
  auto [date_codes, time_codes] = split_codes(s);
  if (named_parts(time_codes).year || named_parts(time_codes).month ||
      named_parts(time_codes).day || named_parts(time_codes).day_of_year)
    throw fail("expected the time of day after the date (codes such as %H:%M after %Y-%m-%d)");
  DateFormat f(Kind::codes, s);
  f.date_codes_ = std::move(date_codes);
  f.time_codes_ = std::move(time_codes);
  return f;
}

std::optional<Date> DateFormat::read(std::string_view text) const {
  const std::string_view t = trimmed_date_cell(text);
  switch (kind_) {
    case Kind::automatic: {
      if (auto d = try_parse_date(t)) return d;
      if (auto d = read_year_month(t)) return d;
      if (all_digits(t) && (t.size() == 9 || t.size() == 10))
        return read_timestamp(t, kSecondsPerDay);
      if (all_digits(t) && (t.size() == 12 || t.size() == 13))
        return read_timestamp(t, kSecondsPerDay * 1000);
      return std::nullopt;
    }
    case Kind::unix_seconds:
      return read_timestamp(t, kSecondsPerDay);
    case Kind::unix_millis:
      return read_timestamp(t, kSecondsPerDay * 1000);
    case Kind::codes:
      return read_codes(t, date_codes_, time_codes_);
  }
  return std::nullopt;
}

std::string DateFormat::expected() const {
  switch (kind_) {
    case Kind::unix_seconds:
      return "a Unix timestamp in seconds";
    case Kind::unix_millis:
      return "a Unix timestamp in milliseconds";
    case Kind::codes:
      return "a date like '" + printable(spec_) + "'";
    default:
      return "a date YYYY-MM-DD";
  }
}

std::string suggest_date_format(std::string_view text, std::string_view setting) {
  const std::string name(setting);
  const std::string_view t = trimmed_date_cell(text);
  if (t.empty()) return "";
  auto reads = [&](const char* codes) { return read_codes(t, codes, "").has_value(); };
  for (const char* codes :
       {"%b %d %Y", "%b %d, %Y", "%d %b %Y", "%a, %d %b %Y", "%Y/%m/%d", "%d.%m.%Y", "%Y%m%d"})
    if (reads(codes)) return name + "'" + codes + "'";
  // day and month orders that both read: name both
  for (auto [first, second] : {std::pair{"%m/%d/%Y", "%d/%m/%Y"}, std::pair{"%m-%d-%Y", "%d-%m-%Y"},
                               std::pair{"%m/%d/%y", "%d/%m/%y"}}) {
    const bool a = reads(first), b = reads(second);
    if (a && b) return name + "'" + first + "' (or '" + second + "' if the day comes first)";
    if (a) return name + "'" + first + "'";
    if (b) return name + "'" + second + "'";
  }
  return "";
}

}  // namespace bnlstm
