// errors.h: the exceptions taskmill's public API throws.
//
// Every one derives from taskmill::Error (a std::runtime_error). What happened
// to a job is kept apart from the job's own exception: Future::get() throws
//   JobError        the job threw (remote_type() and what() say what it threw),
//   CancelledError  the job was cancelled (never a JobError),
//   TimeoutError    the job passed its deadline, or a wait ran out of time.
#pragma once

#include <stdexcept>
#include <string>

namespace taskmill {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A job ended by throwing. remote_type() is the C++ type of what it threw
// (demangled, e.g. "std::out_of_range"); what() is that exception's message.
class JobError : public Error {
 public:
  JobError(std::string remote_type, const std::string& message, int attempt = 1)
      : Error(message), remote_type_(std::move(remote_type)), attempt_(attempt) {}
  const std::string& remote_type() const noexcept { return remote_type_; }
  // The attempt (1-based) that failed.
  int attempt() const noexcept { return attempt_; }

 private:
  std::string remote_type_;
  int attempt_;
};

class CancelledError : public Error {
 public:
  explicit CancelledError(const std::string& what = "job was cancelled") : Error(what) {}
};

class TimeoutError : public Error {
 public:
  explicit TimeoutError(const std::string& what = "timed out") : Error(what) {}
};

// submit() named a job that no registration provides.
class UnknownJobError : public Error {
 public:
  using Error::Error;
};

// submit() or map() after shutdown().
class ShutdownError : public Error {
 public:
  explicit ShutdownError(const std::string& what = "executor is shut down") : Error(what) {}
};

// submit() or map() found Config::max_pending jobs unfinished, with
// when_full = fail. Nothing was queued; try again once some finish.
class QueueFullError : public Error {
 public:
  using Error::Error;
};

// A configuration file or value was refused. The message names the file, the
// key and what was expected.
class ConfigError : public Error {
 public:
  using Error::Error;
};

// A value could not be encoded or decoded with its codec.
class CodecError : public Error {
 public:
  using Error::Error;
};

}  // namespace taskmill
