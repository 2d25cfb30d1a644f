#pragma once
// How often a series has a row: inferred from its dates, or named by the user (--freq), and
// used wherever a date is made or named: the dates of forecasts after the data, the persistence
// baseline's label ("previous month"), the summary of a loaded file.
//
//   infer_frequency(dates)           median gap between rows (days)
//     1, and (almost) no row on a weekend      business_day   (Monday to Friday)
//     1, with weekend rows                     day
//     6..8                                     week
//     28..31                                   month
//     89..92                                   quarter
//     365..366                                 year
//     anything else                            none (irregular: --freq must name it)
//
//   next_dates(last, frequency, n)   the n dates after `last`:
//     business days skip Saturday and Sunday (no holiday calendar); weeks add 7 days; months,
//     quarters and years keep the day of the month of `last`, clamped to the month's length,
//     except that a month's last day stays the last day (2020-01-31 -> 02-29 -> 03-31).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bnlstm/core/tensor.hpp"
#include "bnlstm/data/date.hpp"

namespace bnlstm {

enum class Frequency { business_day, day, week, month, quarter, year };

// "business" (or "B"), "day" ("D", "daily"), "week" ("W", "weekly"), "month" ("M", "MS",
// "monthly"), "quarter" ("Q", "QS", "quarterly"), "year" ("Y", "A", "yearly", "annual");
// case-insensitive; nullopt otherwise.
std::optional<Frequency> parse_frequency(std::string_view name);
// "business", "day", "week", "month", "quarter", "year": what parse_frequency reads back.
std::string_view frequency_name(Frequency f);
// The step as a noun: "business day", "day", "week", "month", "quarter", "year".
std::string_view period_name(Frequency f);
// The step as an adjective, for summaries: "business days", "daily", "weekly", "monthly", ...
std::string_view frequency_adjective(Frequency f);

// The frequency of strictly increasing dates (see the table above); nullopt for fewer than two
// dates or irregular gaps.
std::optional<Frequency> infer_frequency(const std::vector<Date>& dates);
// The median gap between consecutive dates in days (0 for fewer than two dates): what an
// "irregular" message quotes.
Index median_gap_days(const std::vector<Date>& dates);

// The n >= 0 dates after `last` (see above). Throws bnlstm::Error when one would pass
// 9999-12-31.
std::vector<Date> next_dates(Date last, Frequency f, Index n);

}  // namespace bnlstm
