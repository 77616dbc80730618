// A job plugin: a shared library that taskmill-worker loads with --jobs. Its
// Job objects register themselves when the library is loaded.
#include "support/plugin_jobs.h"

namespace taskmill::testing {

const Job<std::int64_t, std::int64_t> plugin_cube{
    "plugin.cube", [](const std::int64_t& x, JobContext&) -> std::int64_t { return x * x * x; }};

}  // namespace taskmill::testing
