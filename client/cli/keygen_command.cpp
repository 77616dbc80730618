#include "keygen_command.h"

#include <cstdio>
#include <filesystem>
#include <system_error>

#include "taskmill/curve.h"
#include "taskmill/errors.h"

namespace taskmill::cli {

KeygenCommand::KeygenCommand(CLI::App& app)
    : command_(app.add_subcommand("keygen", "make a CurveZMQ key pair: NAME.key (secret, 0600) and NAME.pub")) {
  command_->add_option("name", name_, "the key's name, e.g. coordinator, worker-1, alice")->required();
  command_->add_option("--dir", dir_, "where to write the two files (default: the current directory)");
}

int KeygenCommand::run() const {
  std::error_code error;
  if (!std::filesystem::exists(dir_, error)) {
    std::filesystem::create_directories(dir_, error);
    if (!error) std::filesystem::permissions(dir_, std::filesystem::perms::owner_all, error);
    if (error) throw Error("cannot create directory '" + dir_ + "': " + error.message());
  }
  StatusOr<curve::KeyPair> pair = curve::generate();
  if (!pair.is_ok()) throw Error(pair.status().message());
  auto written = curve::write_key_pair(dir_, name_, pair.value());
  if (!written.is_ok()) throw Error(written.status().message());
  std::printf("secret key: %s (keep it private)\npublic key: %s\n", written.value().first.c_str(),
              written.value().second.c_str());
  return 0;
}

}  // namespace taskmill::cli
