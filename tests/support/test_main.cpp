// The Catch2 main of every test executable. taskmill::init() comes first: the
// embedded process backend re-executes this program as its workers.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "taskmill/init.h"

int main(int argc, char** argv) {
  taskmill::init(argc, argv);
  return Catch::Session().run(argc, argv);
}
