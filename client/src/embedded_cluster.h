// embedded_cluster.h: the process backend's embedded mode: a coordinator on a
// thread of this process and N local worker processes, over ipc:// sockets in
// a private (0700) directory that is removed on shutdown.
#pragma once

#include <filesystem>
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
  // Throws taskmill::Error if the directory, the coordinator or a worker cannot be made.
  EmbeddedCluster(zmq::context_t& context, const Config& config);
  // Stops the workers, then the coordinator, then removes the directory.
  ~EmbeddedCluster();
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

  // Where this process's client connects (inproc://, no copy through the kernel).
  const std::string& client_endpoint() const { return client_endpoint_; }

 private:
  std::filesystem::path dir_;
  std::string client_endpoint_;
  std::unique_ptr<coordinator::Coordinator> coordinator_;
  std::thread loop_;
  std::unique_ptr<worker::LocalWorkerPool> pool_;
};

}  // namespace taskmill::detail
