// security_options.h: the daemon's CurveZMQ settings, from flags or its
// configuration file, turned into CoordinatorOptions::curve.
//
//   taskmill-coordinator --listen tcp://0.0.0.0:5555 --curve-secret coordinator.key --allow-keys keys/
//   # or, in the --config file:   curve_secret = "coordinator.key"   allow_keys = "keys/"
//
// Both or neither: security is off when neither is given.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "taskmill/curve.h"

namespace taskmill::coordinator {

struct SecurityFiles {
  std::string curve_secret;  // the coordinator's secret key file
  std::string allow_keys;    // a directory of NAME.pub files, or a file of keys, one a line
};

// Adds --curve-secret and --allow-keys, which fill `files`.
void add_security_flags(CLI::App& app, SecurityFiles& files);

// Reads the keys. nullopt when neither file is named. Throws ConfigError
// naming the file and what is wrong with it (missing, too open, not a key),
// or that only one of the two was given.
std::optional<curve::ServerKeys> load_server_keys(const SecurityFiles& files);

}  // namespace taskmill::coordinator
