// command_jobs.h: turning command lines into exec jobs and their replies into
// output, for `taskmill run` and `taskmill map`.
#pragma once

#include <string>
#include <vector>

#include "taskmill/jobs/exec.h"

namespace taskmill::cli {

// `template` with every "{}" replaced by `input`; with no "{}", `input` is
// appended as the last argument (as GNU parallel does).
std::vector<std::string> fill_in(const std::vector<std::string>& command_template, const std::string& input);

jobs::ExecRequest exec_request(const std::vector<std::string>& argv);

// {"input": ..., "exit_code": ..., "signal": ..., "stdout": ..., "stderr": ...} on one line.
std::string json_line(const std::string& input, const jobs::ExecReply& reply);

// A JSON string literal for `text` (bytes that are not UTF-8 are escaped as \u00XX).
std::string json_string(const std::string& text);

}  // namespace taskmill::cli
