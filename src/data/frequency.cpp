#include "bnlstm/data/frequency.hpp"

#include <algorithm>
#include <cctype>

#include "bnlstm/core/error.hpp"

namespace bnlstm {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_weekend(Date d) {
  const std::chrono::weekday wd{d};
  return wd == std::chrono::Saturday || wd == std::chrono::Sunday;
}

bool is_month_end(const std::chrono::year_month_day& ymd) {
  return ymd.day() == (ymd.year() / ymd.month() / std::chrono::last).day();
}

// `months` months after `from`, clamped to the month's length; a month end stays a month end.
Date add_months(Date from, int months, bool month_end) {
  using namespace std::chrono;
  const year_month_day ymd{from};
  const year_month ym = year_month{ymd.year(), ymd.month()} + std::chrono::months{months};
  const day last = (ym.year() / ym.month() / std::chrono::last).day();
  const day d = month_end ? last : std::min(ymd.day(), last);
  return Date{ym.year() / ym.month() / d};
}

}  // namespace

std::optional<Frequency> parse_frequency(std::string_view name) {
  const std::string n = lower(name);
  if (n == "business" || n == "b" || n == "bday" || n == "business day" || n == "business days")
    return Frequency::business_day;
  if (n == "day" || n == "d" || n == "daily" || n == "days") return Frequency::day;
  if (n == "week" || n == "w" || n == "weekly" || n == "weeks") return Frequency::week;
  if (n == "month" || n == "m" || n == "ms" || n == "me" || n == "monthly" || n == "months")
    return Frequency::month;
  if (n == "quarter" || n == "q" || n == "qs" || n == "qe" || n == "quarterly" || n == "quarters")
    return Frequency::quarter;
  if (n == "year" || n == "y" || n == "a" || n == "ys" || n == "ye" || n == "yearly" ||
      n == "annual" || n == "years")
    return Frequency::year;
  return std::nullopt;
}

std::string_view frequency_name(Frequency f) {
  switch (f) {
    case Frequency::business_day:
      return "business";
    case Frequency::day:
      return "day";
    case Frequency::week:
      return "week";
    case Frequency::month:
      return "month";
    case Frequency::quarter:
      return "quarter";
    case Frequency::year:
      return "year";
  }
  return "day";
}

std::string_view period_name(Frequency f) {
  return f == Frequency::business_day ? "business day" : frequency_name(f);
}

std::string_view frequency_adjective(Frequency f) {
  switch (f) {
    case Frequency::business_day:
      return "business days";
    case Frequency::day:
      return "daily";
    case Frequency::week:
      return "weekly";
    case Frequency::month:
      return "monthly";
    case Frequency::quarter:
      return "quarterly";
    case Frequency::year:
      return "yearly";
  }
  return "daily";
}

Index median_gap_days(const std::vector<Date>& dates) {
  if (dates.size() < 2) return 0;
  std::vector<Index> gaps(dates.size() - 1);
  for (size_t i = 1; i < dates.size(); ++i) gaps[i - 1] = (dates[i] - dates[i - 1]).count();
  auto mid = gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2);
  std::nth_element(gaps.begin(), mid, gaps.end());
  return *mid;
}

std::optional<Frequency> infer_frequency(const std::vector<Date>& dates) {
  if (dates.size() < 2) return std::nullopt;
  const Index gap = median_gap_days(dates);
  if (gap == 1) {
    // a few weekend rows (a data error, a special session) do not make a calendar-day series
    const auto weekend =
        static_cast<double>(std::count_if(dates.begin(), dates.end(), is_weekend));
    return weekend <= 0.01 * static_cast<double>(dates.size()) ? Frequency::business_day
                                                                : Frequency::day;
  }
  if (gap >= 6 && gap <= 8) return Frequency::week;
  if (gap >= 28 && gap <= 31) return Frequency::month;
  if (gap >= 89 && gap <= 92) return Frequency::quarter;
  if (gap >= 365 && gap <= 366) return Frequency::year;
  return std::nullopt;
}

std::vector<Date> next_dates(Date last, Frequency f, Index n) {
  std::vector<Date> out;
  out.reserve(static_cast<size_t>(std::max<Index>(n, 0)));
  const bool month_end = is_month_end(std::chrono::year_month_day{last});
  Date d = last;
  for (Index k = 1; k <= n; ++k) {
    // the step is checked before it is taken: a date past 9999 would not be a valid day
    const Date limit = last_supported_date();
    auto beyond = [&] {
      return Error("forecasts for " + std::to_string(n) + " " + std::string(period_name(f)) +
                   (n == 1 ? "" : "s") + " after " + format_date(last) + " would fall beyond " +
                   format_date(limit) + ", the last date supported");
    };
    switch (f) {
      case Frequency::business_day:
        do {
          if (d >= limit) throw beyond();
          d += std::chrono::days{1};
        } while (is_weekend(d));
        break;
      case Frequency::day:
      case Frequency::week: {
        const Index step = f == Frequency::day ? 1 : 7;
        if ((limit - d).count() < step) throw beyond();
        d += std::chrono::days{step};
        break;
      }
      case Frequency::month:
      case Frequency::quarter:
      case Frequency::year: {
        const int per = f == Frequency::month ? 1 : f == Frequency::quarter ? 3 : 12;
        const std::chrono::year_month_day ymd{last};
        const long months = static_cast<long>(per) * static_cast<long>(k);
        const long last_month = static_cast<long>(static_cast<int>(ymd.year())) * 12 +
                                static_cast<long>(static_cast<unsigned>(ymd.month())) - 1;
        if (last_month + months > static_cast<long>(static_cast<int>(kLastYear)) * 12 + 11)
          throw beyond();
        d = add_months(last, static_cast<int>(months), month_end);
        break;
      }
    }
    out.push_back(d);
  }
  return out;
}

}  // namespace bnlstm
