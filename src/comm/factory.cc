#include "sotto/comm/factory.h"

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string_view>

#include "sotto/comm/delay_communicator.h"
#include "sotto/comm/inproc.h"
#include "sotto/comm/parties_file.h"
#include "sotto/comm/secure_channel.h"
#include "sotto/crypto/identity.h"
#ifdef SOTTO_HAVE_TCP
#include "sotto/comm/tcp.h"
#endif
#ifdef SOTTO_HAVE_MPI
#include "sotto/comm/mpi.h"
#endif
#ifdef SOTTO_HAVE_GLOO
#include "sotto/comm/gloo.h"
#endif
#ifdef SOTTO_HAVE_HYBRID
#include "sotto/comm/hybrid.h"
#endif

namespace sotto {
namespace {

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return (v != nullptr && *v != '\0') ? v : nullptr;
}

int envInt(const char* name, int fallback) {
  const char* v = env(name);
  if (v == nullptr) return fallback;
  char* end = nullptr;
  const long x = std::strtol(v, &end, 10);
  SOTTO_ENFORCE(end != v && *end == '\0', "environment variable ", name, "='", v,
                "' is not an integer");
  return static_cast<int>(x);
}

std::chrono::milliseconds effectiveTimeout(const CommOptions& o) {
  const int ms = envInt("SOTTO_TIMEOUT_MS", -1);
  return ms > 0 ? std::chrono::milliseconds(ms) : o.timeout;
}

[[noreturn, maybe_unused]] void notBuilt(std::string_view backend) {
  throw NotImplemented(
      "backend '" + std::string(backend) +
      "' is not part of this build (rebuild with SOTTO_WITH_TCP / SOTTO_WITH_MPI / "
      "SOTTO_WITH_GLOO / SOTTO_WITH_HYBRID on)");
}

#ifdef SOTTO_HAVE_GLOO
GlooOptions glooOptions(const CommOptions& o, Communicator* bootstrap) {
  GlooOptions g;
  g.bootstrap = bootstrap;
  g.timeout = effectiveTimeout(o);
  g.rank = o.rank >= 0 ? o.rank : envInt("SOTTO_RANK", -1);
  g.world_size = o.world_size >= 0 ? o.world_size : envInt("SOTTO_WORLD_SIZE", -1);
  g.rendezvous_dir = !o.rendezvous_dir.empty()                ? o.rendezvous_dir
                     : env("SOTTO_RENDEZVOUS_DIR") != nullptr ? env("SOTTO_RENDEZVOUS_DIR")
                                                              : "";
  g.host = !o.host.empty() ? o.host : (env("SOTTO_HOST") != nullptr ? env("SOTTO_HOST") : "");
  return g;
}
#endif

#ifdef SOTTO_HAVE_TCP
TcpOptions tcpOptions(const CommOptions& o) {
  TcpOptions t;
  t.timeout = effectiveTimeout(o);
  t.rank = o.rank >= 0 ? o.rank : envInt("SOTTO_RANK", -1);
  t.parties_path = !o.parties_file.empty()           ? o.parties_file
                   : env("SOTTO_PARTIES") != nullptr ? env("SOTTO_PARTIES")
                                                     : "";
  SOTTO_ENFORCE(!t.parties_path.empty(),
                "backend 'tcp' needs a parties file: CommOptions::parties_file or SOTTO_PARTIES");
  SOTTO_ENFORCE(t.rank >= 0,
                "backend 'tcp' needs this party's rank: CommOptions::rank or SOTTO_RANK");
  t.listen_host =
      !o.host.empty() ? o.host : (env("SOTTO_HOST") != nullptr ? env("SOTTO_HOST") : "");
  t.settings = o.settings;
  return t;
}
#endif

// A fingerprint of the settings all parties must share: checked right after connecting.
// What every party must agree on, as the mismatch error shows it: "mpi, 3 parties, aead".
std::string settingsText(std::string_view backend, int world_size, bool encrypt) {
  return std::string(backend) + ", " + std::to_string(world_size) + " parties, " +
         (encrypt ? "aead" : "plain");
}

// Pinned peer keys from the parties file, if it lists any (none yet without one).
std::vector<std::optional<PublicKey>> peerKeysFromEnvironment(const CommOptions& o,
                                                              int world_size) {
  const std::string path = !o.parties_file.empty()           ? o.parties_file
                           : env("SOTTO_PARTIES") != nullptr ? env("SOTTO_PARTIES")
                                                             : "";
  if (path.empty()) return {};
  const PartiesFile file = parsePartiesFile(path);
  std::vector<std::optional<PublicKey>> keys(static_cast<size_t>(world_size));
  bool any = false;
  for (const auto& party : file.parties) {
    if (party.rank < 0 || party.rank >= world_size || !party.public_key) continue;
    keys[static_cast<size_t>(party.rank)] = *party.public_key;
    any = true;
  }
  if (!any) return {};
  SOTTO_ENFORCE(static_cast<int>(file.parties.size()) == world_size, path, " lists ",
                file.parties.size(), " parties, the job has ", world_size);
  return keys;
}

bool encryptChannel(const CommOptions& o) {
  if (o.channel != CommOptions::Channel::kDefault)
    return o.channel == CommOptions::Channel::kEncrypted;
  const char* v = env("SOTTO_CHANNEL");
  if (v == nullptr || std::string_view(v) == "aead") return true;
  SOTTO_ENFORCE(std::string_view(v) == "plain", "SOTTO_CHANNEL='", v,
                "' is neither 'aead' (the default: encrypted, authenticated) nor 'plain'");
  return false;
}

// The launched communicator inside the encrypted channel, keys from the options or environment.
std::unique_ptr<Communicator> secureChannel(std::unique_ptr<Communicator> comm,
                                            const CommOptions& o) {
  ChannelOptions ch;
  const std::string key_file =
      !o.key_file.empty() ? o.key_file : (env("SOTTO_KEY") != nullptr ? env("SOTTO_KEY") : "");
  if (!key_file.empty()) ch.identity = loadPrivateKey(key_file);
  ch.expected_peers = o.peer_keys;
  if (ch.expected_peers.empty()) ch.expected_peers = peerKeysFromEnvironment(o, comm->worldSize());
  comm = withSecureChannel(std::move(comm), ch);
  const std::string line = channelDescription(*comm);
  if (line.rfind("WARNING", 0) == 0)
    std::fprintf(stderr, "rank %d: %s\n", comm->rank(), line.c_str());
  return comm;
}

}  // namespace

bool launchedByMpirun() {
  return env("OMPI_COMM_WORLD_SIZE") != nullptr || env("PMI_SIZE") != nullptr ||
         env("PMIX_RANK") != nullptr;
}

std::vector<std::string> availableBackends() {
  std::vector<std::string> out{"inproc"};
#ifdef SOTTO_HAVE_TCP
  out.push_back("tcp");
#endif
#ifdef SOTTO_HAVE_MPI
  out.push_back("mpi");
#endif
#ifdef SOTTO_HAVE_GLOO
  out.push_back("gloo");
#endif
#ifdef SOTTO_HAVE_HYBRID
  out.push_back("hybrid");
#endif
  return out;
}

std::unique_ptr<Communicator> makeCommunicator(std::string_view backend,
                                               const CommOptions& options) {
  if (backend == "auto") {
    if (launchedByMpirun()) return makeCommunicator("mpi", options);
    if (!options.parties_file.empty() || env("SOTTO_PARTIES") != nullptr) {
      return makeCommunicator("tcp", options);
    }
    if (env("SOTTO_RANK") != nullptr) return makeCommunicator("gloo", options);
    throw InvalidArgument(
        "backend 'auto': not started by mpirun and neither SOTTO_PARTIES nor SOTTO_RANK is set; "
        "run under mpirun, set SOTTO_RANK/SOTTO_PARTIES for tcp or "
        "SOTTO_RANK/SOTTO_WORLD_SIZE/SOTTO_RENDEZVOUS_DIR for gloo, or use runLocal() (inproc)");
  }
  std::unique_ptr<Communicator> comm;
  if (backend == "inproc") {
    SOTTO_ENFORCE(options.inproc_world != nullptr,
                  "backend 'inproc' needs CommOptions::inproc_world (or use runLocal())");
    comm = options.inproc_world->communicator(options.rank, effectiveTimeout(options));
    // One process: settings are shared by construction.
    return withDelay(std::move(comm), delayFromEnvironment());
  } else if (backend == "tcp") {
#ifdef SOTTO_HAVE_TCP
    comm = makeTcpCommunicator(tcpOptions(options));
#else
    notBuilt(backend);
#endif
  } else if (backend == "mpi") {
#ifdef SOTTO_HAVE_MPI
    SOTTO_ENFORCE(launchedByMpirun(), "backend 'mpi' needs the process to be started by mpirun");
    comm = makeMpiCommunicator(effectiveTimeout(options));
#else
    notBuilt(backend);
#endif
  } else if (backend == "gloo") {
#ifdef SOTTO_HAVE_GLOO
#ifdef SOTTO_HAVE_MPI
    if (launchedByMpirun() && options.rendezvous_dir.empty() && !env("SOTTO_RENDEZVOUS_DIR")) {
      auto boot = makeMpiCommunicator(effectiveTimeout(options));
      comm = makeGlooCommunicator(glooOptions(options, boot.get()));
    }
#endif
    if (!comm) comm = makeGlooCommunicator(glooOptions(options, nullptr));
#else
    notBuilt(backend);
#endif
  } else if (backend == "hybrid") {
#ifdef SOTTO_HAVE_HYBRID
    SOTTO_ENFORCE(launchedByMpirun(), "backend 'hybrid' needs the process to be started by mpirun");
    auto small = makeMpiCommunicator(effectiveTimeout(options));
    auto large = makeGlooCommunicator(glooOptions(options, small.get()));
    std::optional<HybridThresholds> threshold = options.hybrid_threshold;
    if (!threshold && env("SOTTO_HYBRID_THRESHOLD") != nullptr) {
      try {
        threshold = parseHybridThresholds(env("SOTTO_HYBRID_THRESHOLD"));
      } catch (const InvalidArgument& e) {
        throw InvalidArgument(std::string("SOTTO_HYBRID_THRESHOLD: ") + e.what());
      }
    }
    comm = makeHybridCommunicator(std::move(small), std::move(large), threshold);
#else
    notBuilt(backend);
#endif
  } else {
    std::string list;
    for (const auto& b : availableBackends()) list += (list.empty() ? "" : ", ") + b;
    throw InvalidArgument("unknown backend '" + std::string(backend) + "' (available: " + list +
                          ", auto)");
  }
  const bool encrypt = encryptChannel(options);
  verifySameOnAllParties(*comm, "backend, world size and channel (SOTTO_CHANNEL)",
                         settingsText(backend, comm->worldSize(), encrypt));
  if (encrypt) comm = secureChannel(std::move(comm), options);
  comm->resetStats();
  return withDelay(std::move(comm), delayFromEnvironment());
}

}  // namespace sotto
