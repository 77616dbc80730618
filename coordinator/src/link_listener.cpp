#include "link_listener.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "taskmill/detail/stream_link.h"
#include "taskmill/errors.h"
#include "taskmill/log.h"

namespace taskmill::coordinator {
namespace {

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw Error("coordinator: cannot listen on unix://" + path + ": " + why);
}

}  // namespace

LinkListener::LinkListener(std::string path) : path_(std::move(path)) {
  sockaddr_un address;
  if (std::string why; !detail::unix_socket_address(path_, &address, &why)) refuse(path_, why);
  struct stat file {};
  if (::lstat(path_.c_str(), &file) == 0) {
    if (!S_ISSOCK(file.st_mode)) refuse(path_, "a file that is not a socket is there");
    std::string unanswered;
    if (const int probe = detail::dial_unix_socket(path_, &unanswered); probe >= 0) {
      ::close(probe);
      refuse(path_, "something listens there");
    }
    ::unlink(path_.c_str());  // a socket whose listener is gone (killed, so it could not remove it)
  }
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) refuse(path_, std::strerror(errno));
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0 || ::listen(fd_, 64) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd_);
    refuse(path_, why);
  }
  // Between bind and chmod the file has the umask's mode: the credentials check covers that moment.
  ::chmod(path_.c_str(), 0600);
  if (::stat(path_.c_str(), &file) == 0) {
    device_ = file.st_dev;
    inode_ = file.st_ino;
  }
}

LinkListener::~LinkListener() {
  ::close(fd_);
  struct stat file {};
  if (::stat(path_.c_str(), &file) == 0 && file.st_dev == device_ && file.st_ino == inode_) ::unlink(path_.c_str());
}

void LinkListener::accept_all(std::vector<int>& out) {
  while (true) {
    const int fd = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      // EAGAIN: none left. Others (ECONNABORTED, EMFILE) concern one connection; the next poll tries again.
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        logger().warn("coordinator: cannot accept on unix://{}: {}", path_, std::strerror(errno));
      }
      if (errno == EINTR) continue;
      return;
    }
    ucred peer{};
    socklen_t size = sizeof(peer);
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0 || (peer.uid != ::geteuid() && peer.uid != 0)) {
      logger().warn("coordinator: refused a connection on unix://{} from user {} (only user {} may connect)", path_,
                    peer.uid, ::geteuid());
      ::close(fd);
      continue;
    }
    out.push_back(fd);
  }
}

}  // namespace taskmill::coordinator
