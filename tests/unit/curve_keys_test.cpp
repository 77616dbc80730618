// Key files and allow-lists (taskmill/curve.h): what is accepted, and the
// errors that say what is wrong with what is not.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/scratch_dir.h"
#include "taskmill/curve.h"

namespace fs = std::filesystem;
namespace curve = taskmill::curve;
using taskmill::testing::ScratchDir;

namespace {

curve::KeyPair fresh() {
  auto pair = curve::generate();
  REQUIRE(pair.is_ok());
  return pair.value();
}

}  // namespace

TEST_CASE("a written key pair reads back, and is never overwritten", "[unit][curve]") {
  ScratchDir dir("curve");
  const curve::KeyPair pair = fresh();
  auto written = curve::write_key_pair(dir.path, "node", pair);
  REQUIRE(written.is_ok());
  struct stat info {};
  REQUIRE(::stat(written.value().first.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  auto secret = curve::load_secret_key(written.value().first);
  REQUIRE(secret.is_ok());
  CHECK(secret.value().secret_key == pair.secret_key);
  CHECK(secret.value().public_key == pair.public_key);  // derived from the secret key
  CHECK(curve::load_public_key(written.value().second).value() == pair.public_key);

  auto again = curve::write_key_pair(dir.path, "node", fresh());
  REQUIRE_FALSE(again.is_ok());
  CHECK(again.status().code() == taskmill::StatusCode::kFailedPrecondition);
  CHECK(curve::load_secret_key(written.value().first).value().secret_key == pair.secret_key);
  CHECK_FALSE(curve::write_key_pair(dir.path, "../escape", fresh()).is_ok());
}

TEST_CASE("a secret key that group or others may access is refused, as ssh does", "[unit][curve]") {
  ScratchDir dir("curve");
  auto written = curve::write_key_pair(dir.path, "node", fresh());
  REQUIRE(written.is_ok());
  const fs::path key = written.value().first;
  auto mode = GENERATE(0640, 0604, 0660, 0610);
  REQUIRE(::chmod(key.c_str(), static_cast<mode_t>(mode)) == 0);
  auto loaded = curve::load_secret_key(key);
  REQUIRE_FALSE(loaded.is_ok());
  CHECK(loaded.status().code() == taskmill::StatusCode::kFailedPrecondition);
  CHECK_THAT(loaded.status().message(), Catch::Contains("are too open") && Catch::Contains("chmod 600"));
  REQUIRE(::chmod(key.c_str(), 0400) == 0);
  CHECK(curve::load_secret_key(key).is_ok());
}

TEST_CASE("key files hold exactly one Z85 key, and comments and blank lines are ignored", "[unit][curve]") {
  ScratchDir dir("curve");
  const std::string key = fresh().public_key;
  std::ofstream(dir.path / "ok.pub") << "# a comment\n\n  " << key << "  \r\n";
  CHECK(curve::load_public_key(dir.path / "ok.pub").value() == key);
  std::ofstream(dir.path / "two.pub") << key << "\n" << key << "\n";
  std::ofstream(dir.path / "short.pub") << key.substr(1) << "\n";
  std::ofstream(dir.path / "bad.pub") << "~" << key.substr(1) << "\n";  // '~' is not Z85
  for (const char* name : {"two.pub", "short.pub", "bad.pub"}) {
    auto loaded = curve::load_public_key(dir.path / name);
    REQUIRE_FALSE(loaded.is_ok());
    CHECK_THAT(loaded.status().message(), Catch::Contains(name) && Catch::Contains("does not hold one CurveZMQ key"));
  }
  auto missing = curve::load_public_key(dir.path / "missing.pub");
  CHECK(missing.status().code() == taskmill::StatusCode::kNotFound);
}

TEST_CASE("an allow-list is a directory of .pub files or a file of keys, and never empty", "[unit][curve]") {
  ScratchDir dir("curve");
  const std::string a = fresh().public_key;
  const std::string b = fresh().public_key;
  fs::create_directories(dir.path / "keys");
  std::ofstream(dir.path / "keys" / "a.pub") << a << "\n";
  std::ofstream(dir.path / "keys" / "b.pub") << b << "\n";
  std::ofstream(dir.path / "keys" / "notes.txt") << "not a key, and not read\n";
  CHECK(curve::load_allow_list(dir.path / "keys").value() == std::vector<std::string>{a, b});

  std::ofstream(dir.path / "list") << "# allowed\n" << a << "\n\n" << b << "\n";
  CHECK(curve::load_allow_list(dir.path / "list").value() == std::vector<std::string>{a, b});

  std::ofstream(dir.path / "broken") << a << "\nnot-a-key\n";
  auto broken = curve::load_allow_list(dir.path / "broken");
  REQUIRE_FALSE(broken.is_ok());
  CHECK_THAT(broken.status().message(), Catch::Contains("key 2 is not a CurveZMQ public key"));

  fs::create_directories(dir.path / "empty");
  std::ofstream(dir.path / "comments") << "# nobody\n";
  for (const char* name : {"empty", "comments"}) {
    auto none = curve::load_allow_list(dir.path / name);
    REQUIRE_FALSE(none.is_ok());
    CHECK_THAT(none.status().message(), Catch::Contains("lists no public keys"));
  }
}
