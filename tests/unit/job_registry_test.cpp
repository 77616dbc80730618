#include <catch2/catch.hpp>

#include <cstdint>
#include <stdexcept>

#include "support/test_jobs.h"
#include "taskmill/errors.h"
#include "taskmill/job.h"
#include "taskmill/jobs/samples.h"

using taskmill::JobRegistry;

TEST_CASE("registered jobs are listed by name with their wire types", "[unit][registry]") {
  const taskmill::JobInfo* info = JobRegistry::global().find("count_primes");
  REQUIRE(info != nullptr);
  CHECK(info->request_type->full_name() == "taskmill.jobs.v1.Range");
  CHECK(info->reply_type->full_name() == "google.protobuf.Int64Value");

  auto all = JobRegistry::global().list();
  REQUIRE(all.size() >= 6);
  for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i - 1]->name < all[i]->name);
}

TEST_CASE("a job runs from encoded bytes, as a worker process runs it", "[unit][registry]") {
  const taskmill::JobInfo* info = JobRegistry::global().find("test.square");
  REQUIRE(info != nullptr);
  taskmill::JobContext ctx(taskmill::JobId{1}, 1, nullptr, std::nullopt, nullptr);
  std::string reply = info->run_encoded(taskmill::Codec<std::int64_t>::encode(12), ctx);
  std::int64_t value = 0;
  REQUIRE(taskmill::Codec<std::int64_t>::decode(reply, &value).is_ok());
  CHECK(value == 144);
  CHECK_THROWS_AS(info->run_encoded("\xff\xff", ctx), taskmill::CodecError);
}

TEST_CASE("looking up an unknown job names it and the registered ones", "[unit][registry]") {
  CHECK(JobRegistry::global().find("no.such.job") == nullptr);
  CHECK_THROWS_WITH((taskmill::find_job_function<std::int64_t, std::int64_t>("no.such.job")),
                    Catch::Contains("no job named 'no.such.job'") && Catch::Contains("count_primes"));
  CHECK_THROWS_AS((taskmill::find_job_function<std::int64_t, std::int64_t>("no.such.job")),
                  taskmill::UnknownJobError);
}

TEST_CASE("looking up a job with the wrong types says which types it has", "[unit][registry]") {
  CHECK_THROWS_WITH((taskmill::find_job_function<std::string, std::int64_t>("test.square")),
                    Catch::Contains("takes google.protobuf.Int64Value"));
  CHECK(taskmill::find_job_function<std::int64_t, std::int64_t>("test.square") == taskmill::testing::square.function());
}
