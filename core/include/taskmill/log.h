// log.h: taskmill's one logger (spdlog), named "taskmill".
//
// Level from TASKMILL_LOG_LEVEL (trace, debug, info, warn, error, off;
// Default: warn). Thread-safe.
#pragma once

namespace spdlog {
class logger;
}

namespace taskmill {

spdlog::logger& logger();

}  // namespace taskmill
