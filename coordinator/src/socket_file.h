// socket_file.h: the file of an ipc:// endpoint the coordinator listens on,
// removed when it stops listening, as a daemon should leave no socket behind.
// Unless another process has bound the same path since (ZeroMQ's bind
// replaces a file it finds there): then the file is that one's socket.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace taskmill::coordinator {

class SocketFile {
 public:
  // The file behind `endpoint`, just bound; nothing if it is not ipc:// or
  // has no file (a wildcard, which ZeroMQ removes itself; the abstract
  // namespace).
  static std::optional<SocketFile> of(std::string_view endpoint) {
    constexpr std::string_view kIpc = "ipc://";
    if (!endpoint.starts_with(kIpc)) return std::nullopt;
    std::string path(endpoint.substr(kIpc.size()));
    struct stat file {};
    if (path.empty() || path.front() == '@' || path == "*" || ::stat(path.c_str(), &file) != 0) return std::nullopt;
    return SocketFile(std::move(path), file);
  }

  SocketFile(SocketFile&& other) noexcept
      : path_(std::exchange(other.path_, {})), device_(other.device_), inode_(other.inode_) {}
  SocketFile& operator=(SocketFile&&) = delete;
  ~SocketFile() {
    struct stat file {};
    if (!path_.empty() && ::stat(path_.c_str(), &file) == 0 && file.st_dev == device_ && file.st_ino == inode_) {
      ::unlink(path_.c_str());
    }
  }

 private:
  SocketFile(std::string path, const struct stat& file)
      : path_(std::move(path)), device_(file.st_dev), inode_(file.st_ino) {}

  std::string path_;  // empty once moved from
  dev_t device_;
  ino_t inode_;
};

}  // namespace taskmill::coordinator
