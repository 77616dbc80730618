#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "taskmill/config.h"
#include "taskmill/errors.h"

using taskmill::Config;
using taskmill::ConfigError;

namespace {

std::string refusal(std::string_view toml) {
  try {
    Config::parse(toml, "test.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("the configuration was accepted");
  return {};
}

std::filesystem::path write_temp(const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("taskmill-config-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST_CASE("a valid configuration is read", "[unit][config]") {
  Config c = Config::parse("backend = \"thread\"\nworkers = 3\nserialize = true\n");
  CHECK(c.backend == taskmill::BackendKind::kThread);
  CHECK(c.workers == 3);
  CHECK(c.resolved_workers() == 3);
  CHECK(c.serialize);
}

TEST_CASE("backpressure is configured by max_pending and when_full", "[unit][config]") {
  Config c = Config::parse("max_pending = 100\nwhen_full = \"fail\"\n");
  CHECK(c.max_pending == 100);
  CHECK(c.when_full == taskmill::WhenFull::kFail);
  CHECK(Config::parse("").max_pending == 0);
  CHECK(Config::parse("").when_full == taskmill::WhenFull::kBlock);
  CHECK_THAT(refusal("when_full = \"drop\"\n"), Catch::Contains("key 'when_full': expected \"block\" or \"fail\""));
}

TEST_CASE("a coordinator is a tcp://, ipc:// or unix:// address", "[unit][config]") {
  CHECK(Config::parse("coordinator = \"tcp://10.0.0.5:5555\"\n").coordinator == "tcp://10.0.0.5:5555");
  CHECK(Config::parse("coordinator = \"ipc:///run/tm\"\n").coordinator == "ipc:///run/tm");
  CHECK(Config::parse("coordinator = \"unix:///run/tm.sock\"\n").coordinator == "unix:///run/tm.sock");
  CHECK_THAT(refusal("coordinator = \"unix://\"\n"), Catch::Contains("\"unix://PATH\""));
  CHECK_THAT(refusal("coordinator = \"10.0.0.5:5555\"\n"), Catch::Contains("key 'coordinator': expected an address"));
}

TEST_CASE("an empty configuration means the defaults", "[unit][config]") {
  Config c = Config::parse("");
  CHECK(c.backend == taskmill::BackendKind::kThread);
  CHECK(c.workers == 0);
  CHECK(c.resolved_workers() >= 1);
  CHECK_FALSE(c.serialize);
}

TEST_CASE("an unknown key is refused with its name, its line and the known keys", "[unit][config]") {
  std::string why = refusal("workers = 2\nwrokers = 3\n");
  CHECK_THAT(why, Catch::Contains("test.toml:2"));
  CHECK_THAT(why, Catch::Contains("unknown key 'wrokers'"));
  CHECK_THAT(why, Catch::Contains("known keys: backend, workers, serialize, coordinator"));
}

TEST_CASE("a value of the wrong type is refused with what was expected", "[unit][config]") {
  std::string why = refusal("workers = \"four\"\n");
  CHECK_THAT(why, Catch::Contains("test.toml:1"));
  CHECK_THAT(why, Catch::Contains("key 'workers': expected an integer from 1 to 4096, got \"four\""));
  CHECK_THAT(refusal("serialize = 1\n"), Catch::Contains("key 'serialize': expected true or false, got 1"));
  CHECK_THAT(refusal("workers = 2.5\n"), Catch::Contains("got 2.5"));
}

TEST_CASE("a value out of range is refused", "[unit][config]") {
  CHECK_THAT(refusal("workers = 0\n"), Catch::Contains("expected an integer from 1 to 4096, got 0"));
  CHECK_THAT(refusal("workers = -3\n"), Catch::Contains("got -3"));
  CHECK_THAT(refusal("backend = \"gpu\"\n"), Catch::Contains("key 'backend': expected \"thread\" or \"process\", got \"gpu\""));
}

TEST_CASE("malformed TOML is refused with its line", "[unit][config]") {
  CHECK_THAT(refusal("workers = = 2\n"), Catch::StartsWith("test.toml:1:"));
}

TEST_CASE("a missing file is refused with its path", "[unit][config]") {
  CHECK_THROWS_WITH(Config::load_file("/nonexistent/taskmill.toml"),
                    Catch::Contains("/nonexistent/taskmill.toml: cannot open"));
}

TEST_CASE("TASKMILL_CONFIG names the file from_env() reads", "[unit][config]") {
  auto path = write_temp("workers = 5\n");
  ::setenv("TASKMILL_CONFIG", path.c_str(), 1);
  Config c = Config::from_env();
  ::unsetenv("TASKMILL_CONFIG");
  std::filesystem::remove(path);
  CHECK(c.workers == 5);
  CHECK(Config::from_env().workers == 0);
}
