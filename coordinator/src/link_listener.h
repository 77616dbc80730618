// link_listener.h: a Unix socket where workers and executors on the
// coordinator's host connect over a link (detail::StreamLink), as the
// embedded backend's workers do over their socketpairs, instead of through
// ZeroMQ.
//
// Why: a ZeroMQ message between two processes wakes three threads (the
// sender's I/O thread, the receiver's, then the receiver); a link wakes one.
// A service's round trip then crosses two link hops instead of two ZeroMQ
// ones (docs/performance-history.md, "The twentieth session").
//
// Who may connect: the socket file is made mode 0600, and each connection's
// peer credentials (SO_PEERCRED) must name the coordinator's own user or
// root; anyone else is refused and logged. CurveZMQ does not apply here: a
// process of the same user could read the key files anyway.
//
// Not thread-safe: the coordinator's loop owns it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace taskmill::coordinator {

class LinkListener {
 public:
  // Listens on `path`. A file left there by a listener that is gone (its
  // socket refuses connections) is replaced; a live one, or any other kind
  // of file, is not. Throws taskmill::Error saying why.
  explicit LinkListener(std::string path);
  // Stops listening and removes the socket file, unless another has taken its path since.
  ~LinkListener();
  LinkListener(const LinkListener&) = delete;
  LinkListener& operator=(const LinkListener&) = delete;

  int fd() const noexcept { return fd_; }
  const std::string& path() const noexcept { return path_; }

  // The connections waiting, each a connected socket whose peer is allowed;
  // appended to `out`. Never blocks.
  void accept_all(std::vector<int>& out);

 private:
  std::string path_;
  int fd_ = -1;
  dev_t device_ = 0;
  ino_t inode_ = 0;
};

}  // namespace taskmill::coordinator
