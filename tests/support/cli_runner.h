// cli_runner.h: run the real taskmill binary as a user would and collect what
// it printed and its exit status.
//
//   CliRun r = taskmill_cli({"--coordinator", address, "stats"});
//   CHECK(r.status == 0);
#pragma once

#include <string>
#include <vector>

#include "support/child_process.h"

namespace taskmill::testing {

struct CliRun {
  int status;
  std::string out;
  std::string err;
};

// Runs `taskmill ARGS...` with `input` on its stdin, to the end.
inline CliRun taskmill_cli(const std::vector<std::string>& args, const std::string& input = "") {
  ChildProcess cli(TASKMILL_CLI_BIN, args, {.err = ChildProcess::Output::kPipe, .input = input});
  // Read stdout to the end first: a full stderr pipe could stall the child
  // only past 64 KiB of errors, which no test produces.
  std::string out = cli.read_rest();
  std::string err = cli.read_err_rest();
  return {cli.wait(), std::move(out), std::move(err)};
}

}  // namespace taskmill::testing
