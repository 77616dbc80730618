// The coordinator's rankings of workers (internals): the highest rank is
// right after every insert and erase, across the 64-rank words of the
// bitmap that finds it, and find() walks ranks from the highest down.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include "rank_buckets.h"

using taskmill::coordinator::RankBuckets;
using taskmill::coordinator::RankPlace;

namespace {

struct Item {
  int id = 0;
  RankPlace place;
};

}  // namespace

TEST_CASE("rank buckets know their highest rank after each insert and erase", "[unit][rank_buckets]") {
  RankBuckets<Item> buckets(&Item::place);
  std::vector<Item> items(6);
  for (int i = 0; i < 6; ++i) items[static_cast<std::size_t>(i)].id = i;
  CHECK(buckets.empty());
  CHECK(buckets.top() == nullptr);

  buckets.insert(items[0], 3);
  buckets.insert(items[1], 200);  // a word of the bitmap far above
  buckets.insert(items[2], 64);   // the first rank of the second word
  buckets.insert(items[3], 63);   // the last of the first
  CHECK(buckets.top_rank() == 200);
  CHECK(buckets.top() == &items[1]);

  buckets.erase(items[1]);
  CHECK(buckets.top_rank() == 64);
  buckets.erase(items[2]);
  CHECK(buckets.top_rank() == 63);
  buckets.erase(items[1]);  // not in: nothing happens
  CHECK(buckets.top_rank() == 63);
  buckets.erase(items[3]);
  CHECK(buckets.top_rank() == 3);
  CHECK(buckets.top() == &items[0]);
  buckets.erase(items[0]);
  CHECK(buckets.empty());
  CHECK(buckets.top_rank() == 0);
  CHECK(buckets.top() == nullptr);

  // Two in one bucket: the rank stays in use until both are out.
  buckets.insert(items[4], 130);
  buckets.insert(items[5], 130);
  buckets.insert(items[0], 1);
  buckets.erase(items[4]);
  CHECK(buckets.top_rank() == 130);
  CHECK(buckets.top() == &items[5]);
  buckets.erase(items[5]);
  CHECK(buckets.top_rank() == 1);
}

TEST_CASE("rank buckets agree with a sorted model through random re-ranking", "[unit][rank_buckets]") {
  RankBuckets<Item> buckets(&Item::place);
  std::vector<Item> items(40);
  std::map<int, int> rank_of;  // item id -> rank, for the items in
  for (int i = 0; i < 40; ++i) items[static_cast<std::size_t>(i)].id = i;
  std::mt19937 random(7);
  for (int step = 0; step < 20000; ++step) {
    const int id = static_cast<int>(random() % items.size());
    Item& item = items[static_cast<std::size_t>(id)];
    buckets.erase(item);  // re-rank, as the worker table does
    rank_of.erase(id);
    if (random() % 3 != 0) {
      const int rank = 1 + static_cast<int>(random() % 300);
      buckets.insert(item, rank);
      rank_of[id] = rank;
    }
    int highest = 0;
    for (const auto& [in, rank] : rank_of) highest = std::max(highest, rank);
    REQUIRE(buckets.top_rank() == highest);
    if (highest > 0) {
      const Item* top = buckets.top();
      REQUIRE(top != nullptr);
      REQUIRE(rank_of.at(top->id) == highest);
      // find() with a predicate that holds for odd ids only: the first it
      // returns has the highest rank among the odd ones.
      int highest_odd = 0;
      for (const auto& [in, rank] : rank_of) {
        if (in % 2 == 1) highest_odd = std::max(highest_odd, rank);
      }
      const Item* odd = buckets.find([](const Item& i) { return i.id % 2 == 1; });
      if (highest_odd == 0) {
        REQUIRE(odd == nullptr);
      } else {
        REQUIRE(odd != nullptr);
        REQUIRE(rank_of.at(odd->id) == highest_odd);
      }
    }
  }
}
