// figures_json.h: the "pools" and "passes" members of a benchmark program's
// JSON (report.py reads both): each figure as the median of its passes, and
// every pass, so that the report can show where they spread.
#pragma once

#include <cmath>
#include <cstddef>
#include <iomanip>
#include <ios>
#include <limits>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "median.h"

// Figure key (as in report.py's rows) -> one value per pass.
using Samples = std::map<std::string, std::vector<double>>;

// Writes `"pools": {...},\n  "passes": {...}` for `pools` (JSON name,
// samples), in that order, at the indentation of a top-level member. Values
// keep every digit, since report.py judges the targets on them (0.98951
// rounded to 0.990 would meet a bound of 0.99); one that is not a number,
// or a figure with no pass, is null.
inline void write_pools_and_passes(std::ostream& out,
                                   const std::vector<std::pair<std::string, const Samples*>>& pools) {
  out << std::defaultfloat << std::setprecision(std::numeric_limits<double>::max_digits10);
  auto number = [&](double v) {
    if (std::isfinite(v)) {
      out << v;
    } else {
      out << "null";
    }
  };
  auto write_member = [&](const char* member, auto write_value) {
    out << '"' << member << "\": {";
    const char* pool_comma = "\n";
    for (const auto& [name, samples] : pools) {
      out << pool_comma << "    \"" << name << "\": {";
      pool_comma = ",\n";
      const char* comma = "";
      for (const auto& [key, values] : *samples) {
        out << comma << '"' << key << "\": ";
        write_value(values);
        comma = ", ";
      }
      out << '}';
    }
    out << "\n  }";
  };
  write_member("pools", [&](const std::vector<double>& values) {
    if (values.empty()) {
      out << "null";
    } else {
      number(median(values));
    }
  });
  out << ",\n  ";
  write_member("passes", [&](const std::vector<double>& values) {
    out << '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i) out << ", ";
      number(values[i]);
    }
    out << ']';
  });
}
