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
        // A request the wire cannot carry (a string that is not UTF-8): the
        // job fails with the codec's error, as on threads with serialize = true.
        this->finish_with_error(JobState::kFailed, to_exception(id, classify_current_exception(false, false), 0));
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

  WireRequest encode_request(bool keep) override {
    if (request_) return {name_, Codec<Req>::encode(*request_), false};
    return {name_, keep ? encoded_ : std::move(encoded_), false};
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

  ChunkTask(JobId id, Placement placement, std::string_view name, Function function, std::vector<Req> requests,
            bool serialize)
      : ValueState<std::vector<Rep>>(id, placement),
        name_(name),
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

  WireRequest encode_request(bool /*keep*/) override {
    std::string batch;
    for (const Req& request : requests_) append_batch_item(batch, Codec<Req>::encode(request));
    return {name_, std::move(batch), true};
  }

  Status decode_reply(std::string_view bytes) override {
    std::vector<std::string_view> items;
    if (Status s = split_batch(bytes, &items); !s.is_ok()) return s;
    if (items.size() != requests_.size()) {
      return invalid_argument("a chunk of " + std::to_string(requests_.size()) + " requests came back with " +
                              std::to_string(items.size()) + " replies");
    }
    std::vector<Rep> replies(requests_.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (Status s = Codec<Rep>::decode(items[i], &replies[i]); !s.is_ok()) return s;
    }
    this->set_value(std::move(replies));
    return {};
  }

 private:
  std::string_view name_;
  Function function_;
  std::vector<Req> requests_;
  bool serialize_;
};

}  // namespace taskmill::detail
