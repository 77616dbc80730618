// shared_name.h: an immutable string shared by reference count, in 8 bytes.
//
//   SharedName client = peer;        // one heap copy of the text
//   job.client = client;             // every job of that client shares it
//   results_out_.to(job.client);     // reads as a const std::string&
//
// A Job names its client and its worker with one: a queued job then costs a
// pointer for each rather than a 32-byte std::string, plus the heap copy of a
// routing id longer than 15 bytes (W8: coordinator memory per queued job).
// The implicit conversions let code written for std::string fields read it
// unchanged. Not thread-safe, not even for copies of one name on different
// threads (the count is not atomic): every copy belongs to the coordinator's
// loop thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace taskmill::coordinator {

class SharedName {
 public:
  SharedName() = default;
  // Implicit, so that `Job{.client = peer}` reads as it did with a std::string.
  SharedName(std::string text) : block_(text.empty() ? nullptr : new Block{1, std::move(text)}) {}
  SharedName(const SharedName& other) noexcept : block_(other.block_) {
    if (block_ != nullptr) ++block_->refs;
  }
  SharedName(SharedName&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  SharedName& operator=(SharedName other) noexcept {
    std::swap(block_, other.block_);
    return *this;
  }
  ~SharedName() { clear(); }

  const std::string& str() const { return block_ == nullptr ? empty_text() : block_->text; }
  operator const std::string&() const { return str(); }
  operator std::string_view() const { return str(); }
  bool empty() const { return block_ == nullptr; }
  void clear() noexcept {
    if (block_ != nullptr && --block_->refs == 0) delete block_;
    block_ = nullptr;
  }
  // Whether both name the same copy (not merely equal text).
  bool shares_with(const SharedName& other) const { return block_ == other.block_; }

  friend bool operator==(const SharedName& a, const SharedName& b) { return a.block_ == b.block_ || a.str() == b.str(); }
  friend bool operator==(const SharedName& a, const std::string& b) { return a.str() == b; }

 private:
  struct Block {
    std::size_t refs;
    std::string text;
  };
  static const std::string& empty_text() {
    static const std::string empty;
    return empty;
  }

  Block* block_ = nullptr;
};

}  // namespace taskmill::coordinator
