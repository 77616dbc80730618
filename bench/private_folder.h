// private_folder.h: a folder of this benchmark's own for ipc:// sockets,
// made by mkdtemp (mode 0700, a name no one else has) and removed, with
// what is left in it, when destroyed.
//
//   bench::PrivateFolder folder("zmq-floor");   // /tmp/taskmill-zmq-floor-a1B2c3
//   socket.bind("ipc://" + folder.path() + "/echo");
#pragma once

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

namespace bench {

class PrivateFolder {
 public:
  explicit PrivateFolder(const std::string& name) : path_("/tmp/taskmill-" + name + "-XXXXXX") {
    if (::mkdtemp(path_.data()) == nullptr) {  // fills in the six X's
      std::perror(("taskmill bench: cannot make " + path_).c_str());
      std::exit(2);
    }
  }
  ~PrivateFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  PrivateFolder(const PrivateFolder&) = delete;
  PrivateFolder& operator=(const PrivateFolder&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace bench
