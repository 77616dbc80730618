// taskmill-worker: a worker process for a taskmill coordinator, with the
// sample jobs built in and more loaded from plugins (--jobs).
#include "taskmill/worker/cli.h"

int main(int argc, char** argv) { return taskmill::worker::run_cli(argc, argv); }
