// ready_queue.h: jobs waiting for a worker, highest priority first, FIFO
// within a priority. Not thread-safe: the owner locks around it.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <vector>

#include "taskmill/detail/backend.h"

namespace taskmill::detail {

class ReadyQueue {
 public:
  void push(TaskPtr task) {
    by_priority_[task->placement().priority].push_back(std::move(task));
    ++size_;
  }

  // The next job; the queue must not be empty.
  TaskPtr pop() {
    auto level = by_priority_.begin();
    while (level->second.empty()) ++level;  // only the default level is kept when empty
    TaskPtr task = std::move(level->second.front());
    level->second.pop_front();
    if (level->second.empty() && level->first != 0) by_priority_.erase(level);
    --size_;
    return task;
  }

  std::vector<TaskPtr> drain() {
    std::vector<TaskPtr> all;
    all.reserve(size_);
    for (auto& [priority, tasks] : by_priority_) {
      for (TaskPtr& task : tasks) all.push_back(std::move(task));
    }
    by_priority_.clear();
    size_ = 0;
    return all;
  }

  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }

 private:
  std::map<int, std::deque<TaskPtr>, std::greater<>> by_priority_;
  std::size_t size_ = 0;
};

}  // namespace taskmill::detail
