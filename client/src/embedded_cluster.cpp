#include "embedded_cluster.h"

#include <stdlib.h>

#include <atomic>
#include <cstdlib>

#include "taskmill/errors.h"

namespace taskmill::detail {
namespace {

std::filesystem::path make_private_dir() {
  const char* base = std::getenv("XDG_RUNTIME_DIR");
  // mkdtemp() replaces the XXXXXX with a unique name.
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/taskmill-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw Error("cannot create a private directory at " + pattern);
  return pattern;  // mkdtemp makes it 0700: only this user can reach the sockets inside
}

}  // namespace

EmbeddedCluster::EmbeddedCluster(zmq::context_t& context, const Config& config, coordinator::LocalClient* local)
    : dir_(make_private_dir()) {
  static std::atomic<int> counter{0};
  client_endpoint_ = "inproc://taskmill-coordinator-" + std::to_string(++counter);
  const std::string worker_endpoint = "ipc://" + (dir_ / "coordinator").string();
  try {
    coordinator_ = std::make_unique<coordinator::Coordinator>(
        context, coordinator::CoordinatorOptions{.endpoints = {worker_endpoint, client_endpoint_},
                                                 .heartbeat = config.heartbeat,
                                                 .liveness = config.liveness,
                                                 .prefetch = coordinator::CoordinatorOptions::kDefaultPrefetch,
                                                 .accept_supervisor = true,
                                                 .local_client = local});
    loop_ = std::thread([this] { coordinator_->run(); });
    pool_ = std::make_unique<worker::LocalWorkerPool>(
        context, worker::LocalPoolOptions{.coordinator = worker_endpoint,
                                          .supervisor_endpoint = client_endpoint_,  // inproc, like the client
                                          .workers = static_cast<int>(config.resolved_workers()),
                                          .slots_per_worker = 1,
                                          .command = {},
                                          .max_jobs_per_worker = config.max_jobs_per_worker,
                                          .max_worker_memory = config.max_worker_memory_mb << 20});
  } catch (...) {
    if (loop_.joinable()) {
      coordinator_->stop();
      loop_.join();
    }
    std::filesystem::remove_all(dir_);
    throw;
  }
}

EmbeddedCluster::~EmbeddedCluster() {
  // Workers first (SIGTERM: each drains and says goodbye to the still-running
  // coordinator); stopping the coordinator first would make them exit on its
  // goodbye while the pool still replaces workers that exit.
  pool_->stop(std::chrono::seconds(2));
  pool_.reset();
  coordinator_->stop();
  loop_.join();
  coordinator_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace taskmill::detail
