#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "taskmill/errors.h"
#include "taskmill/job_context.h"

using namespace std::chrono_literals;
using taskmill::CancelFlag;
using taskmill::JobContext;

namespace {

struct LastProgress : taskmill::ProgressSink {
  double fraction = -1;
  std::string note;
  void on_progress(double f, std::string_view n) override {
    fraction = f;
    note = n;
  }
};

}  // namespace

TEST_CASE("a context reports cancellation once its flag is raised", "[unit][context]") {
  CancelFlag flag;
  JobContext ctx(taskmill::JobId{7}, 2, &flag, std::nullopt, nullptr);
  CHECK(ctx.id() == taskmill::JobId{7});
  CHECK(ctx.attempt() == 2);
  CHECK_FALSE(ctx.cancelled());
  CHECK_NOTHROW(ctx.throw_if_cancelled());
  flag.request();
  CHECK(ctx.cancelled());
  CHECK_THROWS_AS(ctx.throw_if_cancelled(), taskmill::CancelledError);
}

TEST_CASE("a context past its deadline is cancelled with a TimeoutError", "[unit][context]") {
  CancelFlag flag;
  JobContext ctx(taskmill::JobId{1}, 1, &flag, JobContext::Clock::now() - 1ms, nullptr);
  CHECK(ctx.cancelled());
  CHECK_THROWS_AS(ctx.throw_if_cancelled(), taskmill::TimeoutError);
  CHECK_FALSE(ctx.sleep_for(1h));  // returns at once: the deadline has passed
}

TEST_CASE("sleep_for wakes when another thread cancels", "[unit][context]") {
  CancelFlag flag;
  JobContext ctx(taskmill::JobId{1}, 1, &flag, std::nullopt, nullptr);
  std::thread canceller([&] { flag.request(); });
  CHECK_FALSE(ctx.sleep_for(1h));  // would hang the test (and hit its timeout) if not woken
  canceller.join();
}

TEST_CASE("sleep_for sleeps through when nobody cancels", "[unit][context]") {
  CancelFlag flag;
  JobContext ctx(taskmill::JobId{1}, 1, &flag, std::nullopt, nullptr);
  CHECK(ctx.sleep_for(1ms));
}

TEST_CASE("progress reports reach the sink, clamped to [0, 1]", "[unit][context]") {
  LastProgress sink;
  JobContext ctx(taskmill::JobId{1}, 1, nullptr, std::nullopt, &sink);
  ctx.report_progress(0.25, "a quarter");
  CHECK(sink.fraction == 0.25);
  CHECK(sink.note == "a quarter");
  ctx.report_progress(7.0);
  CHECK(sink.fraction == 1.0);
}
