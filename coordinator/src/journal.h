// journal.h: the coordinator's durable record (SQLite in WAL mode) of every
// accepted job and every kept result, so that a coordinator killed and
// restarted on the same file loses nothing it acknowledged.
//
// Writes made during one loop turn go into one transaction; commit() ends it
// and returns once it is on disk (synchronous = FULL). The loop commits before
// it sends anything, so an acknowledgement never precedes durability.
//
// Not thread-safe: owned by the coordinator's loop thread.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "job_table.h"
#include "taskmill/v1/taskmill.pb.h"

namespace taskmill::coordinator {

class Journal {
 public:
  // Opens or creates the journal. Throws taskmill::Error naming the file if
  // it cannot be opened or is not a taskmill journal.
  explicit Journal(const std::filesystem::path& path);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  struct Contents {
    std::vector<std::pair<std::uint64_t, Job>> jobs;              // accepted, not finished (as submitted)
    std::vector<std::pair<std::uint64_t, v1::JobStatus>> results;  // finished detached jobs not fetched
  };
  // Everything recorded, for a coordinator starting on this journal.
  Contents read() const;

  void job_accepted(std::uint64_t id, const Job& job);
  void job_ended(std::uint64_t id);
  void result_kept(std::uint64_t id, const v1::JobStatus& status);
  void result_dropped(std::uint64_t id);

  // Makes this turn's writes durable. Throws taskmill::Error if it cannot.
  void commit();

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
  };
  using Statement = std::unique_ptr<sqlite3_stmt, Finalize>;

  void open();
  Statement prepare(const char* sql);
  void begin();
  void exec(const char* sql);
  void step(sqlite3_stmt* statement);
  [[noreturn]] void fail(const std::string& what) const;

  std::string path_;
  sqlite3* db_ = nullptr;
  bool in_transaction_ = false;
  Statement insert_job_, delete_job_, insert_result_, delete_result_;
};

}  // namespace taskmill::coordinator
