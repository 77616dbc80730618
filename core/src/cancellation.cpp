#include "taskmill/cancellation.h"

#include "taskmill/detail/futex.h"

namespace taskmill {

void CancelFlag::request() noexcept {
  if (word_.exchange(1, std::memory_order_acq_rel) == 0) detail::futex_wake_all(word_);
}

bool CancelFlag::wait_until(Clock::time_point deadline) const noexcept {
  while (!requested() && Clock::now() < deadline) detail::futex_wait(word_, 0, &deadline);
  return requested();
}

}  // namespace taskmill
