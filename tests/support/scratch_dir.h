// scratch_dir.h: a fresh directory for one test's files (keys, logs, ipc://
// sockets), removed with everything in it when the test ends.
//
//   ScratchDir scratch("security");      // $TMPDIR/taskmill-security-<pid>-<n>
//   write(scratch / "coordinator.key");
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>

namespace taskmill::testing {

struct ScratchDir {
  explicit ScratchDir(const std::string& name) {
    static std::atomic<int> next{0};
    path = std::filesystem::temp_directory_path() /
           ("taskmill-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(next++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::filesystem::path operator/(const std::string& file) const { return path / file; }

  std::filesystem::path path;
};

}  // namespace taskmill::testing
