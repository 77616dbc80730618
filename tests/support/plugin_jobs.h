// plugin_jobs.h: the job that tests/support/plugin_jobs.cpp builds into a
// plugin (libtaskmill_test_plugin.so) for taskmill-worker --jobs.
#pragma once

#include <cstdint>

#include "taskmill/job.h"

namespace taskmill::testing {

extern const Job<std::int64_t, std::int64_t> plugin_cube;  // "plugin.cube": x * x * x

}  // namespace taskmill::testing
