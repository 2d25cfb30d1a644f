// Frequencies: inference from dates, the dates that follow, names.
#include "bnlstm/data/frequency.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bnlstm/core/error.hpp"
#include "testing/errors.hpp"

namespace bnlstm {
namespace {

using ::testing::ElementsAre;
using testing::error_of;

Date ymd(int y, unsigned m, unsigned d) {
  return std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

const Frequency kAll[] = {Frequency::business_day, Frequency::day,     Frequency::week,
                          Frequency::month,        Frequency::quarter, Frequency::year};

// `count` dates: first, then next_dates after it
std::vector<Date> dates_from(Date first, Frequency f, Index count) {
  std::vector<Date> dates{first};
  for (Date d : next_dates(first, f, count - 1)) dates.push_back(d);
  return dates;
}

TEST(Frequency, InfersEachFrequencyFromItsDates) {
  for (const Frequency f : kAll) {
    EXPECT_EQ(infer_frequency(dates_from(ymd(2021, 1, 4), f, 40)), f) << frequency_name(f);
    EXPECT_EQ(infer_frequency(dates_from(ymd(2000, 1, 31), f, 40)), f) << frequency_name(f);
  }
}

TEST(Frequency, ToleratesHolidaysAndGapsAndReportsIrregularDates) {
  // business days with a holiday and a missing week
  std::vector<Date> b = dates_from(ymd(2021, 1, 4), Frequency::business_day, 60);
  b.erase(b.begin() + 10);
  b.erase(b.begin() + 20, b.begin() + 25);
  EXPECT_EQ(infer_frequency(b), Frequency::business_day);
  // weekend rows make calendar days
  std::vector<Date> d = b;
  d.push_back(ymd(2021, 6, 5));  // a Saturday
  EXPECT_EQ(infer_frequency(d), Frequency::day);
  // monthly at month starts (gaps 28..31), quarterly at quarter ends
  EXPECT_EQ(infer_frequency(dates_from(ymd(2000, 1, 1), Frequency::month, 24)), Frequency::month);
  EXPECT_EQ(infer_frequency(dates_from(ymd(1999, 12, 31), Frequency::quarter, 8)),
            Frequency::quarter);
  // every 14 days: none of the known frequencies
  std::vector<Date> biweekly{ymd(2021, 1, 1)};
  for (int i = 0; i < 10; ++i) biweekly.push_back(biweekly.back() + std::chrono::days{14});
  EXPECT_EQ(infer_frequency(biweekly), std::nullopt);
  EXPECT_EQ(median_gap_days(biweekly), 14);
  EXPECT_EQ(infer_frequency({ymd(2021, 1, 1)}), std::nullopt);
  EXPECT_EQ(median_gap_days({ymd(2021, 1, 1)}), 0);
}

TEST(Frequency, NextDatesFollowTheCalendar) {
  using F = Frequency;
  // business days skip weekends; a weekend date counts from itself
  EXPECT_THAT(next_dates(ymd(2021, 1, 7), F::business_day, 3),
              ElementsAre(ymd(2021, 1, 8), ymd(2021, 1, 11), ymd(2021, 1, 12)));
  EXPECT_THAT(next_dates(ymd(2021, 1, 9), F::business_day, 1), ElementsAre(ymd(2021, 1, 11)));
  EXPECT_THAT(next_dates(ymd(2021, 1, 8), F::day, 2), ElementsAre(ymd(2021, 1, 9), ymd(2021, 1, 10)));
  EXPECT_THAT(next_dates(ymd(2021, 12, 28), F::week, 1), ElementsAre(ymd(2022, 1, 4)));
  EXPECT_TRUE(next_dates(ymd(2021, 1, 8), F::day, 0).empty());
  // months keep the day, clamp it, and keep month ends at month ends
  EXPECT_THAT(next_dates(ymd(2000, 1, 1), F::month, 2), ElementsAre(ymd(2000, 2, 1), ymd(2000, 3, 1)));
  EXPECT_THAT(next_dates(ymd(2020, 1, 30), F::month, 2),
              ElementsAre(ymd(2020, 2, 29), ymd(2020, 3, 30)));
  EXPECT_THAT(next_dates(ymd(2020, 1, 31), F::month, 3),
              ElementsAre(ymd(2020, 2, 29), ymd(2020, 3, 31), ymd(2020, 4, 30)));
  EXPECT_THAT(next_dates(ymd(2019, 11, 15), F::month, 2),
              ElementsAre(ymd(2019, 12, 15), ymd(2020, 1, 15)));
  EXPECT_THAT(next_dates(ymd(2019, 12, 31), F::quarter, 2),
              ElementsAre(ymd(2020, 3, 31), ymd(2020, 6, 30)));
  EXPECT_THAT(next_dates(ymd(2020, 1, 1), F::quarter, 1), ElementsAre(ymd(2020, 4, 1)));
  EXPECT_THAT(next_dates(ymd(2020, 2, 29), F::year, 2),
              ElementsAre(ymd(2021, 2, 28), ymd(2022, 2, 28)));
  // 2020-02-28 is not a month end: its day is kept
  EXPECT_THAT(next_dates(ymd(2019, 2, 28), F::year, 1), ElementsAre(ymd(2020, 2, 29)));
}

TEST(Frequency, NoDateBeyond9999) {
  EXPECT_EQ(error_of([] { next_dates(ymd(9999, 12, 30), Frequency::business_day, 2); }),
            "forecasts for 2 business days after 9999-12-30 would fall beyond 9999-12-31, the "
            "last date supported");
  EXPECT_EQ(error_of([] { next_dates(ymd(9999, 11, 30), Frequency::month, 2); }),
            "forecasts for 2 months after 9999-11-30 would fall beyond 9999-12-31, the last date "
            "supported");
  EXPECT_EQ(error_of([] { next_dates(ymd(9999, 12, 31), Frequency::day, 1); }),
            "forecasts for 1 day after 9999-12-31 would fall beyond 9999-12-31, the last date "
            "supported");
  EXPECT_THAT(next_dates(ymd(9999, 12, 30), Frequency::day, 1), ElementsAre(ymd(9999, 12, 31)));
}

TEST(Frequency, NamesAndAliases) {
  for (const Frequency f : kAll) EXPECT_EQ(parse_frequency(frequency_name(f)), f);
  EXPECT_EQ(parse_frequency("B"), Frequency::business_day);
  EXPECT_EQ(parse_frequency("Daily"), Frequency::day);
  EXPECT_EQ(parse_frequency("MS"), Frequency::month);
  EXPECT_EQ(parse_frequency("q"), Frequency::quarter);
  EXPECT_EQ(parse_frequency("A"), Frequency::year);
  EXPECT_EQ(parse_frequency("hourly"), std::nullopt);
  EXPECT_EQ(period_name(Frequency::business_day), "business day");
  EXPECT_EQ(period_name(Frequency::month), "month");
  EXPECT_EQ(frequency_adjective(Frequency::quarter), "quarterly");
  EXPECT_EQ(frequency_adjective(Frequency::business_day), "business days");
}

}  // namespace
}  // namespace bnlstm
