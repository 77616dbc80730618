#include "cli.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace taskmill::cli {

Config client_config(const Globals& globals, const char* command, bool need_service) {
  Config config;
  if (!globals.config_file.empty()) config = Config::load_file(globals.config_file);
  config.backend = BackendKind::kProcess;
  if (!globals.coordinator.empty()) {
    config.coordinator = globals.coordinator;
  } else if (const char* env = std::getenv("TASKMILL_COORDINATOR"); env != nullptr && *env != '\0' &&
                                                                    globals.config_file.empty()) {
    config.coordinator = env;
  }
  if (globals.jobs > 0) config.workers = static_cast<std::size_t>(globals.jobs);
  if (need_service && config.coordinator.empty()) {
    throw UsageError(std::string("'") + command +
                     "' asks a running coordinator: give --coordinator ADDR, set TASKMILL_COORDINATOR, or --config "
                     "with coordinator = \"ADDR\"");
  }
  return config;
}

v1::JobSpec job_spec(const std::string& job, std::string payload, const JobOptions& options, const Config& config) {
  v1::JobSpec spec;
  spec.set_job(job);
  spec.set_payload(std::move(payload));
  spec.set_priority(options.priority);
  if (options.timeout_s > 0) spec.set_timeout_ms(static_cast<std::uint64_t>(std::ceil(options.timeout_s * 1000)));
  spec.set_max_retries(static_cast<std::uint32_t>(options.retries >= 0 ? options.retries : config.max_retries));
  return spec;
}

std::uint64_t parse_job_id(const std::string& text) {
  std::uint64_t id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    throw UsageError("'" + text + "' is not a job id (a number, as taskmill submit printed it)");
  }
  return id;
}

std::vector<std::uint64_t> parse_job_ids(const std::vector<std::string>& texts) {
  std::vector<std::uint64_t> ids;
  for (const std::string& text : texts) ids.push_back(parse_job_id(text));
  return ids;
}

void write_all(std::FILE* to, const std::string& bytes) {
  std::fwrite(bytes.data(), 1, bytes.size(), to);
  std::fflush(to);
}

}  // namespace taskmill::cli
