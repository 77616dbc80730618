// cli.h: the taskmill-worker command line, for programs that are workers.
//
//   int main(int argc, char** argv) { return taskmill::worker::run_cli(argc, argv); }
//
// Options: --coordinator ADDR (required), --slots N, --jobs PLUGIN.so...
// Serves until SIGINT/SIGTERM; returns the process exit status.
#pragma once

namespace taskmill::worker {

int run_cli(int argc, char** argv);

}  // namespace taskmill::worker
