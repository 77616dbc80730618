// tasks.h: the shared states that carry a job's request and run it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "taskmill/codec.h"
#include "taskmill/detail/batch.h"
#include "taskmill/detail/outcome.h"
#include "taskmill/detail/shared_state.h"
#include "taskmill/job.h"

namespace taskmill::detail {

// Call in a catch block around encoding a request: the job fails with the
// codec's exception (a user's Codec may throw), as it would on threads with
// serialize = true, instead of the exception reaching the thread that sends
// jobs to the coordinator.
inline void fail_unencodable(SharedState& task) {
  task.finish_with_error(JobState::kFailed, to_exception(task.id(), classify_current_exception(false, false), 0));
}

// One request for one job.
template <class Req, class Rep>
class JobTask final : public ValueState<Rep> {
 public:
  using Function = typename Job<Req, Rep>::Function;

  // `encoded`: the job crosses a process boundary, so the request is kept
  // only as its encoding, made here on the submitting thread. A large request
  // then exists twice only until this returns (the caller's copy is freed and
  // its memory reused by the next submit) instead of for the job's lifetime.
  JobTask(JobId id, Placement placement, std::string_view name, Function function, Req request, bool serialize,
          bool encoded)
      : ValueState<Rep>(id, placement), name_(name), function_(function), serialize_(serialize) {
    if (encoded) {
      try {
        encoded_ = Codec<Req>::encode(request);
      } catch (...) {
        fail_unencodable(*this);
      }
    } else {
      request_.emplace(std::move(request));
    }
  }

  void execute(JobContext& context) override {
    if (serialize_) {
      // What crossing a process boundary would do to the request and reply.
      this->set_value(round_trip(function_(round_trip(*request_), context)));
    } else {
      this->set_value(function_(*request_, context));
    }
  }

  WireRequest encode_request() override {
    if (request_) return {name_, Codec<Req>::encode(*request_), false};
    return {name_, std::move(encoded_), false};
  }

  Status decode_reply(std::string_view bytes) override {
    Rep reply{};
    if (Status s = Codec<Rep>::decode(bytes, &reply); !s.is_ok()) return s;
    this->set_value(std::move(reply));
    return {};
  }

 private:
  std::string_view name_;  // the Job's or the registry's: both live as long as the program
  Function function_;
  std::optional<Req> request_;  // or, when encoded at submit:
  std::string encoded_;
  bool serialize_;
};

// One chunk of a map(): many requests run in order as one job; the reply is
// their replies in the same order.
template <class Req, class Rep>
class ChunkTask final : public ValueState<std::vector<Rep>> {
 public:
  using Function = typename Job<Req, Rep>::Function;

  // `encoded`: as for JobTask, the requests are kept only as their Batch.
  ChunkTask(JobId id, Placement placement, std::string_view name, Function function, std::vector<Req> requests,
            bool serialize, bool encoded)
      : ValueState<std::vector<Rep>>(id, placement),
        name_(name),
        function_(function),
        count_(requests.size()),
        serialize_(serialize) {
    if (!encoded) {
      requests_.emplace(std::move(requests));
      return;
    }
    try {
      for (const Req& request : requests) append_batch_item(encoded_, Codec<Req>::encode(request));
    } catch (...) {
      fail_unencodable(*this);
    }
  }

  void execute(JobContext& context) override {
    std::vector<Rep> replies;
    replies.reserve(count_);
    for (const Req& request : *requests_) {
      context.throw_if_cancelled();
      replies.push_back(serialize_ ? round_trip(function_(round_trip(request), context))
                                   : function_(request, context));
    }
    this->set_value(std::move(replies));
  }

  WireRequest encode_request() override {
    if (!requests_) return {name_, std::move(encoded_), true};
    std::string batch;
    for (const Req& request : *requests_) append_batch_item(batch, Codec<Req>::encode(request));
    return {name_, std::move(batch), true};
  }

  Status decode_reply(std::string_view bytes) override {
    std::vector<std::string_view> items;
    if (Status s = split_batch(bytes, &items); !s.is_ok()) return s;
    if (items.size() != count_) {
      return invalid_argument("a chunk of " + std::to_string(count_) + " requests came back with " +
                              std::to_string(items.size()) + " replies");
    }
    std::vector<Rep> replies(count_);
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (Status s = Codec<Rep>::decode(items[i], &replies[i]); !s.is_ok()) return s;
    }
    this->set_value(std::move(replies));
    return {};
  }

 private:
  std::string_view name_;
  Function function_;
  std::size_t count_;
  std::optional<std::vector<Req>> requests_;  // or, when encoded at submit:
  std::string encoded_;
  bool serialize_;
};

}  // namespace taskmill::detail
