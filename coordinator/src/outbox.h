// outbox.h: the messages one turn of the coordinator's loop builds for each
// peer, sent together when the turn ends (Loop::flush).
//
// They live on one arena that flush() resets, so an Assignment, a JobResult
// or an AcceptedJob, and the string objects in it, cost no allocation and no
// free of their own (a string longer than 15 bytes still mallocs its text).
// As heap messages, made and destroyed one by one, they cost a fifth of
// the loop's instructions (callgrind of a service coordinator running
// 10,000 jobs of 100 us).
#pragma once

#include <google/protobuf/arena.h>

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>

#include "taskmill/v1/taskmill.pb.h"

namespace taskmill::coordinator {

// The arena a turn's outboxes share. Its first block is kept across
// resets, so a turn of a few hundred jobs needs no block of its own.
class OutboxArena {
 public:
  OutboxArena() : first_block_(new char[kBlockBytes]), arena_(options(first_block_.get())) {}
  OutboxArena(const OutboxArena&) = delete;
  OutboxArena& operator=(const OutboxArena&) = delete;

  google::protobuf::Arena* get() noexcept { return &arena_; }
  // Frees every message made on it: call once no Outbox holds one.
  void reset() { arena_.Reset(); }

 private:
  static constexpr std::size_t kBlockBytes = std::size_t{64} << 10;

  static google::protobuf::ArenaOptions options(char* first_block) {
    google::protobuf::ArenaOptions o;
    o.initial_block = first_block;
    o.initial_block_size = kBlockBytes;
    o.max_block_size = kBlockBytes;  // a large turn grows by whole blocks, not 8 KiB ones
    return o;
  }

  std::unique_ptr<char[]> first_block_;  // before arena_: it must outlive it
  google::protobuf::Arena arena_;
};

// One kind of message (assignments, results, ...) for each peer this turn.
class Outbox {
 public:
  explicit Outbox(OutboxArena& arena) noexcept : arena_(arena.get()) {}

  // The message for `peer`, empty when first asked for this turn.
  v1::Envelope& to(const std::string& peer) {
    auto [at, fresh] = by_peer_.try_emplace(peer, nullptr);
    if (fresh) at->second = google::protobuf::Arena::CreateMessage<v1::Envelope>(arena_);
    return *at->second;
  }
  void erase(const std::string& peer) { by_peer_.erase(peer); }  // its message stays on the arena until reset
  void clear() noexcept { by_peer_.clear(); }

  auto begin() const noexcept { return by_peer_.begin(); }
  auto end() const noexcept { return by_peer_.end(); }

 private:
  google::protobuf::Arena* arena_;
  std::unordered_map<std::string, v1::Envelope*> by_peer_;
};

}  // namespace taskmill::coordinator
