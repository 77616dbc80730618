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
// O(1) too: after an erase it steps down past empty buckets, which are few
// because a rank moves by one per assignment or result.
// Each item holds a RankPlace per RankBuckets it may be in (intrusive), so
// an item is found without a lookup. Items must not move while in.
// Not thread-safe: owned by the coordinator's loop thread.
#pragma once

#include <cstddef>
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
    if (static_cast<std::size_t>(rank) >= buckets_.size()) buckets_.resize(static_cast<std::size_t>(rank) + 1);
    std::vector<T*>& bucket = buckets_[static_cast<std::size_t>(rank)];
    item.*place_ = RankPlace{rank, bucket.size()};
    bucket.push_back(&item);
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
    place = RankPlace{};
    while (top_ > 0 && buckets_[static_cast<std::size_t>(top_)].empty()) --top_;
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
  RankPlace T::*place_;
  std::vector<std::vector<T*>> buckets_;  // by rank; [0] stays empty
  int top_ = 0;
};

}  // namespace taskmill::coordinator
