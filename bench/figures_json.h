// figures_json.h: the "pools" and "passes" members of a benchmark program's
// JSON (report.py reads both): each figure as the median of its passes, and
// every pass, so that the report can show where they spread.
#pragma once

#include <cstddef>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "median.h"

// Figure key (as in report.py's rows) -> one value per pass.
using Samples = std::map<std::string, std::vector<double>>;

// Writes `"pools": {...},\n  "passes": {...}` for `pools` (JSON name,
// samples), in that order, at the indentation of a top-level member.
inline void write_pools_and_passes(std::ostream& out,
                                   const std::vector<std::pair<std::string, const Samples*>>& pools) {
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
  write_member("pools", [&](const std::vector<double>& values) { out << median(values); });
  out << ",\n  ";
  write_member("passes", [&](const std::vector<double>& values) {
    out << '[';
    for (std::size_t i = 0; i < values.size(); ++i) out << (i ? ", " : "") << values[i];
    out << ']';
  });
}
