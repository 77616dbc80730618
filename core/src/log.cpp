#include "taskmill/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace taskmill {

spdlog::logger& logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto log = spdlog::stderr_color_mt("taskmill");
    const char* level = std::getenv("TASKMILL_LOG_LEVEL");
    log->set_level(level != nullptr ? spdlog::level::from_str(level) : spdlog::level::warn);
    return log;
  }();
  return *instance;
}

}  // namespace taskmill
