#include "command_jobs.h"

#include <cstdio>

namespace taskmill::cli {

std::vector<std::string> fill_in(const std::vector<std::string>& command_template, const std::string& input) {
  std::vector<std::string> argv;
  bool placed = false;
  for (std::string arg : command_template) {
    for (std::size_t at = arg.find("{}"); at != std::string::npos; at = arg.find("{}", at + input.size())) {
      arg.replace(at, 2, input);
      placed = true;
    }
    argv.push_back(std::move(arg));
  }
  if (!placed) argv.push_back(input);
  return argv;
}

jobs::ExecRequest exec_request(const std::vector<std::string>& argv) {
  jobs::ExecRequest request;
  for (const std::string& arg : argv) request.add_argv(arg);
  return request;
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c >= 0x80) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string json_line(const std::string& input, const jobs::ExecReply& reply) {
  return "{\"input\": " + json_string(input) + ", \"exit_code\": " + std::to_string(reply.exit_code()) +
         ", \"signal\": " + std::to_string(reply.signal()) + ", \"stdout\": " + json_string(reply.stdout()) +
         ", \"stderr\": " + json_string(reply.stderr()) + "}";
}

}  // namespace taskmill::cli
