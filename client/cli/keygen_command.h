// keygen_command.h: `taskmill keygen NAME [--dir DIR]`: makes a CurveZMQ key
// pair for a coordinator, a worker or a client.
//
//   taskmill::cli::KeygenCommand keygen(app);        // before app.parse()
//   ...
//   if (keygen.chosen()) return keygen.run();
//
// Writes DIR/NAME.key (the secret key, mode 0600 from the moment it exists)
// and DIR/NAME.pub (the public key, to hand to the other side), creating DIR
// (mode 0700) if needed. Never overwrites a key file. Prints both paths.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace taskmill::cli {

class KeygenCommand {
 public:
  // Adds the subcommand to `app`.
  explicit KeygenCommand(CLI::App& app);
  // After parsing: whether the command line chose `keygen`.
  bool chosen() const { return command_->parsed(); }
  // Writes the files; returns 0. Throws taskmill::Error saying why it could not.
  int run() const;

 private:
  CLI::App* command_;
  std::string name_;
  std::string dir_ = ".";
};

}  // namespace taskmill::cli
