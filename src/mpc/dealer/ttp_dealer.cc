#include "sotto/mpc/dealer/ttp_dealer.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <utility>

#include "packed_outputs.h"
#include "sotto/comm/sub_communicator.h"
#include "sotto/crypto/prg.h"
#include "sotto/tensor/heap.h"

namespace sotto {
namespace {

using Kind = CorrelationRequest::Kind;

// Wire format, party 0 -> dealer: a header of kHeaderWords words,
//   [count, first min(count, kHeaderWords - 1) words of request.encode(), zero padding],
// followed, only if count > kHeaderWords - 1, by one message of the remaining words. count == 0
// is the shutdown. A batch (prefetch) is the header [kBatch, requests, words, zero padding]
// followed by one message of `words` words: for each request its length, then its encoding.
// Dealer -> party 0: per request, one message with the corrections of every output in
// outputShapes() order (Σ numel words; if outputBits() names widths, each entry in its low bits,
// packed_outputs.h). Dealer -> party i >= 1, at setup: its 16-byte seed.
// A batch asked ahead (Dealer::prepareNext) has the header [kBatchAhead, requests, words, ...]:
// the dealer makes every reply before sending the first, and waits for party 0 to receive them
// as long as it waits for a request (the parties compute meanwhile).
constexpr size_t kHeaderWords = 24;
// A 2^16-row, 8-column table, or a function-table spec (log and sqrt: 328 K words of coefficients).
constexpr size_t kMaxRequestWords = (size_t{1} << 19) + 64;
constexpr uint64_t kBatch = ~uint64_t{0};
constexpr uint64_t kBatchAhead = ~uint64_t{0} - 1;
constexpr uint64_t kMaxBatchRequests = uint64_t{1} << 20;

ConstBytes wordBytes(std::span<const uint64_t> w) { return std::as_bytes(w); }
MutableBytes writableWordBytes(std::span<uint64_t> w) { return std::as_writable_bytes(w); }

void checkWorld(const Communicator& world, const char* who) {
  SOTTO_ENFORCE(world.worldSize() >= 2, who, ": a TTP world needs at least 2 ranks (parties + ",
                "dealer), ", world.backendName(), " has ", world.worldSize());
}

// Adds the traffic of world between two snapshots of its totals.
void addDelta(CommCounters& into, const CommCounters& before, const CommCounters& after) {
  into.bytes_sent += after.bytes_sent - before.bytes_sent;
  into.bytes_received += after.bytes_received - before.bytes_received;
  into.messages_sent += after.messages_sent - before.messages_sent;
  into.messages_received += after.messages_received - before.messages_received;
  into.rounds += after.rounds - before.rounds;
  into.calls += after.calls - before.calls;
}

// Σ numel over the outputs, checked against kTtpMaxCorrelationWords with exception type E.
template <typename E>
size_t correlationWords(const std::vector<Shape>& shapes) {
  int64_t total = 0;
  for (const auto& s : shapes) {
    SOTTO_ENFORCE_AS(E, s.numel() <= kTtpMaxCorrelationWords - total, "ttp dealer: a correlation ",
                     "of more than ", kTtpMaxCorrelationWords, " words (output ", s.toString(),
                     "); split the tensor");
    total += s.numel();
  }
  return static_cast<size_t>(total);
}

// ---- Client ---------------------------------------------------------------------------------

class TtpDealerClient final : public Dealer {
 public:
  explicit TtpDealerClient(Communicator& world)
      : world_(world), dealer_rank_(world.worldSize() - 1) {
    checkWorld(world, "ttp dealer client");
    SOTTO_ENFORCE(world.rank() < dealer_rank_, "ttp dealer client: rank ", world.rank(),
                  " is the dealer's rank (the last of ", world.worldSize(), ")");
    auto scope = world_.tag("dealer");  // every party's stream; party 0's for free outputs only
    const CommCounters before = world_.stats().total;
    Prg::Seed seed{};
    world_.recv(dealer_rank_, std::as_writable_bytes(std::span(seed)));
    stream_.emplace(seed);
    addDelta(traffic_, before, world_.stats().total);
  }

  // Party 0 tells the dealer to stop. Best effort: this may run while an exception unwinds.
  ~TtpDealerClient() override {
    if (world_.rank() != 0 || world_.failed()) return;
    try {
      dropAhead();  // material made ahead for a prefetch that never came
      const std::vector<uint64_t> shutdown(kHeaderWords, 0);
      world_.send(dealer_rank_, wordBytes(shutdown));
    } catch (...) {
      // The dealer is gone or the world failed meanwhile: nothing left to stop.
    }
  }

  bool secure() const override { return true; }
  bool sendsTables() const override { return true; }
  std::string name() const override { return "ttp"; }

 protected:
  // Every party checks a request alike, before any communication.
  static void check(const CorrelationRequest& request) {
    (void)correlationWords<InvalidArgument>(request.outputShapes());
    if (request.kind == Kind::kTruncation) {
      SOTTO_ENFORCE(request.frac_bits > 0 && request.frac_bits < 62, "truncation by ",
                    request.frac_bits, " bits is outside (0, 62)");
    }
  }

  // Party 0: the outputs of `request`: the free ones drawn from its stream, the others from the
  // dealer's reply (its corrections, concatenated; nothing for a free output).
  std::vector<RingTensor> receiveReply(const CorrelationRequest& request) {
    std::vector<RingTensor> out;
    const auto shapes = request.outputShapes();
    const auto bits = request.outputBits();
    const auto free = request.freeOutputs();
    if (detail::anyPacked(bits)) {  // entries in the low bits the parties read
      packed_.resize(detail::packedBytes(shapes, bits));
      world_.recv(dealer_rank_, std::as_writable_bytes(std::span(packed_)));
      return detail::unpackOutputs(packed_, shapes, bits);
    }
    out.reserve(shapes.size());
    if (shapes.size() == 1 && !free[0]) {  // straight into the output (the message fills it)
      out.push_back(RingTensor::uninitialized(shapes[0]));
      world_.recv(dealer_rank_, writableWordBytes(out[0].data()));
      return out;
    }
    size_t total = 0;
    for (size_t k = 0; k < shapes.size(); ++k) {
      if (!free[k]) total += static_cast<size_t>(shapes[k].numel());
    }
    reply_.resize(total);
    world_.recv(dealer_rank_, writableWordBytes(reply_));
    const auto sharings = request.outputSharings();
    size_t at = 0;
    for (size_t k = 0; k < shapes.size(); ++k) {
      if (free[k]) {
        out.push_back(drawShare(shapes[k], sharings[k], *stream_));
        continue;
      }
      const auto n = static_cast<size_t>(shapes[k].numel());
      out.push_back(RingTensor::uninitialized(shapes[k]));
      std::copy_n(reply_.begin() + static_cast<std::ptrdiff_t>(at), n, out.back().data().begin());
      at += n;
    }
    return out;
  }

  // Party 0 asks for every request of a prefetch in one message and receives the replies as the
  // dealer makes them: one round trip for the batch instead of one per correlation. A batch asked
  // ahead (prepareNext) is delivered from what was drawn (parties i >= 1) or received (party 0).
  void fetchMany(std::span<const CorrelationRequest> requests,
                 const std::function<void(size_t, std::vector<RingTensor>)>& deliver) override {
    const std::vector<uint64_t> words = encodeBatch(requests);
    if (!ahead_.empty() && ahead_words_ == words) {
      auto scope = world_.tag("dealer");
      if (world_.rank() == 0) collectAhead();
      std::vector<std::vector<RingTensor>> outputs = std::exchange(ahead_outputs_, {});
      std::vector<CommCounters> traffic = std::exchange(ahead_traffic_, {});
      ahead_.clear();
      ahead_words_.clear();
      for (size_t k = 0; k < outputs.size(); ++k) {
        if (k < traffic.size()) addDelta(traffic_, CommCounters{}, traffic[k]);
        deliver(k, std::move(outputs[k]));
      }
      return;
    }
    dropAhead();
    if (world_.rank() != 0 || requests.size() <= 1) {
      Dealer::fetchMany(requests, deliver);
      return;
    }
    auto scope = world_.tag("dealer");
    CommCounters before = world_.stats().total;
    sendBatch(kBatch, requests.size(), words);
    for (size_t k = 0; k < requests.size(); ++k) {
      std::vector<RingTensor> out = receiveReply(requests[k]);
      const CommCounters after = world_.stats().total;
      addDelta(traffic_, before, after);
      before = after;
      deliver(k, std::move(out));
    }
  }

  // The next prefetch's requests, now: party 0 sends them (the dealer makes the replies while the
  // parties compute), parties i >= 1 draw their shares at once, so that every stream is drawn in
  // the order the dealer serves (requests that come meanwhile are served after these).
  void fetchAhead(std::span<const CorrelationRequest> requests) override {
    std::vector<uint64_t> words = encodeBatch(requests);  // every party checks alike
    if (requests.size() <= 1) return;
    dropAhead();
    if (world_.rank() == 0) {
      auto scope = world_.tag("dealer");
      const CommCounters before = world_.stats().total;
      sendBatch(kBatchAhead, requests.size(), words);
      ahead_traffic_.assign(1, CommCounters{});
      addDelta(ahead_traffic_[0], before, world_.stats().total);
      collected_ = false;
    } else {
      for (const auto& r : requests) ahead_outputs_.push_back(drawShares(r));
    }
    ahead_.assign(requests.begin(), requests.end());
    ahead_words_ = std::move(words);
  }

  std::vector<RingTensor> fetch(const CorrelationRequest& request) override {
    check(request);
    const auto shapes = request.outputShapes();
    std::vector<RingTensor> out;
    out.reserve(shapes.size());
    if (world_.rank() != 0) return drawShares(request);
    // Party 0: one round trip; the reply holds the corrections of every output, concatenated.
    // The replies of a batch asked ahead come first on the wire: received into their stash.
    auto scope = world_.tag("dealer");
    collectAhead();
    const CommCounters before = world_.stats().total;
    const std::vector<uint64_t> words = request.encode();
    std::vector<uint64_t> header(kHeaderWords, 0);
    header[0] = words.size();
    const size_t inline_words = std::min(words.size(), kHeaderWords - 1);
    std::copy_n(words.begin(), inline_words, header.begin() + 1);
    world_.send(dealer_rank_, wordBytes(header));
    if (words.size() > inline_words) {
      world_.send(dealer_rank_, wordBytes(std::span(words).subspan(inline_words)));
    }
    out = receiveReply(request);
    addDelta(traffic_, before, world_.stats().total);
    return out;
  }

 private:
  // A batch's words: for each request its length, then its encoding.
  static std::vector<uint64_t> encodeBatch(std::span<const CorrelationRequest> requests) {
    std::vector<uint64_t> words;
    for (const auto& r : requests) {
      check(r);
      const std::vector<uint64_t> code = r.encode();
      words.push_back(code.size());
      words.insert(words.end(), code.begin(), code.end());
    }
    return words;
  }

  void sendBatch(uint64_t kind, size_t requests, std::span<const uint64_t> words) {
    std::vector<uint64_t> header(kHeaderWords, 0);
    header[0] = kind;
    header[1] = requests;
    header[2] = words.size();
    world_.send(dealer_rank_, wordBytes(header));
    world_.send(dealer_rank_, wordBytes(words));
  }

  // Party i >= 1: every share is the next block of its stream, as the dealer draws it.
  std::vector<RingTensor> drawShares(const CorrelationRequest& request) {
    const auto shapes = request.outputShapes();
    const auto sharings = request.outputSharings();
    std::vector<RingTensor> out;
    out.reserve(shapes.size());
    for (size_t k = 0; k < shapes.size(); ++k) {
      out.push_back(drawShare(shapes[k], sharings[k], *stream_));
    }
    return out;
  }

  // Party 0: receives the replies of the batch asked ahead (once), with each one's traffic.
  void collectAhead() {
    if (ahead_.empty() || collected_) return;
    CommCounters before = world_.stats().total;
    for (const auto& r : ahead_) {
      ahead_outputs_.push_back(receiveReply(r));
      const CommCounters after = world_.stats().total;
      if (ahead_outputs_.size() > 1) ahead_traffic_.emplace_back();
      addDelta(ahead_traffic_.back(), before, after);
      before = after;
    }
    collected_ = true;
  }

  // A batch asked ahead that the next prefetch does not want: received (party 0) and dropped, its
  // traffic counted all the same.
  void dropAhead() {
    if (ahead_.empty()) return;
    if (world_.rank() == 0) {
      auto scope = world_.tag("dealer");
      collectAhead();
    }
    for (const auto& t : ahead_traffic_) addDelta(traffic_, CommCounters{}, t);
    ahead_.clear();
    ahead_words_.clear();
    ahead_outputs_.clear();
    ahead_traffic_.clear();
  }

  Communicator& world_;
  int dealer_rank_;
  // The batch asked ahead (prepareNext), until a prefetch uses or drops it: its requests and
  // encoding, its outputs (drawn at once by parties i >= 1, received by party 0 when it first
  // needs the dealer), and its traffic per request (the upload counts with the first).
  std::vector<CorrelationRequest> ahead_;
  std::vector<uint64_t> ahead_words_;
  std::vector<std::vector<RingTensor>> ahead_outputs_;
  std::vector<CommCounters> ahead_traffic_;
  bool collected_ = true;
  std::vector<uint64_t> reply_;    // party 0: a multi-output reply, before it is split
  std::vector<std::byte> packed_;  // party 0: a packed reply, before it is unpacked
  std::optional<Prg> stream_;      // the stream this party shares with the dealer
};

// ---- Server ---------------------------------------------------------------------------------

// Sets the world's timeout for a scope, restoring the previous one after.
class TimeoutScope {
 public:
  TimeoutScope(Communicator& c, std::chrono::milliseconds t) : c_(c), previous_(c.timeout()) {
    c_.setTimeout(t);
  }
  ~TimeoutScope() {
    try {
      c_.setTimeout(previous_);
    } catch (...) {
      // previous_ was valid when read; setTimeout cannot reject it.
    }
  }
  TimeoutScope(const TimeoutScope&) = delete;
  TimeoutScope& operator=(const TimeoutScope&) = delete;

 private:
  Communicator& c_;
  std::chrono::milliseconds previous_;
};

class TtpServer {
 public:
  explicit TtpServer(Communicator& world) : world_(world) {}

  void run(std::chrono::milliseconds idle_timeout) {
    idle_timeout_ = idle_timeout;
    auto scope = world_.tag("dealer");
    for (int p = 0; p < world_.worldSize() - 1; ++p) {
      const auto seed = Prg::osSeed();
      if (p == 0) {
        stream0_.emplace(seed);
      } else {
        streams_.emplace_back(seed);
      }
      world_.send(p, std::as_bytes(std::span(seed)));
    }
    std::vector<uint64_t> header(kHeaderWords);
    for (;;) {
      {
        TimeoutScope idle(world_, idle_timeout);
        world_.recv(0, writableWordBytes(header));
      }
      const uint64_t count = header[0];
      if (count == 0) return;  // shutdown: party 0's client was destroyed
      if (count == kBatch || count == kBatchAhead) {
        serveBatch(header[1], header[2], count == kBatchAhead);
        continue;
      }
      if (count > kMaxRequestWords) {
        reject("request of " + std::to_string(count) + " words (at most " +
               std::to_string(kMaxRequestWords) + ")");
      }
      std::vector<uint64_t> words(count);
      const size_t inline_words = std::min<size_t>(count, kHeaderWords - 1);
      std::copy_n(header.begin() + 1, inline_words, words.begin());
      if (count > inline_words) {
        world_.recv(0, writableWordBytes(std::span(words).subspan(inline_words)));
      }
      const Reply reply = serve(words);
      world_.send(0, reply.bytes());
    }
  }

 private:
  // A prefetch's requests in one message; one reply per request, in order, sent as it is made,
  // or, for a batch asked ahead, all made first and then sent while party 0 may still compute.
  void serveBatch(uint64_t requests, uint64_t total_words, bool ahead) {
    if (requests < 2 || requests > kMaxBatchRequests ||
        total_words > requests * (kMaxRequestWords + 1)) {
      reject("batch of " + std::to_string(requests) + " requests in " +
             std::to_string(total_words) + " words");
    }
    std::vector<uint64_t> words(total_words);
    world_.recv(0, writableWordBytes(words));
    std::vector<Reply> made;
    size_t at = 0;
    for (uint64_t k = 0; k < requests; ++k) {
      const uint64_t count = at < words.size() ? words[at] : 0;
      if (count == 0 || count > kMaxRequestWords || count > words.size() - at - 1) {
        reject("request " + std::to_string(k) + " of a batch has a bad length");
      }
      Reply reply = serve(std::span(words).subspan(at + 1, count));
      if (ahead) {
        made.push_back(std::move(reply));
      } else {
        world_.send(0, reply.bytes());
      }
      at += 1 + count;
    }
    if (at != words.size()) reject("a batch has words after its last request");
    TimeoutScope idle(world_, idle_timeout_);
    for (const Reply& reply : made) world_.send(0, reply.bytes());
  }

  // Tells every rank, then throws: the parties' pending calls fail promptly.
  [[noreturn]] void reject(const std::string& why) {
    const std::string msg = "ttp dealer: rejected a request from party 0: " + why;
    world_.abort(msg);
    throw ProtocolError(msg);
  }

  // Party 0's corrections for one encoded request, per output: value - Σ_{i>=1} stream_i, or
  // value ⊕ stream_1 ⊕ ... for an XOR-shared output; packed if the request names widths.
  using Words = std::vector<uint64_t, detail::DefaultInitAllocator<uint64_t>>;
  struct Reply {
    Words words;
    std::vector<std::byte> packed;
    ConstBytes bytes() const { return packed.empty() ? wordBytes(words) : std::span(packed); }
  };
  Reply serve(std::span<const uint64_t> words) {
    CorrelationRequest request;
    std::vector<Shape> shapes;
    std::vector<Sharing> sharings;
    std::vector<RingTensor> values;
    std::vector<bool> free;
    detail::OutputBits bits;
    // Party i >= 1's shares of the outputs before the last free one, drawn first (in the order it
    // draws them): a free output's value is the sum (XOR) of every party's share, party 0's from
    // its own stream, and the outputs computed from it come after.
    std::vector<std::vector<RingTensor>> early(streams_.size());
    size_t last = 0;
    try {
      request = CorrelationRequest::decode(words);
      shapes = request.outputShapes();
      sharings = request.outputSharings();
      bits = request.outputBits();
      free = request.freeOutputs();
      (void)correlationWords<ProtocolError>(shapes);
      checkMaskIds(request);
      for (size_t k = 0; k < free.size(); ++k) {
        if (free[k]) last = k + 1;
      }
      std::vector<RingTensor> given(shapes.size());
      for (size_t k = 0; k < last; ++k) {
        for (size_t i = 0; i < streams_.size(); ++i) {
          early[i].push_back(drawShare(shapes[k], sharings[k], streams_[i]));
        }
        if (!free[k]) continue;
        given[k] = drawShare(shapes[k], sharings[k], *stream0_);
        for (const auto& e : early) {
          if (sharings[k] == Sharing::kXor) {
            given[k] ^= e[k];
          } else {
            given[k] += e[k];
          }
        }
      }
      values = generateCorrelation(request, prg_, masks_, last > 0 ? &given : nullptr);
    } catch (const Error& e) {  // ProtocolError, or InvalidArgument from a shape check
      reject(e.what());
    }
    size_t total = 0;
    for (size_t k = 0; k < shapes.size(); ++k) {
      if (values.size() != shapes.size() || sharings.size() != shapes.size() ||
          values[k].shape() != shapes[k]) {
        reject("output " + std::to_string(k) + " does not have shape " + shapes[k].toString());
      }
      if (!free[k]) total += static_cast<size_t>(shapes[k].numel());
    }
    Words reply(total);  // every word written below
    std::vector<uint64_t> draw;
    size_t at = 0;
    for (size_t k = 0; k < shapes.size(); ++k) {
      if (free[k]) continue;  // each party drew its share
      if (sharings[k] == Sharing::kPrfTable || sharings[k] == Sharing::kPrfPairs) {  // PRF keys
        for (auto& stream : streams_) removeStream(values[k], stream, sharings[k]);
        const auto v = values[k].data();
        std::copy(v.begin(), v.end(), reply.begin() + at);
        at += v.size();
        continue;
      }
      if (k < last) {  // the other parties' shares were drawn early
        for (const auto& e : early) removeShare(values[k], e[k], sharings[k]);
      }
      const auto v = values[k].data();
      std::copy(v.begin(), v.end(), reply.begin() + at);
      draw.resize(v.size());
      for (auto& stream : streams_) {  // same order and sizes as each party draws
        if (k < last) break;           // drawn early, removed above
        stream.fill(std::span(draw));
        if (sharings[k] == Sharing::kXor) {
          for (size_t i = 0; i < draw.size(); ++i) reply[at + i] ^= draw[i];
        } else {
          for (size_t i = 0; i < draw.size(); ++i) reply[at + i] -= draw[i];
        }
      }
      at += v.size();
    }
    if (detail::anyPacked(bits)) {
      if (last > 0) reject("a packed correlation with free outputs");
      return {{}, detail::packOutputs(reply, shapes, bits)};
    }
    return {std::move(reply), {}};
  }

  // A new fixed mask needs a fresh id; a triple with a fixed mask needs a known id whose shape is
  // the one the request names.
  void checkMaskIds(const CorrelationRequest& r) const {
    if (r.kind == Kind::kFixedMask) {
      if (known(r.mask_id)) {
        throw ProtocolError("fixed mask id " + std::to_string(r.mask_id) + " is already in use");
      }
    } else if (r.kind == Kind::kFixedMatmul || r.kind == Kind::kFixedConv2d) {
      const RingTensor& b = masks_.get(r.mask_id);  // ProtocolError if unknown
      if (b.shape() != r.shapes[1]) {
        throw ProtocolError("fixed mask " + std::to_string(r.mask_id) + " has shape " +
                            b.shape().toString() + ", the request names " + r.shapes[1].toString());
      }
    }
  }

  bool known(uint64_t id) const {
    try {
      masks_.get(id);
      return true;
    } catch (const ProtocolError&) {
      return false;
    }
  }

  Communicator& world_;
  std::chrono::milliseconds idle_timeout_{kTtpIdleTimeout};
  std::optional<Prg> stream0_;  // party 0's stream (free outputs only)
  std::vector<Prg> streams_;    // party i's stream at i - 1
  Prg prg_;                     // the correlations' randomness, known to the dealer only
  FixedMaskStore masks_;
};

}  // namespace

std::unique_ptr<Dealer> makeTtpDealerClient(Communicator& world) {
  return std::make_unique<TtpDealerClient>(world);
}

void runTtpDealer(Communicator& world, std::chrono::milliseconds idle_timeout) {
  checkWorld(world, "ttp dealer");
  SOTTO_ENFORCE(world.rank() == world.worldSize() - 1, "ttp dealer: must run on the last rank (",
                world.worldSize() - 1, "), this is rank ", world.rank());
  SOTTO_ENFORCE(idle_timeout.count() > 0, "ttp dealer: idle timeout must be positive, got ",
                idle_timeout.count(), " ms");
  retainFreedMemory();  // as the parties do (heap.h): its correlations are reused buffers too
  TtpServer(world).run(idle_timeout);
}

TtpSetup setupTtp(Communicator& world) {
  checkWorld(world, "ttp setup");
  TtpSetup setup;
  if (world.rank() == world.worldSize() - 1) {
    setup.is_dealer = true;
    return setup;
  }
  setup.online = std::make_unique<SubCommunicator>(world, world.worldSize() - 1);
  setup.dealer = makeTtpDealerClient(world);
  return setup;
}

}  // namespace sotto
