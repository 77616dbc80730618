// rank_buckets.h: items bucketed by a small positive rank, highest first.
//
//   RankBuckets<Worker> by_credit(&Worker::credit_place);
//   by_credit.insert(w, 17);
//   Worker* best = by_credit.find([](const Worker& w) { return w.catalog.contains(job); });
//
// The worker table ranks workers by free credit and by prefetched jobs, and
// re-ranks one on every assignment and result: insert and erase are O(1) and
// allocate nothing once a bucket has grown, where a std::set allocates a node
// per re-rank and compares keys on the way down. The highest rank is found in
// O(1) too, from a bitmap of the buckets in use: after an erase empties the
// top bucket, the next one down is a scan of 64 ranks per word. (Stepping
// down bucket by bucket cost ~1,000 instructions per assignment: the
// worker table takes a worker out to re-rank it, and with one or two
// workers the next rank in use was often 0, some 250 ranks below.)
// Each item holds a RankPlace per RankBuckets it may be in (intrusive), so
// an item is found without a lookup. Items must not move while in.
// Not thread-safe: owned by the coordinator's loop thread.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace taskmill::coordinator {

// Where an item sits in one RankBuckets: rank 0 means it is not in.
struct RankPlace {
  int rank = 0;
  std::size_t at = 0;
};

template <class T>
class RankBuckets {
 public:
  explicit RankBuckets(RankPlace T::*place) : place_(place) {}

  // Puts `item`, which is not in, at `rank` (> 0).
  void insert(T& item, int rank) {
    const auto r = static_cast<std::size_t>(rank);
    if (r >= buckets_.size()) {
      buckets_.resize(r + 1);
      in_use_.resize(r / 64 + 1);
    }
    std::vector<T*>& bucket = buckets_[r];
    item.*place_ = RankPlace{rank, bucket.size()};
    bucket.push_back(&item);
    in_use_[r / 64] |= std::uint64_t{1} << (r % 64);
    if (rank > top_) top_ = rank;
  }

  // Takes `item` out; nothing if it is not in.
  void erase(T& item) {
    RankPlace& place = item.*place_;
    if (place.rank == 0) return;
    std::vector<T*>& bucket = buckets_[static_cast<std::size_t>(place.rank)];
    T* last = bucket.back();  // fills the hole: order within a rank is not kept
    bucket[place.at] = last;
    (last->*place_).at = place.at;
    bucket.pop_back();
    if (bucket.empty()) {
      const auto r = static_cast<std::size_t>(place.rank);
      in_use_[r / 64] &= ~(std::uint64_t{1} << (r % 64));
      if (place.rank == top_) top_ = highest_in_use();
    }
    place = RankPlace{};
  }

  bool empty() const { return top_ == 0; }
  // The highest rank of an item in, 0 if none.
  int top_rank() const { return top_; }
  // An item of the highest rank; nullptr if none.
  T* top() const { return empty() ? nullptr : buckets_[static_cast<std::size_t>(top_)].back(); }

  // The first item, highest rank first, for which `pred` holds; nullptr if none.
  template <class Pred>
  T* find(Pred&& pred) const {
    for (int rank = top_; rank > 0; --rank) {
      for (T* item : buckets_[static_cast<std::size_t>(rank)]) {
        if (pred(*item)) return item;
      }
    }
    return nullptr;
  }

 private:
  int highest_in_use() const {
    for (std::size_t word = static_cast<std::size_t>(top_) / 64 + 1; word-- > 0;) {
      if (in_use_[word] != 0) return static_cast<int>(word * 64 + 63 - std::countl_zero(in_use_[word]));
    }
    return 0;
  }

  RankPlace T::*place_;
  std::vector<std::vector<T*>> buckets_;  // by rank; [0] stays empty
  std::vector<std::uint64_t> in_use_;     // bit r % 64 of word r / 64: buckets_[r] is not empty
  int top_ = 0;
};

}  // namespace taskmill::coordinator
