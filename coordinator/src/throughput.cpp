#include "throughput.h"

namespace taskmill::coordinator {

namespace {
constexpr auto kWindow = std::chrono::seconds(10);
}

void Throughput::count(v1::Outcome outcome) {
  switch (outcome) {
    case v1::OUTCOME_SUCCEEDED: ++succeeded_; break;
    case v1::OUTCOME_CANCELLED: ++cancelled_; break;
    default: ++failed_; break;
  }
}

void Throughput::sample(Clock::time_point now) {
  samples_.emplace_back(now, total());
  while (samples_.size() > 1 && now - samples_[1].first >= kWindow) samples_.pop_front();
}

double Throughput::rate(Clock::time_point now) const {
  if (samples_.empty()) return 0;
  const double seconds = std::chrono::duration<double>(now - samples_.front().first).count();
  if (seconds <= 0) return 0;
  return static_cast<double>(total() - samples_.front().second) / seconds;
}

}  // namespace taskmill::coordinator
