// tasks.h: the shared states that carry a job's request and run it.
#pragma once

#include <utility>
#include <vector>

#include "taskmill/codec.h"
#include "taskmill/detail/shared_state.h"
#include "taskmill/job.h"

namespace taskmill::detail {

// One request for one job.
template <class Req, class Rep>
class JobTask final : public ValueState<Rep> {
 public:
  using Function = typename Job<Req, Rep>::Function;

  JobTask(JobId id, Placement placement, Function function, Req request, bool serialize)
      : ValueState<Rep>(id, placement), function_(function), request_(std::move(request)), serialize_(serialize) {}

  void execute(JobContext& context) override {
    if (serialize_) {
      // What crossing a process boundary would do to the request and reply.
      this->set_value(round_trip(function_(round_trip(request_), context)));
    } else {
      this->set_value(function_(request_, context));
    }
  }

 private:
  Function function_;
  Req request_;
  bool serialize_;
};

// One chunk of a map(): many requests run in order as one job; the reply is
// their replies in the same order.
template <class Req, class Rep>
class ChunkTask final : public ValueState<std::vector<Rep>> {
 public:
  using Function = typename Job<Req, Rep>::Function;

  ChunkTask(JobId id, Placement placement, Function function, std::vector<Req> requests, bool serialize)
      : ValueState<std::vector<Rep>>(id, placement),
        function_(function),
        requests_(std::move(requests)),
        serialize_(serialize) {}

  void execute(JobContext& context) override {
    std::vector<Rep> replies;
    replies.reserve(requests_.size());
    for (const Req& request : requests_) {
      context.throw_if_cancelled();
      replies.push_back(serialize_ ? round_trip(function_(round_trip(request), context))
                                   : function_(request, context));
    }
    this->set_value(std::move(replies));
  }

 private:
  Function function_;
  std::vector<Req> requests_;
  bool serialize_;
};

}  // namespace taskmill::detail
