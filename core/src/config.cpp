#include "taskmill/config.h"

#include <toml++/toml.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "taskmill/errors.h"

namespace taskmill {
namespace {

std::string describe(const toml::node& node) {
  std::ostringstream out;
  if (node.is_string()) {
    out << "\"" << *node.value<std::string>() << "\"";
  } else if (node.is_table() || node.is_array()) {
    out << "a " << node.type();
  } else {
    node.visit([&](const auto& value) { out << value; });
  }
  return out.str();
}

// Reads one key's value into a Config, or refuses it.
class KeyReader {
 public:
  KeyReader(std::string_view source, std::string_view key, const toml::node& node)
      : source_(source), key_(key), node_(node) {}

  // "thread.toml:3: key 'workers': expected an integer from 1 to 4096, got "four""
  [[noreturn]] void refuse(std::string_view expected) const {
    std::ostringstream out;
    out << source_;
    if (node_.source().begin) out << ':' << node_.source().begin.line;
    out << ": key '" << key_ << "': expected " << expected << ", got " << describe(node_);
    throw ConfigError(out.str());
  }

  std::int64_t integer(std::int64_t lo, std::int64_t hi) const {
    auto value = node_.is_integer() ? node_.value<std::int64_t>() : std::nullopt;
    if (!value || *value < lo || *value > hi) {
      refuse("an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    }
    return *value;
  }

  bool boolean() const {
    if (!node_.is_boolean()) refuse("true or false");
    return *node_.value<bool>();
  }

  std::string string(std::string_view expected) const {
    if (!node_.is_string()) refuse(expected);
    return *node_.value<std::string>();
  }

 private:
  std::string_view source_;
  std::string_view key_;
  const toml::node& node_;
};

using Setter = std::function<void(const KeyReader&, Config&)>;

const std::vector<std::pair<std::string_view, Setter>>& setters() {
  static const std::vector<std::pair<std::string_view, Setter>> all = {
      {"backend",
       [](const KeyReader& r, Config& c) {
         const std::string name = r.string("\"thread\" or \"process\"");
         if (name == "thread") {
           c.backend = BackendKind::kThread;
         } else if (name == "process") {
           c.backend = BackendKind::kProcess;
         } else {
           r.refuse("\"thread\" or \"process\"");
         }
       }},
      {"workers", [](const KeyReader& r, Config& c) { c.workers = static_cast<std::size_t>(r.integer(1, 4096)); }},
      {"serialize", [](const KeyReader& r, Config& c) { c.serialize = r.boolean(); }},
      {"coordinator",
       [](const KeyReader& r, Config& c) {
         const char* expected =
             "an address like \"tcp://HOST:PORT\", \"ipc://PATH\" or \"unix://PATH\" (its --unix-socket)";
         c.coordinator = r.string(expected);
         if (!c.coordinator.starts_with("tcp://") && !c.coordinator.starts_with("ipc://") &&
             !(c.coordinator.starts_with("unix://") && c.coordinator.size() > 7)) {
           r.refuse(expected);
         }
       }},
      {"max_retries", [](const KeyReader& r, Config& c) { c.max_retries = static_cast<int>(r.integer(0, 100)); }},
      {"heartbeat_ms",
       [](const KeyReader& r, Config& c) { c.heartbeat = std::chrono::milliseconds(r.integer(10, 60000)); }},
      {"liveness", [](const KeyReader& r, Config& c) { c.liveness = static_cast<int>(r.integer(1, 100)); }},
      {"max_jobs_per_worker",
       [](const KeyReader& r, Config& c) {
         c.max_jobs_per_worker = static_cast<std::uint64_t>(r.integer(0, 1'000'000'000'000));
       }},
      {"max_worker_memory_mb",
       [](const KeyReader& r, Config& c) {
         c.max_worker_memory_mb = static_cast<std::uint64_t>(r.integer(0, 1'000'000'000));
       }},
      {"max_pending",
       [](const KeyReader& r, Config& c) { c.max_pending = static_cast<std::size_t>(r.integer(0, 1'000'000'000)); }},
      {"when_full",
       [](const KeyReader& r, Config& c) {
         const std::string name = r.string("\"block\" or \"fail\"");
         if (name == "block") {
           c.when_full = WhenFull::kBlock;
         } else if (name == "fail") {
           c.when_full = WhenFull::kFail;
         } else {
           r.refuse("\"block\" or \"fail\"");
         }
       }},
      {"connect_timeout_ms",
       [](const KeyReader& r, Config& c) { c.connect_timeout = std::chrono::milliseconds(r.integer(1, 600000)); }},
      {"curve_secret", [](const KeyReader& r, Config& c) { c.curve_secret = r.string("a path to a secret key file"); }},
      {"coordinator_key",
       [](const KeyReader& r, Config& c) { c.coordinator_key = r.string("a path to a public key file"); }},
  };
  return all;
}

std::string known_keys() {
  std::string out;
  for (const auto& [key, setter] : setters()) out += (out.empty() ? "" : ", ") + std::string(key);
  return out;
}

}  // namespace

Config Config::parse(std::string_view text, std::string_view source) {
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << source << ':' << e.source().begin.line << ": " << e.description();
    throw ConfigError(out.str());
  }
  Config config;
  for (const auto& [key, node] : table) {
    const std::string_view name = key.str();  // clang 14 cannot capture a structured binding
    auto setter = std::find_if(setters().begin(), setters().end(), [&](const auto& s) { return s.first == name; });
    if (setter == setters().end()) {
      std::ostringstream out;
      out << source << ':' << key.source().begin.line << ": unknown key '" << key.str()
          << "' (known keys: " << known_keys() << ")";
      throw ConfigError(out.str());
    }
    setter->second(KeyReader(source, key.str(), node), config);
  }
  if (config.curve_secret.empty() != config.coordinator_key.empty()) {
    throw ConfigError(std::string(source) + ": CurveZMQ needs both 'curve_secret' and 'coordinator_key'");
  }
  if (!config.curve_secret.empty() && config.coordinator.empty()) {
    throw ConfigError(std::string(source) + ": 'curve_secret' and 'coordinator_key' are for a coordinator service: "
                      "set 'coordinator' too");
  }
  return config;
}

Config Config::load_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path.string() + ": cannot open configuration file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path.string());
}

Config Config::from_env() {
  const char* path = std::getenv("TASKMILL_CONFIG");
  if (path == nullptr || *path == '\0') return Config{};
  return load_file(path);
}

std::size_t Config::resolved_workers() const {
  if (workers != 0) return workers;
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

}  // namespace taskmill
