// processes.h: checks on real processes for the fault tests.
#pragma once

#include <chrono>
#include <fstream>
#include <sstream>
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

// The minor page faults `pid` has taken so far (field 10 of /proc/PID/stat,
// counted after the parenthesised command name, which may hold spaces); -1 if
// it cannot be read.
inline long minor_faults(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const std::size_t name_end = line.rfind(')');
  if (name_end == std::string::npos) return -1;
  std::istringstream fields(line.substr(name_end + 1));
  std::string skip;
  for (int i = 0; i < 7; ++i) fields >> skip;  // state ppid pgrp session tty_nr tpgid flags
  long faults = -1;
  fields >> faults;
  return faults;
}

}  // namespace taskmill::testing
