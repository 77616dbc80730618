#include "taskmill/detail/exception_info.h"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <typeinfo>

namespace taskmill::detail {
namespace {

std::string demangle(const char* mangled) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> name(abi::__cxa_demangle(mangled, nullptr, nullptr, &status),
                                                   &std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(mangled);
}

}  // namespace

ExceptionInfo describe_current_exception() {
  const std::type_info* type = abi::__cxa_current_exception_type();
  ExceptionInfo info{type != nullptr ? demangle(type->name()) : "unknown", ""};
  try {
    throw;
  } catch (const std::exception& e) {
    info.message = e.what();
  } catch (...) {
    info.message = "a non-std::exception value was thrown";
  }
  return info;
}

}  // namespace taskmill::detail
