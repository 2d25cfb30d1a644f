#include "bnlstm/data/csv.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "bnlstm/core/error.hpp"
#include "bnlstm/core/printable.hpp"

namespace bnlstm {

namespace {

// Walks the text record by record; a record ends at a newline outside quotes.
class RecordReader {
 public:
  explicit RecordReader(std::string_view text) : text_(text) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);  // UTF-8 BOM
  }

  // record: without its line end (LF or CRLF); line: 1-based line where it starts.
  // Throws bnlstm::Error "<source>:<line>: ..." when a quote opened in the record is never
  // closed: the rest of the file would otherwise be swallowed as one bad row.
  bool next(std::string_view& record, Index& line, const std::string& source) {
    if (pos_ >= text_.size()) return false;
    line = line_;
    bool quoted = false;
    size_t i = pos_;
    for (; i < text_.size(); ++i) {
      const char c = text_[i];
      if (c == '"') quoted = !quoted;
      if (c == '\n') {
        ++line_;
        if (!quoted) break;
      }
    }
    if (quoted)
      throw Error(source + ":" + std::to_string(line) +
                  ": a quoted field opened on this line is never closed (expected a closing \")");
    record = text_.substr(pos_, i - pos_);
    if (!record.empty() && record.back() == '\r') record.remove_suffix(1);
    pos_ = i + 1;
    return true;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  Index line_ = 1;
};

// 0.1 -> "10%"
std::string percent(double share) {
  std::ostringstream out;
  out << share * 100 << "%";
  return out.str();
}

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
}

bool is_missing_marker(std::string_view s) {
  for (std::string_view m : {"null", "nan", "na", "n/a", "none"}) {
    if (s.size() == m.size() && std::equal(s.begin(), s.end(), m.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        }))
      return true;
  }
  return false;
}

enum class Cell { ok, missing, non_numeric };

// Parses a finite number filling the whole (trimmed) field.
Cell parse_number(std::string_view field, double& out) {
  std::string_view s = trim_field(field);
  if (s.empty() || is_missing_marker(s)) return Cell::missing;
  std::string_view digits = s;
  if (digits.front() == '+') digits.remove_prefix(1);
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (ec != std::errc() || end != digits.data() + digits.size() || !std::isfinite(out))
    return Cell::non_numeric;
  return Cell::ok;
}

Index resolve_column(const std::vector<std::string>& names, std::string_view wanted,
                     std::string_view source, std::string_view role) {
  if (auto c = find_column(names, wanted)) return *c;
  throw Error(std::string(source) + ": no " + std::string(role) + " column '" + printable(wanted) +
              "' (available: " + list_columns(names) + ")");
}

Index default_date_column(const std::vector<std::string>& names, std::string_view source) {
  for (std::string_view name : {"date", "timestamp", "time", "datetime", "day"})
    if (auto c = find_column(names, name)) return *c;
  if (!names.empty() && names[0].empty()) return 0;  // Alpha Vantage style unnamed first column
  throw Error(std::string(source) +
              ": no date column (looked for date, timestamp, time, datetime, day; " +
              "available: " + list_columns(names) + "); name the date column explicitly");
}

Index default_value_column(const std::vector<std::string>& names, std::string_view source) {
  for (std::string_view name : {"close", "4. close", "adj close", "adjclose", "price", "value"})
    if (auto c = find_column(names, name)) return *c;
  throw Error(
      std::string(source) + ": no default target column (looked for close, adj close, price, " +
      "value; available: " + list_columns(names) + "); name the value column(s) explicitly");
}

// "'A', 'B', 'C'", at most `shown` of them, then "... (N in all)".
std::string list_values(const std::vector<std::string>& values, size_t shown = 8) {
  std::string out;
  for (size_t i = 0; i < values.size() && i < shown; ++i)
    out += (i == 0 ? "" : ", ") + printable(values[i]);
  if (values.size() > shown) out += ", ... (" + std::to_string(values.size()) + " in all)";
  return out;
}

// Distinct values of column `col` over the data rows (rows with the header's field count), in
// file order.
std::vector<std::string> distinct_values(std::string_view text, const std::string& src,
                                         size_t fields_per_row, Index col) {
  RecordReader reader(text);
  std::string_view record;
  Index line = 0;
  bool header = true;
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  while (reader.next(record, line, src)) {
    if (is_blank(record)) continue;
    if (header) {
      header = false;
      continue;
    }
    const std::vector<std::string> f = split_csv_record(record);
    if (f.size() != fields_per_row) continue;
    std::string v(trim_field(f[static_cast<size_t>(col)]));
    if (seen.insert(v).second) out.push_back(std::move(v));
  }
  return out;
}

}  // namespace

std::vector<std::string> split_csv_record(std::string_view record) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < record.size(); ++i) {
    const char c = record[i];
    if (quoted) {
      if (c == '"' && i + 1 < record.size() && record[i + 1] == '"') {
        fields.back() += '"';  // "" inside quotes is one quote
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

std::string LoadReport::summary() const {
  std::ostringstream out;
  out << source;
  if (!series_column.empty()) out << " (" << printable(series_column) << " = " << printable(series) << ")";
  out << ": " << kept << (kept == 1 ? " row" : " rows");
  if (kept > 0) out << " " << format_date(first_date) << ".." << format_date(last_date);
  if (frequency)
    out << ", " << frequency_adjective(*frequency);
  else if (kept > 1)
    out << ", irregular dates (median gap " << median_gap << " days)";
  std::vector<std::string> notes;
  if (outside_range > 0) notes.push_back(std::to_string(outside_range) + " outside the date range");
  if (other_series > 0) {
    const size_t others = all_series.empty() ? 0 : all_series.size() - 1;
    notes.push_back(std::to_string(other_series) + " rows of " + std::to_string(others) +
                    " other series");
  }
  for (size_t i = 0; i < notes.size(); ++i) out << (i == 0 ? " (" : "; ") << notes[i];
  if (!notes.empty()) out << ")";
  if (skipped() == 0) return out.str();
  out << "; skipped " << skipped() << " bad " << (skipped() == 1 ? "row" : "rows") << ":";
  const char* sep = " ";
  auto part = [&](Index n, const char* one, const char* many) {
    if (n == 0) return;
    out << sep << n << " " << (n == 1 ? one : many);
    sep = ", ";
  };
  part(missing_value, "missing value", "missing values");
  part(non_numeric, "non-numeric value", "non-numeric values");
  part(bad_date, "bad date", "bad dates");
  part(duplicate_date, "duplicate date", "duplicate dates");
  part(malformed, "malformed row", "malformed rows");
  return out.str();
}

Series parse_csv(std::string_view text, std::string_view source, const CsvOptions& options,
                 LoadReport* report) {
  const std::string src(source);
  if (options.start && options.end && *options.start > *options.end)
    throw Error(src + ": date range start " + format_date(*options.start) + " is after end " +
                format_date(*options.end));
  LoadReport local;
  LoadReport& rep = report ? *report : local;
  rep = LoadReport{};
  rep.source = src;

  // header
  RecordReader reader(text);
  std::string_view record;
  Index line = 0;
  bool have_header = false;
  while (reader.next(record, line, src))
    if (!is_blank(record)) {
      have_header = true;
      break;
    }
  if (!have_header)
    throw Error(src + ": the file is empty (expected a header line such as Date,Close)");
  std::vector<std::string> names = split_csv_record(record);
  for (auto& n : names) n = std::string(trim_field(n));

  // columns
  const Index date_col = options.date_column.empty()
                             ? default_date_column(names, src)
                             : resolve_column(names, options.date_column, src, "date");
  std::vector<Index> value_cols;
  if (options.value_columns.empty()) {
    value_cols.push_back(default_value_column(names, src));
  } else {
    for (const auto& v : options.value_columns)
      value_cols.push_back(resolve_column(names, v, src, "value"));
  }
  const Index C = static_cast<Index>(value_cols.size());
  std::optional<Index> series_col;  // long format
  if (!options.series_column.empty()) {
    series_col = resolve_column(names, options.series_column, src, "series");
    rep.series_column = names[static_cast<size_t>(*series_col)];
    rep.series = options.series;
  } else if (!options.series.empty()) {
    throw Error(src + ": series '" + printable(options.series) +
                "' named without the column that holds the series names");
  }
  std::unordered_set<std::string> seen_series;

  // rows
  struct Row {
    Date date;
    Index line;
    std::string_view record;
  };
  struct Repeat {  // the first row whose date was already kept
    Index line = 0, first_line = 0;
    Date date{};
    std::string_view record, first_record;
  };
  std::optional<Repeat> first_repeat;
  bool date_hint_tried = false;
  std::vector<Row> rows;
  std::vector<double> values;  // (rows, C) in file order
  std::vector<double> row_values(C);
  std::unordered_map<int64_t, size_t> row_of_date;
  std::optional<Date> min_date, max_date;  // of all parsed dates, for the empty-range message
  auto bad = [&](Index& counter, const std::string& what) {
    const std::string message = src + ":" + std::to_string(line) + ": " + what;
    if (options.strict) throw Error(message);
    ++counter;
    rep.warnings.push_back(message);
  };

  while (reader.next(record, line, src)) {
    if (is_blank(record)) continue;
    ++rep.data_lines;
    const std::vector<std::string> fields = split_csv_record(record);
    if (fields.size() != names.size()) {
      bad(rep.malformed, "expected " + std::to_string(names.size()) +
                             " fields as in the header, got " + std::to_string(fields.size()));
      continue;
    }
    if (series_col) {
      std::string name(trim_field(fields[static_cast<size_t>(*series_col)]));
      const bool selected = !options.series.empty() && name == options.series;
      if (seen_series.insert(name).second) rep.all_series.push_back(std::move(name));
      if (!selected) {
        ++rep.other_series;
        continue;
      }
    }
    const std::string& date_text = fields[date_col];
    const std::optional<Date> date = options.date_format.read(date_text);
    if (!date) {
      std::string what = "column '" + printable(names[date_col]) + "': expected " +
                         options.date_format.expected() + ", got '" +
                         printable(trim_field(date_text)) + "'";
      // the first bad date of an automatic read names a --date-format that reads it
      if (options.date_format.is_automatic() && !date_hint_tried) {
        date_hint_tried = true;
        if (const std::string hint = suggest_date_format(date_text, options.date_format_setting);
            !hint.empty())
          what += " (" + hint + " reads it)";
      }
      bad(rep.bad_date, what);
      continue;
    }
    min_date = min_date ? std::min(*min_date, *date) : *date;
    max_date = max_date ? std::max(*max_date, *date) : *date;
    if ((options.start && *date < *options.start) || (options.end && *date > *options.end)) {
      ++rep.outside_range;
      continue;
    }
    bool ok = true;
    for (Index c = 0; c < C && ok; ++c) {
      const std::string& cell = fields[value_cols[c]];
      const Cell kind = parse_number(cell, row_values[c]);
      const std::string col = "column '" + printable(names[value_cols[c]]) + "': ";
      if (kind == Cell::missing) {
        const std::string_view t = trim_field(cell);
        bad(rep.missing_value, col + (t.empty() ? std::string("missing value (empty)")
                                                : "missing value '" + printable(t) + "'"));
        ok = false;
      } else if (kind == Cell::non_numeric) {
        bad(rep.non_numeric, col + "expected a number, got '" + printable(trim_field(cell)) + "'");
        ok = false;
      }
    }
    if (!ok) continue;
    const int64_t key = date->time_since_epoch().count();
    if (auto it = row_of_date.find(key); it != row_of_date.end()) {
      const Row& kept = rows[it->second];
      if (!first_repeat) first_repeat = Repeat{line, kept.line, *date, record, kept.record};
      bad(rep.duplicate_date, "duplicate date " + format_date(*date) + " (kept the row at line " +
                                  std::to_string(kept.line) + ")");
      continue;
    }
    row_of_date.emplace(key, rows.size());
    rows.push_back({*date, line, record});
    values.insert(values.end(), row_values.begin(), row_values.end());
  }

  if (rep.data_lines == 0) throw Error(src + ": no data rows after the header");
  if (series_col && options.series.empty())
    throw SeveralSeriesError(src + ": column '" + printable(rep.series_column) + "' holds " +
                                 std::to_string(rep.all_series.size()) + " series (" +
                                 list_values(rep.all_series) + "); select one",
                             rep.series_column, rep.all_series);
  if (series_col && rep.other_series == rep.data_lines)
    throw Error(src + ": no series '" + printable(options.series) + "' in column '" +
                printable(rep.series_column) + "' (it holds " + list_values(rep.all_series) +
                ")");
  const Index checked = rep.data_lines - rep.outside_range - rep.other_series;

  // rows that repeat their dates: several series in one file (long format), unless one was picked
  if (!series_col && rep.duplicate_date > 0 &&
      static_cast<double>(rep.duplicate_date) > kSeveralSeriesShare * static_cast<double>(checked)) {
    const Repeat& r = *first_repeat;
    const std::string where = fmt::format(
        "{}: {} of {} rows repeat a date (line {}: {}, first at line {})", src, rep.duplicate_date,
        checked, r.line, format_date(r.date), r.first_line);
    // the column telling them apart: not a number, different in two rows of the same date
    const std::vector<std::string> a = split_csv_record(r.record), b = split_csv_record(r.first_record);
    for (size_t c = 0; c < names.size(); ++c) {
      double x = 0;
      const std::string_view va = trim_field(a[c]), vb = trim_field(b[c]);
      if (static_cast<Index>(c) == date_col || va == vb || parse_number(a[c], x) == Cell::ok ||
          parse_number(b[c], x) == Cell::ok)
        continue;
      std::vector<std::string> series =
          distinct_values(text, src, names.size(), static_cast<Index>(c));
      // the message first: the series are moved into the error
      const std::string message = where + ": the file holds several series, told apart by column '" +
                                  printable(names[c]) + "' (" + std::to_string(series.size()) +
                                  " series: " + list_values(series) + "); select one";
      throw SeveralSeriesError(message, names[c], std::move(series));
    }
    throw SeveralSeriesError(where +
                                 ": several rows per day (bnlstm reads one row per date), or "
                                 "several series without a column telling them apart",
                             "", {});
  }
  if (rows.empty()) {
    if (rep.outside_range > 0) {
      const std::string from = options.start ? format_date(*options.start) : "the start";
      const std::string to = options.end ? format_date(*options.end) : "the end";
      throw Error(src + ": no rows between " + from + " and " + to + " (the file covers " +
                  format_date(*min_date) + ".." + format_date(*max_date) + ")");
    }
    throw Error(src + ": no valid rows (" + std::to_string(rep.skipped()) +
                " bad rows; first: " + rep.warnings.front() + ")");
  }

  // a file that is mostly bad is not trained on: a wrong column or format, not a few bad rows
  if (rep.skipped() > 0 &&
      static_cast<double>(rep.skipped()) > options.max_bad_share * static_cast<double>(checked))
    throw Error(src + ": " + std::to_string(rep.skipped()) + " of " + std::to_string(checked) +
                " rows are bad, more than " + percent(options.max_bad_share) +
                " (the first: " + rep.warnings.front() + ")");

  // sort by date: files may be newest first (Alpha Vantage) or unordered
  std::vector<Index> order(rows.size());
  std::iota(order.begin(), order.end(), Index{0});
  std::sort(order.begin(), order.end(),
            [&](Index a, Index b) { return rows[a].date < rows[b].date; });
  Series s;
  s.source = src;
  for (Index c : value_cols) s.columns.push_back(names[c]);
  const Index T = static_cast<Index>(rows.size());
  s.dates.resize(T);
  s.values.resize(T, C);
  for (Index t = 0; t < T; ++t) {
    s.dates[t] = rows[order[t]].date;
    for (Index c = 0; c < C; ++c) s.values(t, c) = values[order[t] * C + c];
  }
  rep.kept = T;
  rep.first_date = s.dates.front();
  rep.last_date = s.dates.back();
  rep.frequency = infer_frequency(s.dates);
  rep.median_gap = median_gap_days(s.dates);
  return s;
}

Series load_csv(const std::filesystem::path& path, const CsvOptions& options, LoadReport* report) {
  const std::string src = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(src + ": no such file");
  if (std::filesystem::is_directory(path, ec))
    throw Error(src + ": is a directory, expected a CSV file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(src + ": cannot open (" + std::strerror(errno) + ")");
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw Error(src + ": read error");
  return parse_csv(content.str(), src, options, report);
}

}  // namespace bnlstm
