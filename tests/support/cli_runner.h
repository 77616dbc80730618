// cli_runner.h: run the real taskmill binary as a user would and collect what
// it printed and its exit status.
//
//   CliRun r = taskmill_cli({"--coordinator", address, "stats"});
//   CHECK(r.status == 0);
#pragma once

#include <boost/process.hpp>

#include <iterator>
#include <string>
#include <vector>

namespace taskmill::testing {

struct CliRun {
  int status;
  std::string out;
  std::string err;
};

// Runs `taskmill ARGS...` with `input` on its stdin, to the end.
inline CliRun taskmill_cli(const std::vector<std::string>& args, const std::string& input = "") {
  namespace bp = boost::process;
  bp::ipstream out, err;
  bp::opstream in;
  bp::child cli(bp::exe = TASKMILL_CLI_BIN, bp::args = args, bp::std_out > out, bp::std_err > err, bp::std_in < in);
  in << input;
  in.flush();
  in.pipe().close();
  // Read stdout to the end first: a full stderr pipe could stall the child
  // only past 64 KiB of errors, which no test produces.
  std::string o((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  std::string e((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
  cli.wait();
  return {cli.exit_code(), o, e};
}

}  // namespace taskmill::testing
