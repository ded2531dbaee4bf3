#include "sotto/comm/stats.h"

#include <cstdio>

namespace sotto {

const char* commOpName(CommOp op) {
  switch (op) {
    case CommOp::kSend:
      return "send";
    case CommOp::kRecv:
      return "recv";
    case CommOp::kExchange:
      return "exchange";
    case CommOp::kBroadcast:
      return "broadcast";
    case CommOp::kAllReduce:
      return "allReduce";
    case CommOp::kAllGather:
      return "allGather";
    case CommOp::kGather:
      return "gather";
    case CommOp::kBarrier:
      return "barrier";
  }
  return "?";
}

CommCounters& CommCounters::operator+=(const CommCounters& o) {
  bytes_sent += o.bytes_sent;
  bytes_received += o.bytes_received;
  messages_sent += o.messages_sent;
  messages_received += o.messages_received;
  rounds += o.rounds;
  calls += o.calls;
  return *this;
}

namespace {
void appendRow(std::string& out, const std::string& name, const CommCounters& c) {
  char line[160];
  std::snprintf(line, sizeof line, "%-26s %8llu %8llu %14llu %14llu\n", name.c_str(),
                static_cast<unsigned long long>(c.calls), static_cast<unsigned long long>(c.rounds),
                static_cast<unsigned long long>(c.bytes_sent),
                static_cast<unsigned long long>(c.bytes_received));
  out += line;
}
}  // namespace

std::string CommStats::toString() const {
  std::string out;
  appendRow(out, "op / tag", CommCounters{});
  out.replace(27, out.size() - 27, "   calls   rounds     bytes sent bytes received\n");
  for (int i = 0; i < kNumCommOps; ++i) {
    if (by_op[i].calls > 0) appendRow(out, commOpName(static_cast<CommOp>(i)), by_op[i]);
  }
  for (const auto& [tag, c] : by_tag) {
    if (!tag.empty() && c.calls > 0) appendRow(out, "[" + tag + "]", c);
  }
  appendRow(out, "total", total);
  return out;
}

}  // namespace sotto
