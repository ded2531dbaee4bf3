#include "layer_parts.h"

#include "sotto/mpc/protocol.h"

namespace sotto::nn {
namespace {
thread_local std::vector<LayerStats>* g_parts = nullptr;
}  // namespace

std::vector<LayerStats>* LayerParts::current() { return g_parts; }

LayerParts::Scope::Scope(std::vector<LayerStats>* parts) : saved_(g_parts) { g_parts = parts; }
LayerParts::Scope::~Scope() { g_parts = saved_; }

PartMeter::PartMeter(const Party& party) : party_(party) { restart(); }

void PartMeter::restart() {
  const CommCounters c = party_.comm().stats().total;
  rounds_ = c.rounds;
  bytes_ = c.bytes();
  dealer_ = party_.protocol().offlineBytes();
  t0_ = std::chrono::steady_clock::now();
}

void PartMeter::addTo(LayerStats& into) const {
  const CommCounters c = party_.comm().stats().total;
  into.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  into.rounds += c.rounds - rounds_;
  into.online_bytes += c.bytes() - bytes_;
  into.dealer_bytes += party_.protocol().offlineBytes() - dealer_;
}

}  // namespace sotto::nn
