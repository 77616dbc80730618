#include "taskmill/executor.h"

#include "process_backend.h"
#include "spawned_worker.h"
#include "thread_backend.h"

namespace taskmill {
namespace {

std::unique_ptr<detail::Backend> make_backend(const Config& config) {
  switch (config.backend) {
    case BackendKind::kThread:
      return std::make_unique<detail::ThreadBackend>(config.resolved_workers(), config.initializer);
    case BackendKind::kProcess:
      // A worker this process's own executor spawned serves jobs here instead.
      detail::serve_if_spawned_worker();
      return std::make_unique<detail::ProcessBackend>(config);
  }
  throw ConfigError("unknown backend");
}

}  // namespace

Executor::Executor() : Executor(Config{}) {}

Executor::Executor(Config config) : backend_(make_backend(config)), serialize_(config.serialize) {
  if (config.max_pending > 0) admission_ = std::make_shared<detail::Admission>(config.max_pending, config.when_full);
}

void Executor::release_when_done(detail::SharedState& task) const {
  if (admission_) task.add_callback([admission = admission_]() noexcept { admission->release(1); });
}

Executor Executor::from_config() { return Executor(Config::from_env()); }

Executor Executor::from_file(const std::filesystem::path& path) { return Executor(Config::load_file(path)); }

Executor::Executor(Executor&&) noexcept = default;

Executor& Executor::operator=(Executor&& other) noexcept {
  if (this != &other) {
    if (backend_) backend_->shutdown(ShutdownOptions{});
    backend_ = std::move(other.backend_);
    admission_ = std::move(other.admission_);
    serialize_ = other.serialize_;
  }
  return *this;
}

Executor::~Executor() {
  if (backend_) backend_->shutdown(ShutdownOptions{});
}

void Executor::shutdown(const ShutdownOptions& options) {
  if (backend_) backend_->shutdown(options);
}

std::size_t Executor::workers() const { return backend_ ? backend_->worker_count() : 0; }

detail::Backend& Executor::backend() const {
  if (!backend_) throw ShutdownError("executor was moved from");
  return *backend_;
}

detail::Placement Executor::placement(int priority,
                                      const std::optional<std::chrono::steady_clock::duration>& timeout) {
  detail::Placement where{.priority = priority, .deadline = std::nullopt};
  if (timeout) where.deadline = detail::Clock::now() + *timeout;
  return where;
}

}  // namespace taskmill
