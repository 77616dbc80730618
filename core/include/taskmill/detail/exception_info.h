// exception_info.h: describe the exception being handled, for JobError.
#pragma once

#include <exception>
#include <string>

namespace taskmill::detail {

struct ExceptionInfo {
  std::string type;     // demangled C++ type, e.g. "std::out_of_range"
  std::string message;  // what(), or a fixed text for non-std exceptions
};

// Call only inside a catch block.
ExceptionInfo describe_current_exception();

}  // namespace taskmill::detail
