#include "taskmill/curve.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace taskmill::curve {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kZ85KeyLength = 40;
constexpr off_t kMaxKeyFileBytes = off_t{1} << 20;  // an allow-list of ~25,000 keys

std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }

std::string errno_text(int error) { return std::error_code(error, std::generic_category()).message(); }

// Reads an open file whole, refusing anything that is not a small regular file.
StatusOr<std::string> read_fd(int fd, const fs::path& path, const struct stat& info) {
  if (!S_ISREG(info.st_mode)) return Status(StatusCode::kInvalidArgument, quoted(path) + " is not a regular file");
  if (info.st_size > kMaxKeyFileBytes) {
    return Status(StatusCode::kInvalidArgument, quoted(path) + " is too large for a key file");
  }
  std::string text;
  std::array<char, 4096> buffer{};
  while (true) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status(StatusCode::kUnavailable, "cannot read " + quoted(path) + ": " + errno_text(errno));
    if (n == 0) break;
    text.append(buffer.data(), static_cast<std::size_t>(n));
    if (text.size() > static_cast<std::size_t>(kMaxKeyFileBytes)) {
      return Status(StatusCode::kInvalidArgument, quoted(path) + " is too large for a key file");
    }
  }
  return text;
}

// Opens and reads a file; with `owner_only`, refuses one that group or others may access.
StatusOr<std::string> read_file(const fs::path& path, bool owner_only) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status(StatusCode::kNotFound, "cannot open " + quoted(path) + ": " + errno_text(errno));
  struct stat info {};
  StatusOr<std::string> text = Status(StatusCode::kInternal, "unreachable");
  if (::fstat(fd, &info) != 0) {
    text = Status(StatusCode::kUnavailable, "cannot stat " + quoted(path) + ": " + errno_text(errno));
  } else if (owner_only && (info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    text = Status(StatusCode::kFailedPrecondition,
                  std::string("permissions ") + mode + " for secret key " + quoted(path) +
                      " are too open: it must be accessible by its owner only (chmod 600 " + path.string() + ")");
  } else {
    text = read_fd(fd, path, info);
  }
  ::close(fd);
  return text;
}

// The non-blank, non-comment lines of `text`, trimmed.
std::vector<std::string> key_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!line.empty() && blank(line.back())) line.pop_back();
    line.erase(line.begin(), std::find_if_not(line.begin(), line.end(), blank));
    if (!line.empty() && line.front() != '#') lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

// The one key a key file holds.
StatusOr<std::string> single_key(const std::string& text, const fs::path& path) {
  std::vector<std::string> lines = key_lines(text);
  if (lines.size() != 1 || !is_key(lines.front())) {
    return Status(StatusCode::kInvalidArgument,
                  quoted(path) + " does not hold one CurveZMQ key (40 characters of Z85 text on one line)");
  }
  return lines.front();
}

// Creates `path` with `mode` (O_EXCL: never an existing file) and writes `text`.
Status write_new(const fs::path& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    const StatusCode code = errno == EEXIST ? StatusCode::kFailedPrecondition : StatusCode::kUnavailable;
    return Status(code, "cannot create " + quoted(path) + ": " + errno_text(errno) +
                            (errno == EEXIST ? " (key files are never overwritten)" : ""));
  }
  std::size_t done = 0;
  int error = 0;
  while (done < text.size() && error == 0) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno != EINTR) error = errno;
    if (n > 0) done += static_cast<std::size_t>(n);
  }
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error != 0) {
    ::unlink(path.c_str());
    return Status(StatusCode::kUnavailable, "cannot write " + quoted(path) + ": " + errno_text(error));
  }
  return {};
}

}  // namespace

bool available() { return zmq_has("curve") != 0; }

bool is_key(const std::string& text) {
  if (text.size() != kZ85KeyLength) return false;
  static constexpr std::string_view kZ85 =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
  if (!std::all_of(text.begin(), text.end(), [](char c) { return kZ85.find(c) != std::string_view::npos; })) {
    return false;
  }
  std::array<std::uint8_t, 32> binary{};
  return zmq_z85_decode(binary.data(), text.c_str()) != nullptr;
}

StatusOr<KeyPair> generate() {
  if (!available()) return Status(StatusCode::kUnavailable, "this libzmq was built without CURVE support");
  std::array<char, kZ85KeyLength + 1> public_key{};
  std::array<char, kZ85KeyLength + 1> secret_key{};
  if (zmq_curve_keypair(public_key.data(), secret_key.data()) != 0) {
    return Status(StatusCode::kUnavailable, std::string("cannot make a key pair: ") + zmq_strerror(zmq_errno()));
  }
  return KeyPair{public_key.data(), secret_key.data()};
}

StatusOr<std::pair<fs::path, fs::path>> write_key_pair(const fs::path& dir, const std::string& name,
                                                       const KeyPair& pair) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    return Status(StatusCode::kInvalidArgument, "a key name is a plain file name, not '" + name + "'");
  }
  const fs::path key = dir / (name + ".key");
  const fs::path pub = dir / (name + ".pub");
  std::error_code ignored;
  if (fs::exists(pub, ignored)) {
    return Status(StatusCode::kFailedPrecondition,
                  "cannot create " + quoted(pub) + ": it exists (key files are never overwritten)");
  }
  const std::string comment = "# taskmill CurveZMQ ";
  if (Status s = write_new(key, comment + "secret key '" + name + "': keep it private\n" + pair.secret_key + "\n", 0600);
      !s.is_ok()) {
    return s;
  }
  if (Status s = write_new(pub, comment + "public key '" + name + "'\n" + pair.public_key + "\n", 0644); !s.is_ok()) {
    ::unlink(key.c_str());
    return s;
  }
  return std::pair{key, pub};
}

StatusOr<KeyPair> load_secret_key(const fs::path& path) {
  StatusOr<std::string> text = read_file(path, /*owner_only=*/true);
  if (!text.is_ok()) return text.status();
  StatusOr<std::string> secret = single_key(text.value(), path);
  if (!secret.is_ok()) return secret.status();
  std::array<char, kZ85KeyLength + 1> public_key{};
  if (zmq_curve_public(public_key.data(), secret.value().c_str()) != 0) {
    return Status(StatusCode::kInvalidArgument, "cannot derive the public key of " + quoted(path) + ": " +
                                                    zmq_strerror(zmq_errno()));
  }
  return KeyPair{public_key.data(), std::move(secret).value()};
}

StatusOr<std::string> load_public_key(const fs::path& path) {
  StatusOr<std::string> text = read_file(path, /*owner_only=*/false);
  if (!text.is_ok()) return text.status();
  return single_key(text.value(), path);
}

StatusOr<std::vector<std::string>> load_allow_list(const fs::path& path) {
  std::vector<std::string> keys;
  std::error_code error;
  if (fs::is_directory(path, error)) {
    std::vector<fs::path> files;
    for (fs::directory_iterator it(path, error), end; !error && it != end; it.increment(error)) {
      if (it->path().extension() == ".pub") files.push_back(it->path());
    }
    if (error) return Status(StatusCode::kUnavailable, "cannot list " + quoted(path) + ": " + error.message());
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      StatusOr<std::string> key = load_public_key(file);
      if (!key.is_ok()) return key.status();
      keys.push_back(std::move(key).value());
    }
  } else {
    StatusOr<std::string> text = read_file(path, /*owner_only=*/false);
    if (!text.is_ok()) return text.status();
    std::size_t line_number = 0;
    for (std::string& line : key_lines(text.value())) {
      ++line_number;
      if (!is_key(line)) {
        return Status(StatusCode::kInvalidArgument, quoted(path) + ": key " + std::to_string(line_number) +
                                                        " is not a CurveZMQ public key (40 characters of Z85 text)");
      }
      keys.push_back(std::move(line));
    }
  }
  if (keys.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  quoted(path) + " lists no public keys: nobody could connect (add NAME.pub files or key lines)");
  }
  return keys;
}

void make_server(zmq::socket_t& socket, const KeyPair& own) {
  socket.set(zmq::sockopt::curve_server, 1);
  socket.set(zmq::sockopt::curve_secretkey, own.secret_key);
  socket.set(zmq::sockopt::zap_domain, "taskmill");
}

void make_client(zmq::socket_t& socket, const ClientKeys& keys) {
  socket.set(zmq::sockopt::curve_serverkey, keys.server_public_key);
  socket.set(zmq::sockopt::curve_publickey, keys.own.public_key);
  socket.set(zmq::sockopt::curve_secretkey, keys.own.secret_key);
}

}  // namespace taskmill::curve
