// embedded_cluster.h: the process backend's embedded mode: a coordinator on a
// thread of this process and N local worker processes, each over a link of
// its own (a socketpair: LocalWorkerPool). A client in this process may be
// served by the coordinator's own thread (LocalClient), or connect to
// client_endpoint() like any other.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include <zmq.hpp>

#include "taskmill/config.h"
#include "taskmill/coordinator/coordinator.h"
#include "taskmill/worker/local_pool.h"

namespace taskmill::detail {

class EmbeddedCluster {
 public:
  // Throws taskmill::Error if the coordinator or a worker cannot be made. `local`, if given, is served on the coordinator's thread
  // from now until this object is destroyed.
  EmbeddedCluster(zmq::context_t& context, const Config& config, coordinator::LocalClient* local = nullptr);
  // Stops the workers, then the coordinator.
  ~EmbeddedCluster();
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

  // Where this process's client connects (inproc://, no copy through the kernel).
  const std::string& client_endpoint() const { return client_endpoint_; }
  // The thread that runs the coordinator, and with it the local client's callbacks.
  std::thread::id coordinator_thread() const { return loop_.get_id(); }

 private:
  std::string client_endpoint_;
  std::unique_ptr<coordinator::Coordinator> coordinator_;
  std::thread loop_;
  std::unique_ptr<worker::LocalWorkerPool> pool_;
};

}  // namespace taskmill::detail
