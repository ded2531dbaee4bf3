// Range checks (PartyOptions::check_ranges, range_check.h), 2 and 3 parties, both dealers: in
// range nothing is reported; one element out of one op's domain names exactly that op; the ops'
// results are unchanged; the check opens one word per op name and costs what the header says.
#include "sotto/mpc/range_check.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "sotto/math/domain.h"
#include "sotto/math/functions.h"
#include "sotto/mpc/compare.h"
#include "sotto/nn/private_model.h"
#include "testing/mpc.h"

namespace sotto::testing {
namespace {

PartyOptions checking() {
  PartyOptions o;
  o.check_ranges = true;
  return o;
}

std::set<std::string> names(const std::vector<RangeCheckRow>& rows) {
  std::set<std::string> out;
  for (const auto& r : rows) out.insert(r.name);
  return out;
}

// Shares raw ring values (party 0 owns them) at the default scale.
ArithTensor ring(const Party& p, const std::vector<uint64_t>& v) {
  const Shape s{static_cast<int64_t>(v.size())};
  return ArithTensor::shareEncoded(p, 0, RingTensor(s, v), s, kDefaultFracBits);
}

uint64_t enc(double x) { return encode(x, kDefaultFracBits); }

class RangeCheckTest : public PartiesDealersTest {};

// Every checked op once, on inputs inside its domain, except the op named `bad` (if any), which
// gets one element outside it among good ones. Returns the names the check opened as 1.
std::set<std::string> runOps(const Party& p, const std::string& bad) {
  const uint64_t two62 = uint64_t{1} << 62;
  auto pick = [&](const char* op, std::vector<uint64_t> good, uint64_t outside) {
    if (bad == op) good[1] = outside;
    return ring(p, good);
  };
  const std::vector<uint64_t> small = {enc(1.5), enc(-2), enc(0.25), enc(3)};
  (void)relu(pick("relu", small, two62 + 7));
  (void)lt(pick("lt", small, two62), ring(p, small));  // bad: 2^62 - (-2) is beyond 2^62
  (void)exp(pick("exp", small, enc(40)));              // beyond ln of the largest value (32.58)
  (void)reciprocal(pick("reciprocal", small, 0));
  const std::vector<uint64_t> positive = {enc(1.5), enc(100), enc(0.25), enc(3)};
  (void)log(pick("log", positive, enc(-2)));
  (void)rsqrt(pick("rsqrt", positive, two62 * 2 + 5));  // 2^47 + ...: wraps to a negative
  (void)sqrt(pick("sqrt", positive, two62 * 2 - 1));    // the top row sqrt does not hold
  (void)softmax(pick("softmax", small, small[0] + two62 / 2).reshape({1, 4}), 1);  // 2^61 apart
  (void)maxPool2d(pick("maxPool2d", small, uint64_t{0} - two62).reshape({1, 1, 2, 2}), {2, 2},
                  {2, 2});
  return names(checkRanges(p));
}

TEST_P(RangeCheckTest, InRangeReportsNothingAndEveryOpIsLogged) {
  auto out = run(
      [&](Party& p) {
        const auto got = runOps(p, "");
        return std::make_pair(got, p.rangeChecks().rows());
      },
      checking());
  for (const auto& [got, rows] : out) {
    EXPECT_TRUE(got.empty());
    std::set<std::string> logged;
    for (const auto& r : rows) {
      logged.insert(r.name);
      EXPECT_EQ(r.calls, 1u) << r.name;
      EXPECT_EQ(r.checks, 1u) << r.name;
      EXPECT_EQ(r.violations, 0u) << r.name;
      EXPECT_GT(r.elements, 0u) << r.name;
    }
    std::set<std::string> want = {"relu",  "lt",   "exp",     "reciprocal", "log",
                                  "rsqrt", "sqrt", "softmax", "maxPool2d"};
    EXPECT_EQ(logged, want);
  }
}

TEST_P(RangeCheckTest, OneComparisonOutOfDomainNamesExactlyThatOp) {
  const std::vector<std::string> ops = {"relu", "lt", "maxPool2d"};
  const auto out = run(
      [&](Party& p) {
        std::vector<std::set<std::string>> got;
        for (const auto& op : ops) got.push_back(runOps(p, op));
        return got;
      },
      checking());
  for (const auto& got : out)
    for (size_t i = 0; i < ops.size(); ++i)
      EXPECT_EQ(got[i], std::set<std::string>{ops[i]}) << "out of domain: " << ops[i];
}

TEST_P(RangeCheckTest, OneMathInputOutOfDomainNamesExactlyThatOp) {
  const std::vector<std::string> ops = {"exp", "reciprocal", "log", "rsqrt", "sqrt", "softmax"};
  const auto out = run(
      [&](Party& p) {
        std::vector<std::set<std::string>> got;
        for (const auto& op : ops) got.push_back(runOps(p, op));
        return got;
      },
      checking());
  for (const auto& got : out)
    for (size_t i = 0; i < ops.size(); ++i)
      EXPECT_EQ(got[i], std::set<std::string>{ops[i]}) << "out of domain: " << ops[i];
}

TEST_P(RangeCheckTest, EdgesOfTheDomains) {
  // Exactly on each side of each bound, one op per check so the bits are the elements'.
  const uint64_t two62 = uint64_t{1} << 62;
  struct Case {
    const char* what;
    uint64_t x;
    bool flagged;
  };
  const int f = kDefaultFracBits;
  const std::vector<std::pair<const char*, std::vector<Case>>> cases = {
      {"relu",
       {{"2^62 - 1", two62 - 1, false},
        {"-2^62", uint64_t{0} - two62, false},
        {"2^62", two62, true},
        {"-2^62 - 1", uint64_t{0} - two62 - 1, true},
        {"-2^63", uint64_t{1} << 63, true}}},
      {"reciprocal",
       {{"1 ULP", 1, false},
        {"-1 ULP", ~uint64_t{0}, false},
        {"0", 0, true},
        {"-2^63", uint64_t{1} << 63, true},
        {"2^62", two62, true}}},
      {"log",
       {{"1 ULP", 1, false},
        {"0", 0, true},
        {"-1 ULP", ~uint64_t{0}, true},
        {"-2^63", uint64_t{1} << 63, true},
        {"2^63 - 1", (uint64_t{1} << 63) - 1, false}}},
      {"exp",
       {{"safe max", static_cast<uint64_t>(expSafeMax(f)), false},
        {"safe max + 1 ULP", static_cast<uint64_t>(expSafeMax(f)) + 1, true},
        {"-1000", enc(-1000), false}}},
      {"sqrt",
       {{"0", 0, false},
        {"safe max", static_cast<uint64_t>(kSqrtSafeMax), false},
        {"safe max + 1", static_cast<uint64_t>(kSqrtSafeMax) + 1, true},
        {"-1 ULP", ~uint64_t{0}, true}}},
  };
  auto out = run(
      [&](Party& p) {
        std::vector<bool> got;
        for (const auto& [op, list] : cases) {
          for (const auto& c : list) {
            const ArithTensor x = ring(p, {c.x, enc(1)});
            const std::string name = op;
            if (name == "relu") (void)relu(x);
            if (name == "reciprocal") (void)reciprocal(x);
            if (name == "log") (void)log(x);
            if (name == "exp") (void)exp(x);
            if (name == "sqrt") (void)sqrt(x);
            got.push_back(!checkRanges(p).empty());
          }
        }
        return got;
      },
      checking());
  for (const auto& got : out) {
    size_t i = 0;
    for (const auto& [op, list] : cases)
      for (const auto& c : list) EXPECT_EQ(got[i++], c.flagged) << op << " of " << c.what;
  }
}

TEST_P(RangeCheckTest, ResultsAreUnchanged) {
  const std::vector<double> x = {1.5, -2, 0.25, 3, 7.75, -0.5};
  auto compute = [&](Party& p) {
    const Shape s{6};
    const ArithTensor a = ArithTensor::share(p, 0, x, s);
    const ArithTensor b = ArithTensor::share(p, p.numParties() - 1, std::vector<double>(6, 0.5), s);
    std::vector<std::vector<double>> r = {
        relu(a).revealDoubles(),          lt(a, b).revealDoubles(),
        exp(a).revealDoubles(),           reciprocal(a).revealDoubles(),
        log(relu(a) + b).revealDoubles(), softmax(a.reshape({2, 3}), 1).revealDoubles()};
    (void)checkRanges(p);
    return r;
  };
  const auto on = run(compute, checking());
  const auto off = run(compute);
  for (size_t k = 0; k < on[0].size(); ++k)
    for (size_t i = 0; i < on[0][k].size(); ++i) {
      // Comparisons are exact, the math within its rounding (a few ULP, fresh masks per run;
      // exp above 4 within 2^-21 relative: functions.h).
      const double tol = k < 2 ? 0 : std::max(8 * kUlp, std::ldexp(std::fabs(off[0][k][i]), -20));
      EXPECT_NEAR(on[0][k][i], off[0][k][i], tol) << "op " << k << " element " << i;
    }
  // And right: relu and lt against plaintext.
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(on[0][0][i], std::max(x[i], 0.0));
    EXPECT_EQ(on[0][1][i], x[i] < 0.5 ? 1.0 : 0.0);
    if (x[i] < 4) {
      EXPECT_NEAR(on[0][2][i], std::exp(x[i]), 2 * kUlp);
    }
  }
}

TEST_P(RangeCheckTest, CostIsWhatTheHeaderSays) {
  // m pending words (relu: 1 per element, eq: 2) under k = 2 names: the check is ltz of m
  // words, ltz of k counts and the opening of k words, measured here on a party that is not
  // checking; rounds 9 (2 parties) or 11, and with 2 parties exactly 8·k bytes for the opening.
  const int64_t n = 1000, m = n + 2 * n, k = 2;
  struct Cost {
    uint64_t rounds, received;
  };
  auto out = run(
      [&](Party& p) {
        Party plain(p.comm(), p.dealer());
        auto cost = [&](auto&& fn) {
          const CommCounters before = p.comm().stats().total;
          fn();
          const CommCounters after = p.comm().stats().total;
          return Cost{after.rounds - before.rounds, after.bytes_received - before.bytes_received};
        };
        const auto x = ArithTensor::share(p, 0, uniform(n, 0.5, 4, 3), Shape{n});
        (void)relu(x);
        (void)eq(x, x);
        EXPECT_EQ(p.rangeChecks().pendingWords(), static_cast<uint64_t>(m));
        const Cost check = cost([&] { EXPECT_TRUE(checkRanges(p).empty()); });
        const Cost nothing = cost([&] { EXPECT_TRUE(checkRanges(p).empty()); });
        const auto zeros = [&](int64_t len) {
          return ArithTensor(plain, RingTensor(Shape{len}), 0);
        };
        const Cost ltz_m = cost([&] { (void)ltz(zeros(m)); });
        const Cost ltz_k = cost([&] { (void)ltz(zeros(k)); });
        const Cost open_k = cost([&] { (void)zeros(k).reveal(); });
        return std::vector<Cost>{check, nothing, ltz_m, ltz_k, open_k};
      },
      checking());
  for (const auto& c : out) {
    // Two comparisons (4 rounds each with 8-bit digits, 5 with the TTP's 4-bit ones) and one
    // opening.
    EXPECT_EQ(c[0].rounds, dealer() == TestDealer::kTtp ? 11u : 9u);
    EXPECT_EQ(c[0].rounds, c[2].rounds + c[3].rounds + c[4].rounds);
    EXPECT_EQ(c[0].received, c[2].received + c[3].received + c[4].received);
    EXPECT_EQ(c[1].rounds, 0u);
    EXPECT_EQ(c[1].received, 0u);
    if (parties() == 2) {
      EXPECT_EQ(c[4].received, 8u * k);
    }
  }
}

TEST_P(RangeCheckTest, PendingWordsBeyondTheThresholdAreReducedFirst) {
  // 3 relu calls of 8 elements with a threshold of 10 words: the second and third calls reduce
  // the pending words to counts (one comparison each: 4 rounds, 5 with the TTP's digits), and the
  // violation in the first still counts.
  auto out = run(
      [&](Party& p) {
        p.rangeChecks().setFlushWords(10);
        std::vector<uint64_t> v(8, enc(1));
        v[3] = uint64_t{1} << 62;
        std::vector<uint64_t> rounds, pending;
        for (int call = 0; call < 3; ++call) {
          const uint64_t before = p.comm().stats().total.rounds;
          {
            const RangeCheckLog::OpScope scope(p, call == 0 ? "first" : "later");
            (void)relu(ring(p, v));
          }
          v[3] = enc(1);
          // relu's own rounds, and 4 more when the pending words were reduced
          rounds.push_back(p.comm().stats().total.rounds - before);
          pending.push_back(p.rangeChecks().pendingWords());
        }
        return std::make_tuple(names(checkRanges(p)), rounds, pending);
      },
      checking());
  for (const auto& [bad, rounds, pending] : out) {
    EXPECT_EQ(bad, std::set<std::string>{"first"});
    // relu, then ltz of the 16 pending words
    EXPECT_EQ(rounds[1], rounds[0] + (dealer() == TestDealer::kTtp ? 5 : 4));
    EXPECT_EQ(rounds[2], rounds[0]);
    EXPECT_EQ(pending, (std::vector<uint64_t>{8, 0, 8}));
  }
}

TEST_P(RangeCheckTest, ModelNodesNameTheReport) {
  nn::Graph g;
  g.opset = 13;
  g.inputs = {{"x", {-1, 4}}};
  g.outputs = {"y"};
  g.nodes = {{"act", "Relu", {"x"}, {"a"}, {}}, {"logits", "Log", {"a"}, {"y"}, {}}};
  auto out = run(
      [&](Party& p) {
        const auto model = nn::PrivateModel::load(p, p.id() == 0 ? g : nn::Graph{});
        const auto in = [&](std::vector<double> v) {
          return ArithTensor::share(p, p.numParties() - 1, v, Shape{1, 4});
        };
        (void)model.forward(in({1, 2, 3, 4}));
        const auto fine = names(checkRanges(p));
        (void)model.forward(in({1, -2, 3, 4}));  // relu gives 0: log(0) is out of its domain
        const auto bad = names(checkRanges(p));
        return std::make_pair(fine, bad);
      },
      checking());
  for (const auto& [fine, bad] : out) {
    EXPECT_TRUE(fine.empty());
    EXPECT_EQ(bad, std::set<std::string>{"logits (Log): log"});
  }
}

SOTTO_PARTIES_AND_DEALERS(RangeCheckTest);

// Local truncation: a product beyond the bound its failure probability assumes is named.
TEST(RangeCheckLocalTruncation, AProductBeyondTheAssumedRangeIsNamed) {
  PartyOptions o = checking();
  o.truncation = Truncation::kLocal;
  auto out = simulateMpc(
      2,
      [&](Party& p) {
        const auto a = ArithTensor::share(p, 0, std::vector<double>{3, -20000, 7}, Shape{3});
        const auto b = ArithTensor::share(p, 1, std::vector<double>{2, 1, -1}, Shape{3});
        (void)a.mul(b);  // |a·b| < 2^15
        const auto fine = names(checkRanges(p));
        (void)a.mul(b.mulPublicInt(2));  // -40000 is beyond 2^15
        const auto bad = names(checkRanges(p));
        return std::make_pair(fine, bad);
      },
      o);
  for (const auto& [fine, bad] : out) {
    EXPECT_TRUE(fine.empty());
    EXPECT_EQ(bad, std::set<std::string>{"truncate(local)"});
  }
}

TEST(RangeCheckOff, RecordsNothing) {
  auto out = simulateMpc(2, [&](Party& p) {
    const auto a = ArithTensor::share(p, 0, std::vector<double>{0, -1}, Shape{2});
    (void)reciprocal(a);
    (void)relu(a);
    const CommCounters before = p.comm().stats().total;
    const bool empty = checkRanges(p).empty() && p.rangeChecks().rows().empty();
    return empty && p.comm().stats().total.rounds == before.rounds;
  });
  EXPECT_TRUE(out[0]);
  EXPECT_TRUE(out[1]);
}

}  // namespace
}  // namespace sotto::testing
