// libFuzzer target: a worker's catalog, as the taskmill CLI reads it.
//
// The input is a serialized Hello (untrusted: any peer can send one). Its
// catalog and FileDescriptorSet become the Catalog a coordinator hands the
// CLI, and the CLI's own JsonCodec takes it: each job's types are described
// (`taskmill catalog`), the Hello's `name` is given as a job's JSON arguments
// (`taskmill submit JOB --args`), and as the bytes of its reply (`taskmill
// result`). Errors are taskmill::Error, which the CLI prints; anything else,
// or a crash, is a finding.
#include <cstdint>
#include <string>

#include "json_codec.h"
#include "taskmill/errors.h"
#include "taskmill/v1/taskmill.pb.h"

namespace {

template <class F>
void expect_answer_or_error(F&& step) {
  try {
    step();
  } catch (const taskmill::Error&) {
    // a clear error for the user: expected for most inputs
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  taskmill::v1::Hello hello;
  if (size > (std::size_t{1} << 30) || !hello.ParseFromArray(data, static_cast<int>(size))) return 0;
  taskmill::v1::Catalog catalog;
  *catalog.mutable_types() = hello.catalog();
  *catalog.mutable_descriptors() = hello.descriptors();
  const taskmill::cli::JsonCodec codec(std::move(catalog));
  for (const taskmill::v1::JobType& job : codec.catalog().types()) {
    (void)codec.describe(job.request_type());
    (void)codec.describe(job.reply_type());
    expect_answer_or_error([&] {
      const std::string request = codec.request_from_json(job.name(), hello.name());
      (void)codec.reply_to_json(job.name(), request);  // jobs whose reply type is their request type
    });
    expect_answer_or_error([&] { (void)codec.reply_to_json(job.name(), hello.name()); });
  }
  return 0;
}
