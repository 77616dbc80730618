// taskmill-test-worker: taskmill-worker with the test suite's jobs linked in,
// for the service deployments the tests start.
#include "taskmill/worker/cli.h"

int main(int argc, char** argv) { return taskmill::worker::run_cli(argc, argv); }
