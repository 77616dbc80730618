#include "security_options.h"

#include "taskmill/errors.h"

namespace taskmill::coordinator {

void add_security_flags(CLI::App& app, SecurityFiles& files) {
  app.add_option("--curve-secret", files.curve_secret,
                 "CurveZMQ: this coordinator's secret key file (from taskmill keygen; mode 0600)");
  app.add_option("--allow-keys", files.allow_keys,
                 "CurveZMQ: the clients' and workers' public keys: a directory of *.pub files or a file of keys");
}

std::optional<curve::ServerKeys> load_server_keys(const SecurityFiles& files) {
  if (files.curve_secret.empty() && files.allow_keys.empty()) return std::nullopt;
  if (files.curve_secret.empty() || files.allow_keys.empty()) {
    throw ConfigError("CurveZMQ needs both a secret key (--curve-secret, curve_secret) and the keys it accepts "
                      "(--allow-keys, allow_keys)");
  }
  if (!curve::available()) throw ConfigError("this libzmq was built without CurveZMQ support");
  StatusOr<curve::KeyPair> own = curve::load_secret_key(files.curve_secret);
  if (!own.is_ok()) throw ConfigError(own.status().message());
  StatusOr<std::vector<std::string>> allowed = curve::load_allow_list(files.allow_keys);
  if (!allowed.is_ok()) throw ConfigError(allowed.status().message());
  return curve::ServerKeys{std::move(own).value(), std::move(allowed).value()};
}

}  // namespace taskmill::coordinator
