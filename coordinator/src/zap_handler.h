// zap_handler.h: the coordinator's ZAP handler (ZeroMQ RFC 27): decides which
// CurveZMQ peers may connect, by their public key.
//
//   ZapHandler zap(context, {"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"});  // before the ROUTER binds
//
// It binds a REP socket at inproc://zeromq.zap.01 in `context` and answers on
// a thread of its own: 200 for a CURVE peer whose key is on the list, 400 for
// any other peer, 500 for a request it cannot read. libzmq asks it during each
// handshake of every socket in the context with a ZAP domain set, before any
// message of that peer is read. One per context.
//
// Thread-safety: the destructor stops and joins the thread; nothing else is
// called after construction.
#pragma once

#include <zmq.hpp>

#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "taskmill/detail/wake_fd.h"

namespace taskmill::coordinator {

class ZapHandler {
 public:
  // `allowed`: Z85 public keys. Throws taskmill::Error if the ZAP endpoint is
  // taken (another handler in this context) or a key is not Z85.
  ZapHandler(zmq::context_t& context, const std::vector<std::string>& allowed);
  ~ZapHandler();
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

 private:
  void serve();
  void answer_one();

  zmq::socket_t socket_;  // the handler thread's once it runs
  std::unordered_set<std::string> allowed_;  // 32-byte binary keys, as ZAP sends them
  detail::WakeFd stop_;
  std::thread thread_;
};

}  // namespace taskmill::coordinator
