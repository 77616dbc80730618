// processes.h: checks on real processes for the fault tests.
#pragma once

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace taskmill::testing {

// True once `pid` has exited (or is a zombie waiting for whoever adopted it to
// reap it). Waits up to about 20 s; a CTest timeout stops a real hang first.
inline bool process_gone(int pid) {
  for (int i = 0; i < 2000; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string skip, state;
    if (!(stat >> skip >> skip >> state) || state == "Z") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace taskmill::testing
