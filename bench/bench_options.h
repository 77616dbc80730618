// bench_options.h: the options every simple benchmark program takes.
//   --quick      one repetition per figure instead of the median of 3
//   --json FILE  also write the figures as JSON
#pragma once

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <optional>
#include <string>

struct BenchOptions {
  int runs = 3;
  std::optional<std::string> json_path;
};

// Parses argv; prints usage and exits on a bad option.
inline BenchOptions parse_bench_options(int argc, char** argv, const std::string& what) {
  CLI::App app{what};
  bool quick = false;
  std::string json;
  app.add_flag("--quick", quick, "one repetition per figure instead of the median of 3");
  app.add_option("--json", json, "also write the figures to this JSON file");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  BenchOptions options;
  options.runs = quick ? 1 : 3;
  if (!json.empty()) options.json_path = json;
  return options;
}
