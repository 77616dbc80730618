// init.h: taskmill::init(), the first line of main() in a program that may use
// the process backend.
//
//   int main(int argc, char** argv) {
//     taskmill::init(argc, argv);   // in a worker process, serves jobs and exits here
//     ...
//   }
//
// The embedded process backend starts its workers by running this program
// again (as Python's spawn start method does), so every job the program
// registers is there in the workers. init() is where such a worker turns
// aside: it serves jobs until its coordinator says goodbye, then exits. In
// any other process it returns at once. Creating an Executor does the same
// check, but code that runs before it would then run in every worker too.
#pragma once

namespace taskmill {

void init(int argc, char** argv);

}  // namespace taskmill
