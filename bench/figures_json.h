// figures_json.h: a benchmark program's JSON, which report.py reads: "runs"
// (and "workers" where given), then each pool's figures under "pools" as the
// median of their passes, and every pass under "passes", so that the report
// can show where they spread.
#pragma once

#include <cmath>
#include <cstddef>
#include <fstream>
#include <iomanip>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "median.h"

// Figure key (as in report.py's rows) -> one value per pass.
using Samples = std::map<std::string, std::vector<double>>;
// Pool name (as in report.py) -> its figures.
using Pools = std::map<std::string, Samples>;

// Writes `path`; false if it could not. Values keep every digit, since
// report.py judges the targets on them (0.98951 rounded to 0.990 would meet a
// bound of 0.99); one that is not a number, or a figure with no pass, is null.
// `workers` 0: not written.
inline bool write_figures_json(const std::string& path, int runs, const Pools& pools, int workers = 0) {
  std::ofstream out(path);
  out << std::setprecision(std::numeric_limits<double>::max_digits10) << "{\n";
  if (workers > 0) out << "  \"workers\": " << workers << ",\n";
  out << "  \"runs\": " << runs << ",\n";
  auto number = [&](double v) {
    if (std::isfinite(v)) {
      out << v;
    } else {
      out << "null";
    }
  };
  auto write_member = [&](const char* member, auto write_value) {
    out << "  \"" << member << "\": {";
    const char* pool_comma = "\n";
    for (const auto& [name, samples] : pools) {
      out << pool_comma << "    \"" << name << "\": {";
      pool_comma = ",\n";
      const char* comma = "";
      for (const auto& [key, values] : samples) {
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
  out << ",\n";
  write_member("passes", [&](const std::vector<double>& values) {
    out << '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i) out << ", ";
      number(values[i]);
    }
    out << ']';
  });
  out << "\n}\n";
  return static_cast<bool>(out);
}
