#include "embedded_cluster.h"

#include <atomic>

namespace taskmill::detail {

EmbeddedCluster::EmbeddedCluster(zmq::context_t& context, const Config& config, coordinator::LocalClient* local) {
  static std::atomic<int> counter{0};
  client_endpoint_ = "inproc://taskmill-coordinator-" + std::to_string(++counter);
  try {
    coordinator_ = std::make_unique<coordinator::Coordinator>(
        context, coordinator::CoordinatorOptions{.endpoints = {client_endpoint_},
                                                 .heartbeat = config.heartbeat,
                                                 .liveness = config.liveness,
                                                 .prefetch = coordinator::CoordinatorOptions::kDefaultPrefetch,
                                                 .accept_supervisor = true,
                                                 .local_client = local});
    loop_ = std::thread([this] { coordinator_->run(); });
    pool_ = std::make_unique<worker::LocalWorkerPool>(
        context, worker::LocalPoolOptions{.adopt_link = [this](int fd) { coordinator_->adopt_link(fd); },
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
}

}  // namespace taskmill::detail
