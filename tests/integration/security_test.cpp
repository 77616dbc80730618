// CurveZMQ on TCP, over real daemons and sockets: `taskmill keygen`, a
// coordinator with an allow-list, workers and clients with and without
// allowed keys, and secret key files that are too open.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/child_process.h"
#include "support/scratch_dir.h"
#include "support/test_jobs.h"
#include "taskmill/curve.h"
#include "taskmill/errors.h"
#include "taskmill/executor.h"

using namespace std::chrono_literals;
using namespace taskmill::testing;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A program whose stdout and stderr go to files the test reads as they grow.
class Logged {
 public:
  Logged(const std::string& program, const std::vector<std::string>& args, const fs::path& log_prefix)
      : out_(log_prefix.string() + ".out"), err_(log_prefix.string() + ".err"),
        child_(program, args, {.out_file = out_.string(), .err_file = err_.string()}) {}
  Logged(Logged&&) = default;
  // Waits (up to 20 s) until stdout or stderr contains `text`; what they hold then.
  std::string wait_for_output(const std::string& text) {
    std::string all;
    for (int i = 0; i < 2000; ++i) {
      all = slurp(out_) + slurp(err_);
      if (all.find(text) != std::string::npos) return all;
      if (!child_.running()) return slurp(out_) + slurp(err_);  // it ended: nothing more will come
      std::this_thread::sleep_for(10ms);
    }
    return all;
  }
  int wait() { return child_.wait(); }
  std::string stderr_text() const { return slurp(err_); }
  int pid() { return child_.pid(); }

 private:
  fs::path out_;
  fs::path err_;
  ChildProcess child_;
};

// Runs `taskmill keygen NAME --dir DIR`; its exit status and output.
std::pair<int, std::string> keygen(const fs::path& dir, const std::string& name) {
  ChildProcess child(TASKMILL_CLI_BIN, {"keygen", name, "--dir", dir.string()}, {.err = ChildProcess::Output::kPipe});
  std::string all = child.read_rest();
  all += child.read_err_rest();
  return {child.wait(), all};
}

// Keys for a coordinator and the peers named, made by `taskmill keygen`; the
// allowed peers' public keys are copied into DIR/allowed/.
struct Keys {
  explicit Keys(const ScratchDir& scratch, const std::vector<std::string>& allowed,
                const std::vector<std::string>& others = {})
      : dir(scratch / "keys"), allowed_dir(scratch / "allowed") {
    fs::create_directories(allowed_dir);
    REQUIRE(keygen(dir, "coordinator").first == 0);
    for (const std::string& name : allowed) {
      REQUIRE(keygen(dir, name).first == 0);
      fs::copy_file(dir / (name + ".pub"), allowed_dir / (name + ".pub"));
    }
    for (const std::string& name : others) REQUIRE(keygen(dir, name).first == 0);
  }
  std::string secret(const std::string& name) const { return (dir / (name + ".key")).string(); }
  std::string pub(const std::string& name) const { return (dir / (name + ".pub")).string(); }

  fs::path dir;
  fs::path allowed_dir;
};

// taskmill-coordinator on tcp://127.0.0.1:* with `args`; its address once it listens.
std::pair<Logged, std::string> start_coordinator(const ScratchDir& scratch, const std::vector<std::string>& args) {
  // Default heartbeats (500 ms) and a generous liveness: nothing here is
  // about liveness, and sanitizer builds on a busy machine stall.
  std::vector<std::string> all = {"--listen", "tcp://127.0.0.1:*", "--liveness", "10"};
  all.insert(all.end(), args.begin(), args.end());
  Logged coordinator(TASKMILL_COORDINATOR_BIN, all, scratch / "coordinator");
  const std::string out = coordinator.wait_for_output("listening on tcp://");
  const auto at = out.find("tcp://");
  REQUIRE(at != std::string::npos);
  return {std::move(coordinator), out.substr(at, out.find('\n', at) - at)};
}

std::pair<Logged, std::string> start_secure_coordinator(const ScratchDir& scratch, const Keys& keys) {
  return start_coordinator(scratch, {"--curve-secret", keys.secret("coordinator"), "--allow-keys",
                                     keys.allowed_dir.string()});
}

// The test worker (test jobs), with `curve_name`'s keys unless it is empty.
Logged start_worker(const ScratchDir& scratch, const std::string& address, const Keys& keys, const std::string& curve_name,
                    const std::string& log_name) {
  std::vector<std::string> args = {"--coordinator", address, "--slots", "1"};
  if (!curve_name.empty()) {
    args.insert(args.end(), {"--curve-secret", keys.secret(curve_name), "--coordinator-key", keys.pub("coordinator")});
  }
  return Logged(TASKMILL_TEST_WORKER_BIN, args, scratch / log_name);
}

taskmill::Config client_config(const std::string& address, const Keys& keys, const std::string& curve_name) {
  std::string toml = "backend = \"process\"\ncoordinator = \"" + address + "\"\nliveness = 10\n";
  if (!curve_name.empty()) {
    toml += "curve_secret = \"" + keys.secret(curve_name) + "\"\ncoordinator_key = \"" + keys.pub("coordinator") + "\"\n";
  }
  return taskmill::Config::parse(toml, "client.toml");
}

}  // namespace

TEST_CASE("taskmill keygen writes an owner-only secret key and its public key, and never overwrites them",
          "[integration][security]") {
  ScratchDir scratch("security");
  const fs::path dir = scratch / "new" / "keys";  // made by keygen
  auto [status, output] = keygen(dir, "alice");
  REQUIRE(status == 0);
  CHECK_THAT(output, Catch::Contains((dir / "alice.key").string()));
  struct stat info {};
  REQUIRE(::stat((dir / "alice.key").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  REQUIRE(::stat(dir.c_str(), &info) == 0);
  CHECK((info.st_mode & 077) == 0);  // the directory it made is owner-only too
  auto pair = taskmill::curve::load_secret_key(dir / "alice.key");
  REQUIRE(pair.is_ok());
  auto pub = taskmill::curve::load_public_key(dir / "alice.pub");
  REQUIRE(pub.is_ok());
  CHECK(pub.value() == pair.value().public_key);  // the .pub belongs to the .key
  CHECK(taskmill::curve::is_key(pair.value().secret_key));

  const std::string before = slurp(dir / "alice.key");
  auto [again, complaint] = keygen(dir, "alice");
  CHECK(again == 125);
  CHECK_THAT(complaint, Catch::Contains("never overwritten"));
  CHECK(slurp(dir / "alice.key") == before);
  CHECK(keygen(dir, "bob").first == 0);
  CHECK(taskmill::curve::load_public_key(dir / "bob.pub").value() != pub.value());
}

TEST_CASE("with CurveZMQ on, an allowed worker and client run jobs over tcp", "[integration][security]") {
  ScratchDir scratch("security");
  Keys keys(scratch, {"worker", "client"});
  // The coordinator reads its keys from its configuration file, relative to
  // the file, and its allow-list from a file of keys, one a line.
  std::ofstream(scratch / "allowed.keys") << "# who may connect\n"
                                          << taskmill::curve::load_public_key(keys.pub("worker")).value() << "\n\n"
                                          << taskmill::curve::load_public_key(keys.pub("client")).value() << "\n";
  std::ofstream(scratch / "coordinator.toml") << "listen = \"tcp://127.0.0.1:*\"\nheartbeat_ms = 500\nliveness = 10\n"
                                              << "curve_secret = \"keys/coordinator.key\"\n"
                                              << "allow_keys = \"allowed.keys\"\n";
  Logged coordinator(TASKMILL_COORDINATOR_BIN, {"--config", (scratch / "coordinator.toml").string()},
                     scratch / "coordinator");
  const std::string out = coordinator.wait_for_output("listening on tcp://");
  CHECK_THAT(out, Catch::Contains("CurveZMQ on, 2 client and worker keys allowed"));
  const auto at = out.find("tcp://");
  REQUIRE(at != std::string::npos);
  const std::string address = out.substr(at, out.find('\n', at) - at);

  Logged worker = start_worker(scratch, address, keys, "worker", "worker");
  taskmill::Executor ex(client_config(address, keys, "client"));
  std::vector<taskmill::Future<std::int64_t>> futures;
  for (std::int64_t i = 0; i < 20; ++i) futures.push_back(ex.submit(square, i));
  for (std::int64_t i = 0; i < 20; ++i) CHECK(futures[static_cast<std::size_t>(i)].get() == i * i);
  CHECK(ex.submit(worker_pid, 0).get() == worker.pid());
}

TEST_CASE("a client whose key is not on the allow-list is refused, and told so", "[integration][security]") {
  ScratchDir scratch("security");
  Keys keys(scratch, {"worker"}, {"stranger"});
  auto [coordinator, address] = start_secure_coordinator(scratch, keys);
  taskmill::Config config = client_config(address, keys, "stranger");
  config.connect_timeout = 30s;  // the refusal comes long before: it is not a timeout
  try {
    taskmill::Executor ex(config);
    FAIL("a client with an unknown key was let in");
  } catch (const taskmill::Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("refused this peer's key (ZAP status 400)"));
    CHECK_THAT(e.what(), Catch::Contains(address));
  }
  CHECK_THAT(coordinator.wait_for_output("refused a CURVE peer"), Catch::Contains("refused a CURVE peer"));
}

TEST_CASE("a plaintext client is refused when CurveZMQ is on, and told why", "[integration][security]") {
  ScratchDir scratch("security");
  Keys keys(scratch, {"client"});
  auto [coordinator, address] = start_secure_coordinator(scratch, keys);
  taskmill::Config config = client_config(address, keys, "");
  config.connect_timeout = 30s;
  CHECK_THROWS_WITH(taskmill::Executor(config), Catch::Contains("requires CurveZMQ"));
}

TEST_CASE("a client with keys is told when the coordinator does not use CurveZMQ, which warns it is open",
          "[integration][security]") {
  ScratchDir scratch("security");
  Keys keys(scratch, {"client"});
  auto [coordinator, address] = start_coordinator(scratch, {});
  CHECK_THAT(coordinator.wait_for_output("warning: no CurveZMQ keys"),
             Catch::Contains("warning: no CurveZMQ keys, so anyone who can reach this port may submit and run jobs"));
  taskmill::Config config = client_config(address, keys, "client");
  config.connect_timeout = 30s;
  CHECK_THROWS_WITH(taskmill::Executor(config), Catch::Contains("does not use CurveZMQ"));
}

TEST_CASE("workers with unknown keys or no keys never get jobs, and an allowed one runs them all",
          "[integration][security]") {
  ScratchDir scratch("security");
  Keys keys(scratch, {"worker", "client"}, {"stranger"});
  auto [coordinator, address] = start_secure_coordinator(scratch, keys);
  Logged stranger = start_worker(scratch, address, keys, "stranger", "stranger");
  Logged plaintext = start_worker(scratch, address, keys, "", "plaintext");
  // Both have tried and been turned away before any job exists.
  CHECK_THAT(stranger.wait_for_output("refused this peer's key"), Catch::Contains("refused this peer's key"));
  CHECK_THAT(plaintext.wait_for_output("requires CurveZMQ"), Catch::Contains("requires CurveZMQ"));

  taskmill::Executor ex(client_config(address, keys, "client"));
  std::vector<taskmill::Future<std::int64_t>> queued;
  for (int i = 0; i < 8; ++i) queued.push_back(ex.submit(worker_pid, i));  // wait: no worker has registered
  Logged allowed = start_worker(scratch, address, keys, "worker", "worker");
  for (auto& f : queued) CHECK(f.get() == allowed.pid());
  for (int i = 0; i < 8; ++i) CHECK(ex.submit(worker_pid, i).get() == allowed.pid());
  CHECK(stranger.pid() != allowed.pid());
}

TEST_CASE("a secret key file that group or others may read is refused everywhere, clearly",
          "[integration][security]") {
  ScratchDir scratch("security");
  Keys keys(scratch, {"worker", "client"});
  for (const char* name : {"coordinator", "worker", "client"}) {
    fs::permissions(keys.secret(name), fs::perms::group_read | fs::perms::others_read, fs::perm_options::add);
  }
  Logged coordinator(TASKMILL_COORDINATOR_BIN,
                     {"--listen", "tcp://127.0.0.1:*", "--curve-secret", keys.secret("coordinator"), "--allow-keys",
                      keys.allowed_dir.string()},
                     scratch / "coordinator");
  CHECK(coordinator.wait() == 2);
  CHECK_THAT(coordinator.stderr_text(), Catch::Contains("permissions 0644") && Catch::Contains("are too open"));

  Logged worker = start_worker(scratch, "tcp://127.0.0.1:9", keys, "worker", "worker");
  CHECK(worker.wait() == 2);
  CHECK_THAT(worker.stderr_text(), Catch::Contains("too open") && Catch::Contains(keys.secret("worker")));

  CHECK_THROWS_AS(taskmill::Executor(client_config("tcp://127.0.0.1:9", keys, "client")), taskmill::ConfigError);
  CHECK_THROWS_WITH(taskmill::Executor(client_config("tcp://127.0.0.1:9", keys, "client")),
                    Catch::Contains("too open"));
}
