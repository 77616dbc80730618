#include "journal.h"

#include "taskmill/errors.h"

namespace taskmill::coordinator {

namespace {

constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"(
  CREATE TABLE IF NOT EXISTS jobs(
    id INTEGER PRIMARY KEY, client BLOB NOT NULL, client_id INTEGER NOT NULL, name TEXT NOT NULL,
    payload BLOB NOT NULL, chunk INTEGER NOT NULL, priority INTEGER NOT NULL, deadline_unix_ms INTEGER,
    max_retries INTEGER NOT NULL, detached INTEGER NOT NULL, submitted_unix_ms INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS results(id INTEGER PRIMARY KEY, status BLOB NOT NULL);
)";

// SQLite keys are signed; job ids use all 64 bits.
sqlite3_int64 key(std::uint64_t id) { return static_cast<sqlite3_int64>(id); }
std::uint64_t id_of(sqlite3_int64 key) { return static_cast<std::uint64_t>(key); }

std::string column_bytes(sqlite3_stmt* row, int column) {
  const void* data = sqlite3_column_blob(row, column);
  const int size = sqlite3_column_bytes(row, column);
  return data == nullptr ? std::string() : std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

// Deadlines live on the steady clock, which does not survive a restart; the
// journal keeps them as wall-clock times.
std::int64_t to_unix_ms(Clock::time_point deadline) {
  return unix_ms_now() + std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
}
Clock::time_point from_unix_ms(std::int64_t unix_ms) {
  return Clock::now() + std::chrono::milliseconds(unix_ms - unix_ms_now());
}

}  // namespace

Journal::Journal(const std::filesystem::path& path) : path_(path.string()) {
  try {
    open();
  } catch (...) {
    sqlite3_close_v2(db_);  // a constructor that throws gets no destructor
    throw;
  }
}

void Journal::open() {
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    fail("cannot open");
  }
  sqlite3_extended_result_codes(db_, 1);
  exec("PRAGMA journal_mode = WAL");
  exec("PRAGMA synchronous = FULL");  // a commit is on disk when it returns
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &raw, nullptr) != SQLITE_OK) fail("cannot read");
  Statement version(raw);
  const int found = sqlite3_step(raw) == SQLITE_ROW ? sqlite3_column_int(raw, 0) : -1;
  version.reset();
  if (found == 0) {
    exec("BEGIN");
    exec(kSchema);
    exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
    exec("COMMIT");
  } else if (found != kSchemaVersion) {
    fail("is not a taskmill journal of version " + std::to_string(kSchemaVersion));
  }
  insert_job_ = prepare(
      "INSERT OR REPLACE INTO jobs(id, client, client_id, name, payload, chunk, priority, deadline_unix_ms, "
      "max_retries, detached, submitted_unix_ms) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  delete_job_ = prepare("DELETE FROM jobs WHERE id = ?");
  insert_result_ = prepare("INSERT OR REPLACE INTO results(id, status) VALUES(?, ?)");
  delete_result_ = prepare("DELETE FROM results WHERE id = ?");
}

Journal::~Journal() {
  if (in_transaction_) sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  insert_job_.reset();
  delete_job_.reset();
  insert_result_.reset();
  delete_result_.reset();
  sqlite3_close_v2(db_);
}

Journal::Contents Journal::read() const {
  Contents contents;
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "SELECT id, client, client_id, name, payload, chunk, priority, deadline_unix_ms, max_retries, "
                         "detached, submitted_unix_ms FROM jobs ORDER BY id",
                         -1, &raw, nullptr) != SQLITE_OK) {
    fail("cannot read its jobs");
  }
  Statement jobs(raw);
  while (sqlite3_step(raw) == SQLITE_ROW) {
    Job job{.client = column_bytes(raw, 1),
            .client_id = static_cast<std::uint64_t>(sqlite3_column_int64(raw, 2)),
            .name = column_bytes(raw, 3),
            .payload = Payload(column_bytes(raw, 4)),
            .chunk = sqlite3_column_int(raw, 5) != 0,
            .detached = sqlite3_column_int(raw, 9) != 0,
            .priority = sqlite3_column_int(raw, 6),
            .deadline = std::nullopt,
            .max_retries = static_cast<std::uint32_t>(sqlite3_column_int64(raw, 8)),
            .submitted_unix_s = static_cast<std::uint32_t>(sqlite3_column_int64(raw, 10) / 1000)};
    if (sqlite3_column_type(raw, 7) != SQLITE_NULL) job.deadline = from_unix_ms(sqlite3_column_int64(raw, 7));
    contents.jobs.emplace_back(id_of(sqlite3_column_int64(raw, 0)), std::move(job));
  }
  if (sqlite3_prepare_v2(db_, "SELECT id, status FROM results ORDER BY id", -1, &raw, nullptr) != SQLITE_OK) {
    fail("cannot read its results");
  }
  Statement results(raw);
  while (sqlite3_step(raw) == SQLITE_ROW) {
    v1::JobStatus status;
    if (!status.ParseFromString(column_bytes(raw, 1))) continue;  // unreadable: the rest still count
    contents.results.emplace_back(id_of(sqlite3_column_int64(raw, 0)), std::move(status));
  }
  return contents;
}

void Journal::job_accepted(std::uint64_t id, const Job& job) {
  begin();
  sqlite3_stmt* s = insert_job_.get();
  sqlite3_bind_int64(s, 1, key(id));
  const std::string& client = job.client;
  sqlite3_bind_blob(s, 2, client.data(), static_cast<int>(client.size()), SQLITE_STATIC);
  sqlite3_bind_int64(s, 3, static_cast<sqlite3_int64>(job.client_id));
  sqlite3_bind_text(s, 4, job.name.data(), static_cast<int>(job.name.size()), SQLITE_STATIC);
  const std::string_view payload = job.payload.view();
  sqlite3_bind_blob(s, 5, payload.data(), static_cast<int>(payload.size()), SQLITE_STATIC);
  sqlite3_bind_int(s, 6, job.chunk ? 1 : 0);
  sqlite3_bind_int(s, 7, job.priority);
  if (job.deadline) {
    sqlite3_bind_int64(s, 8, to_unix_ms(*job.deadline));
  } else {
    sqlite3_bind_null(s, 8);
  }
  sqlite3_bind_int64(s, 9, job.max_retries);
  sqlite3_bind_int(s, 10, job.detached ? 1 : 0);
  sqlite3_bind_int64(s, 11, std::int64_t{job.submitted_unix_s} * 1000);
  step(s);
}

void Journal::job_ended(std::uint64_t id) {
  begin();
  sqlite3_bind_int64(delete_job_.get(), 1, key(id));
  step(delete_job_.get());
}

void Journal::result_kept(std::uint64_t id, const v1::JobStatus& status) {
  begin();
  const std::string bytes = status.SerializeAsString();
  sqlite3_bind_int64(insert_result_.get(), 1, key(id));
  sqlite3_bind_blob(insert_result_.get(), 2, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  step(insert_result_.get());
}

void Journal::result_dropped(std::uint64_t id) {
  begin();
  sqlite3_bind_int64(delete_result_.get(), 1, key(id));
  step(delete_result_.get());
}

void Journal::commit() {
  if (!in_transaction_) return;
  in_transaction_ = false;
  exec("COMMIT");
}

Journal::Statement Journal::prepare(const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &raw, nullptr) != SQLITE_OK) fail("cannot prepare a statement");
  return Statement(raw);
}

void Journal::begin() {
  if (in_transaction_) return;
  exec("BEGIN");
  in_transaction_ = true;
}

void Journal::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string why = message != nullptr ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    fail(why);
  }
}

void Journal::step(sqlite3_stmt* statement) {
  const int status = sqlite3_step(statement);
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  if (status != SQLITE_DONE) fail("cannot write");
}

void Journal::fail(const std::string& what) const {
  throw Error("journal " + path_ + ": " + what + (db_ != nullptr ? std::string(" (") + sqlite3_errmsg(db_) + ")" : ""));
}

}  // namespace taskmill::coordinator
