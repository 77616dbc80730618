#include "in_order.h"

#include <optional>

#include "progress_bar.h"

namespace taskmill::cli {

namespace {
constexpr std::size_t kJobsPerSubmit = 1024;
}

void run_in_order(ServiceClient& client, const std::string& job, std::vector<std::string> payloads,
                  const JobOptions& options, const Config& config, bool progress_bar,
                  const std::function<void(std::size_t, const v1::JobResult&)>& emit) {
  const std::size_t total = payloads.size();
  for (std::size_t first = 0; first < total; first += kJobsPerSubmit) {
    std::vector<v1::JobSpec> batch;
    for (std::size_t i = first; i < std::min(total, first + kJobsPerSubmit); ++i) {
      batch.push_back(job_spec(job, std::move(payloads[i]), options, config));
      batch.back().set_id(i + 1);  // ids are ours; 0 is not used
    }
    client.submit(std::move(batch));
  }
  std::vector<std::optional<v1::JobResult>> results(total);
  std::size_t received = 0, emitted = 0, failed = 0;
  ProgressBar bar(total, progress_bar);
  while (emitted < total) {
    auto result = client.next_result(std::chrono::milliseconds(200));
    if (result && result->id() >= 1 && result->id() <= total && !results[result->id() - 1]) {
      ++received;
      if (result->outcome() != v1::OUTCOME_SUCCEEDED) ++failed;
      results[result->id() - 1] = std::move(*result);
    }
    bar.update(received, failed);
    for (; emitted < total && results[emitted]; ++emitted) {
      emit(emitted, *results[emitted]);
      results[emitted].reset();  // emitted: its memory can go
    }
  }
}

std::string describe_failure(const v1::JobResult& result) {
  std::string outcome = v1::Outcome_Name(result.outcome());
  if (outcome.starts_with("OUTCOME_")) outcome.erase(0, 8);
  std::string text = outcome;
  if (!result.error_type().empty()) text += ": " + result.error_type();
  if (!result.error_message().empty()) text += ": " + result.error_message();
  return text;
}

void report_failures(const std::vector<std::string>& failures, std::size_t total) {
  if (failures.empty()) return;
  constexpr std::size_t kShown = 10;
  std::string list;
  for (std::size_t i = 0; i < failures.size() && i < kShown; ++i) list += (i == 0 ? "" : ", ") + failures[i];
  if (failures.size() > kShown) list += " and " + std::to_string(failures.size() - kShown) + " more";
  std::fprintf(stderr, "taskmill: %zu of %zu jobs failed: %s\n", failures.size(), total, list.c_str());
}

}  // namespace taskmill::cli
