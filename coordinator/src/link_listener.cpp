#include "link_listener.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "taskmill/errors.h"
#include "taskmill/log.h"

namespace taskmill::coordinator {
namespace {

sockaddr_un address_of(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(address.sun_path)) {
    throw Error("coordinator: cannot listen on unix://" + path + ": a socket path must be 1 to " +
                std::to_string(sizeof(address.sun_path) - 1) + " bytes long");
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  return address;
}

// True if a listener answers at `address`.
bool someone_listens(const sockaddr_un& address) {
  const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return false;
  const bool answered = ::connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  ::close(probe);
  return answered;
}

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw Error("coordinator: cannot listen on unix://" + path + ": " + why);
}

}  // namespace

LinkListener::LinkListener(std::string path) : path_(std::move(path)) {
  const sockaddr_un address = address_of(path_);
  struct stat file {};
  if (::lstat(path_.c_str(), &file) == 0) {
    if (!S_ISSOCK(file.st_mode)) refuse(path_, "a file that is not a socket is there");
    if (someone_listens(address)) refuse(path_, "something listens there");
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
