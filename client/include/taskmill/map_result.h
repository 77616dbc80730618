// map_result.h: the results of Executor::map, in input order.
//
//   for (std::int64_t count : ex.map(count_primes, ranges, {.chunksize = 16})) ...
//   std::vector<std::int64_t> all = ex.map(square, inputs).get();
//
// Iterating blocks on each chunk in turn and throws what the chunk threw
// (JobError, CancelledError, TimeoutError) when it reaches it.
// Thread-safety: cancel(), done() and wait() may be called from any thread;
// iterate from one thread at a time.
#pragma once

#include <cstddef>
#include <iterator>
#include <vector>

#include "taskmill/future.h"

namespace taskmill {

template <class Rep>
class MapResult {
 public:
  using Chunk = Future<std::vector<Rep>>;

  MapResult() = default;
  MapResult(std::vector<Chunk> chunks, std::size_t size) : chunks_(std::move(chunks)), size_(size) {}

  class iterator {
   public:
    using value_type = Rep;
    using difference_type = std::ptrdiff_t;

    iterator() = default;
    const Rep& operator*() const { return owner_->chunks_[chunk_].get()[item_]; }
    iterator& operator++() {
      if (++item_ == owner_->chunks_[chunk_].get().size()) {
        ++chunk_;
        item_ = 0;
      }
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& it, std::default_sentinel_t) { return it.at_end(); }

   private:
    friend class MapResult;
    explicit iterator(const MapResult* owner) : owner_(owner) {}
    bool at_end() const { return chunk_ == owner_->chunks_.size(); }
    const MapResult* owner_ = nullptr;
    std::size_t chunk_ = 0;
    std::size_t item_ = 0;
  };

  iterator begin() const { return iterator(this); }
  std::default_sentinel_t end() const { return {}; }
  // Number of requests (not chunks).
  std::size_t size() const noexcept { return size_; }

  // Every reply in input order; throws the first failure in input order.
  std::vector<Rep> get() const {
    std::vector<Rep> all;
    all.reserve(size_);
    for (const Chunk& chunk : chunks_) {
      const std::vector<Rep>& part = chunk.get();
      all.insert(all.end(), part.begin(), part.end());
    }
    return all;
  }

  // Cancels every chunk not yet started and asks running ones to stop.
  // True if no chunk will produce a result.
  bool cancel() noexcept {
    bool all = true;
    for (Chunk& chunk : chunks_) all = chunk.cancel() && all;
    return all;
  }
  bool done() const noexcept {
    for (const Chunk& chunk : chunks_) {
      if (!chunk.done()) return false;
    }
    return true;
  }
  void wait() const noexcept {
    for (const Chunk& chunk : chunks_) chunk.wait();
  }
  // One future per chunk, for wait() and as_completed().
  const std::vector<Chunk>& chunks() const noexcept { return chunks_; }

 private:
  std::vector<Chunk> chunks_;
  std::size_t size_ = 0;
};

}  // namespace taskmill
