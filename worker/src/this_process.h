// this_process.h: what a worker says and does about its own process: its
// name, the Hello that registers it (slots and job catalog), its memory, and
// starting it afresh when it recycles itself.
#pragma once

#include <cstdint>
#include <string>

#include "taskmill/v1/taskmill.pb.h"

namespace taskmill::worker {

// "host:pid".
std::string host_and_pid();
// The Hello of a worker with `slots` slots: every registered job with the
// .proto files its request and reply types need.
v1::Envelope hello_message(int slots);
// The resident set of this process, from /proc/self/statm.
std::uint64_t resident_bytes();
// The same once malloc has handed every free page back to the kernel.
std::uint64_t resident_after_trim();
// "412 MiB".
std::string mebibytes(std::uint64_t bytes);
// Replaces this process with a fresh run of the same program and arguments
// (a recycled service worker has nobody to start a new one for it); if exec
// fails, logs why and exits with `status_if_it_fails`.
[[noreturn]] void restart_self(int status_if_it_fails);

}  // namespace taskmill::worker
