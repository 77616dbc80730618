// curve.h: CurveZMQ keys: key files, allow-lists, and the socket options that
// turn security on (DESIGN.md, "Security").
//
//   auto pair = curve::generate();                       // taskmill keygen does this
//   curve::write_key_pair("/etc/taskmill", "coordinator", pair.value());
//   auto own = curve::load_secret_key("worker.key");     // refused if group/others may read it
//   auto server = curve::load_public_key("coordinator.pub");
//   curve::make_client(dealer, {own.value(), server.value()});   // before connect()
//
// Key files are Z85 text (40 characters) on one line; blank lines and lines
// starting with '#' are ignored. NAME.key holds the secret key and is created
// owner-only (0600) from the start; NAME.pub holds the public key. A secret
// key file that group or others may access is refused, as ssh refuses one.
// Nothing here throws: every failure is a Status naming the file.
#pragma once

#include <zmq.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "taskmill/status.h"

namespace taskmill::curve {

// Z85 text, 40 characters each.
struct KeyPair {
  std::string public_key;
  std::string secret_key;
};

// What a client or worker needs: its own key pair and the coordinator's public key.
struct ClientKeys {
  KeyPair own;
  std::string server_public_key;
};

// What the coordinator needs: its key pair and the public keys it accepts.
struct ServerKeys {
  KeyPair own;
  std::vector<std::string> allowed;
};

// A fresh key pair. kUnavailable if libzmq was built without CURVE.
StatusOr<KeyPair> generate();

// Writes DIR/NAME.key (mode 0600, never more open, even for a moment) and
// DIR/NAME.pub (0644). Refuses to overwrite either (kFailedPrecondition);
// on failure leaves neither behind. Returns the two paths (key, pub).
StatusOr<std::pair<std::filesystem::path, std::filesystem::path>> write_key_pair(const std::filesystem::path& dir,
                                                                                 const std::string& name,
                                                                                 const KeyPair& pair);

// Reads a secret key file and derives its public key. kFailedPrecondition if
// the file's mode lets group or others in; kInvalidArgument if it holds no
// valid key.
StatusOr<KeyPair> load_secret_key(const std::filesystem::path& path);

// Reads a public key file (one Z85 key).
StatusOr<std::string> load_public_key(const std::filesystem::path& path);

// An allow-list: a directory (every *.pub file in it, one key each) or a file
// with one Z85 key per line. An empty list is refused (it would lock everyone out).
StatusOr<std::vector<std::string>> load_allow_list(const std::filesystem::path& path);

// True if `text` is a valid Z85-encoded 32-byte key.
bool is_key(const std::string& text);

// Socket setup, before bind() or connect(). make_server also sets the ZAP
// domain, so that the coordinator's ZAP handler is asked about every peer.
void make_server(zmq::socket_t& socket, const KeyPair& own);
void make_client(zmq::socket_t& socket, const ClientKeys& keys);

// True if this libzmq can do CURVE (zmq_has("curve")).
bool available();

}  // namespace taskmill::curve
