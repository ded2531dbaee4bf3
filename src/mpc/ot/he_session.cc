// One RLWE key pair for many linear layers (sotto/mpc/ot/he_session.h).
#include "sotto/mpc/ot/he_session.h"

#include "he_linear_core.h"

namespace sotto {

HeSession::HeSession(Communicator& comm, bool trim_download, const HeRingOptions& ring, Deferred)
    : core_(std::make_unique<detail::HeLinearCore>(comm, trim_download, "HeSession", ring)) {}

HeSession::HeSession(Communicator& comm, bool trim_download, const HeRingOptions& ring)
    : HeSession(comm, trim_download, ring, Deferred{}) {
  core_->setup();
}

HeSession::~HeSession() = default;

uint64_t HeSession::weightEncodings() const { return core_->weightEncodings(); }

const HeRingOptions& HeSession::ring() const { return core_->ring(); }

}  // namespace sotto
