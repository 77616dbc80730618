// wake_fd.h: an eventfd that one thread polls (zmq::poll takes raw fds) and
// any thread pokes, to wake an event loop that owns ZeroMQ sockets.
#pragma once

namespace taskmill::detail {

// Thread-safety: notify() may be called from any thread; drain() and fd()
// belong to the polling thread.
class WakeFd {
 public:
  WakeFd();  // throws std::system_error if no eventfd can be made
  ~WakeFd();
  WakeFd(const WakeFd&) = delete;
  WakeFd& operator=(const WakeFd&) = delete;

  void notify() noexcept;
  void drain() noexcept;
  int fd() const noexcept { return fd_; }

 private:
  int fd_;
};

}  // namespace taskmill::detail
