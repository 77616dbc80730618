// child_process.h: a program a test starts, its output read back and its end
// awaited.
//
//   ChildProcess cli(TASKMILL_CLI_BIN, {"stats"}, {.err = Output::kPipe});
//   std::string line;
//   while (cli.read_line(line)) ...
//   CHECK(cli.wait() == 0);  // its exit code, or 128+N after signal N
//
// One still running when destroyed is killed with SIGKILL. It is posix_spawn
// underneath, not Boost.Process (the tests used it before): Boost.Process's
// headers took 6 s of the 8 s that a test file took to compile.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace taskmill::testing {

class ChildProcess {
 public:
  enum class Output {
    kInherit,  // the test's own stdout or stderr
    kNull,     // thrown away
    kPipe,     // read back with read_line / read_err_line / read_rest
  };
  struct Options {
    Output out = Output::kPipe;
    Output err = Output::kInherit;
    std::string out_file;  // when set, stdout goes to this file instead
    std::string err_file;  // when set, stderr goes to this file instead
    std::string input;     // written to stdin, which is then closed
  };

  // `program` is a path, or a name looked up on PATH.
  ChildProcess(const std::string& program, const std::vector<std::string>& args) : ChildProcess(program, args, {}) {}
  ChildProcess(const std::string& program, const std::vector<std::string>& args, const Options& options);
  ChildProcess(ChildProcess&&) noexcept;
  ChildProcess& operator=(ChildProcess&&) noexcept;
  ~ChildProcess();

  int pid() const;
  bool running();
  void kill(int signal);
  // Waits for it to end: its exit code, or 128+N after signal N.
  int wait();

  // The next line it wrote to a piped stdout (or stderr); false at the end.
  bool read_line(std::string& line);
  bool read_err_line(std::string& line);
  // All that is left of a piped stdout (or stderr), to its end.
  std::string read_rest();
  std::string read_err_rest();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace taskmill::testing
