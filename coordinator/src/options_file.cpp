#include "options_file.h"

#include <toml++/toml.h>

#include <sstream>

#include "taskmill/errors.h"

namespace taskmill::coordinator {
namespace {

[[noreturn]] void refuse(const std::filesystem::path& path, const toml::source_region& where, const std::string& what) {
  std::ostringstream out;
  out << path.string() << ':' << where.begin.line << ": " << what;
  throw ConfigError(out.str());
}

std::int64_t integer(const std::filesystem::path& path, const toml::node& node, std::string_view key, std::int64_t lo,
                     std::int64_t hi) {
  auto value = node.value<std::int64_t>();
  if (!node.is_integer() || !value || *value < lo || *value > hi) {
    refuse(path, node.source(),
           "key '" + std::string(key) + "': expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return *value;
}

}  // namespace

void load_options_file(const std::filesystem::path& path, CoordinatorOptions& options, std::string* listen,
                       SecurityFiles* security) {
  toml::table table;
  try {
    table = toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    refuse(path, e.source(), std::string(e.description()));
  }
  for (const auto& [key, node] : table) {
    if (key == "listen") {
      if (!node.is_string()) refuse(path, node.source(), "key 'listen': expected an address string");
      *listen = *node.value<std::string>();
    } else if (key == "heartbeat_ms") {
      options.heartbeat = std::chrono::milliseconds(integer(path, node, key.str(), 10, 60000));
    } else if (key == "liveness") {
      options.liveness = static_cast<int>(integer(path, node, key.str(), 1, 100));
    } else if (key == "prefetch") {
      options.prefetch = static_cast<int>(integer(path, node, key.str(), 0, 1024));
    } else if (key == "journal") {
      if (!node.is_string()) refuse(path, node.source(), "key 'journal': expected a file path string");
      options.journal = *node.value<std::string>();
    } else if (key == "unix_socket") {
      if (!node.is_string()) refuse(path, node.source(), "key 'unix_socket': expected a socket path string");
      options.unix_socket = *node.value<std::string>();
    } else if (key == "max_jobs") {
      options.max_jobs = static_cast<std::size_t>(integer(path, node, key.str(), 0, 1'000'000'000'000));
    } else if (key == "result_ttl_s") {
      options.result_ttl = std::chrono::seconds(integer(path, node, key.str(), 1, 365LL * 24 * 3600));
    } else if (key == "curve_secret" || key == "allow_keys") {
      if (!node.is_string()) refuse(path, node.source(), "key '" + std::string(key.str()) + "': expected a path string");
      const std::string named = (path.parent_path() / *node.value<std::string>()).string();
      (key == "curve_secret" ? security->curve_secret : security->allow_keys) = named;
    } else {
      refuse(path, key.source(),
             "unknown key '" + std::string(key.str()) +
                 "' (known keys: listen, unix_socket, journal, heartbeat_ms, liveness, prefetch, max_jobs, result_ttl_s, "
                 "curve_secret, allow_keys)");
    }
  }
}

}  // namespace taskmill::coordinator
