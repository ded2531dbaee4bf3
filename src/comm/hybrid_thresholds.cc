#include "sotto/comm/hybrid_thresholds.h"

#include <charconv>

#include "sotto/error.h"

namespace sotto {
namespace {

std::string bytesText(size_t n) { return n == SIZE_MAX ? "never" : std::to_string(n); }

size_t parseBytes(std::string_view text, std::string_view whole) {
  if (text == "never") return SIZE_MAX;
  size_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  SOTTO_ENFORCE(ec == std::errc() && end == text.data() + text.size() && !text.empty(),
                "hybrid threshold '", whole, "': '", text,
                "' is not a byte count or 'never' (e.g. 262144, or "
                "p2p=262144,broadcast=1048576,allreduce=never)");
  return n;
}

}  // namespace

std::string toString(const HybridThresholds& t) {
  return "p2p=" + bytesText(t.p2p) + ",broadcast=" + bytesText(t.broadcast) +
         ",allreduce=" + bytesText(t.all_reduce);
}

HybridThresholds parseHybridThresholds(std::string_view text) {
  HybridThresholds t;
  bool first = true;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t comma = std::min(text.find(',', pos), text.size());
    const std::string_view item = text.substr(pos, comma - pos);
    pos = comma + 1;
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      SOTTO_ENFORCE(first, "hybrid threshold '", text,
                    "': a bare byte count may only come first (then kind=N items)");
      t = HybridThresholds(parseBytes(item, text));
    } else {
      const std::string_view kind = item.substr(0, eq);
      const size_t n = parseBytes(item.substr(eq + 1), text);
      if (kind == "p2p") {
        t.p2p = n;
      } else if (kind == "broadcast") {
        t.broadcast = n;
      } else if (kind == "allreduce") {
        t.all_reduce = n;
      } else {
        throw InvalidArgument("hybrid threshold '" + std::string(text) + "': unknown kind '" +
                              std::string(kind) + "' (p2p, broadcast, allreduce)");
      }
    }
    first = false;
  }
  return t;
}

}  // namespace sotto
