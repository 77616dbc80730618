#include "taskmill/config.h"

#include <toml++/toml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "taskmill/errors.h"

namespace taskmill {
namespace {

// "thread.toml:3: key 'workers': expected an integer >= 1, got a string"
[[noreturn]] void refuse(std::string_view source, const toml::node& node, std::string_view key,
                         std::string_view expected, std::string_view got) {
  std::ostringstream out;
  out << source;
  if (node.source().begin) out << ':' << node.source().begin.line;
  out << ": key '" << key << "': expected " << expected << ", got " << got;
  throw ConfigError(out.str());
}

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

void read_backend(std::string_view source, const toml::node& node, Config& config) {
  auto value = node.value<std::string>();
  if (!value || *value != "thread") refuse(source, node, "backend", "\"thread\"", describe(node));
  config.backend = BackendKind::kThread;
}

void read_workers(std::string_view source, const toml::node& node, Config& config) {
  auto value = node.is_integer() ? node.value<std::int64_t>() : std::nullopt;
  if (!value || *value < 1 || *value > 4096) {
    refuse(source, node, "workers", "an integer from 1 to 4096", describe(node));
  }
  config.workers = static_cast<std::size_t>(*value);
}

void read_serialize(std::string_view source, const toml::node& node, Config& config) {
  if (!node.is_boolean()) refuse(source, node, "serialize", "true or false", describe(node));
  config.serialize = *node.value<bool>();
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
    if (key == "backend") {
      read_backend(source, node, config);
    } else if (key == "workers") {
      read_workers(source, node, config);
    } else if (key == "serialize") {
      read_serialize(source, node, config);
    } else {
      std::ostringstream out;
      out << source << ':' << key.source().begin.line << ": unknown key '" << key.str()
          << "' (known keys: backend, workers, serialize)";
      throw ConfigError(out.str());
    }
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
