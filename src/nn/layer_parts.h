#pragma once
// Private: the parts of the layer being profiled, shown as indented rows under it
// (LayerStats::parts). While a step runs with a profile, the executor points current() at its
// row's parts (LayerParts::Scope); an op that reports its parts (a recurrent node: its input
// products, its steps, its sigmoid and tanh) measures them with a PartMeter and appends. Thread
// local: each party of an in-process run is a thread of its own.
#include <chrono>
#include <string>
#include <vector>

#include "sotto/mpc/party.h"
#include "sotto/nn/private_model.h"

namespace sotto::nn {

class LayerParts {
 public:
  /// The parts of the step being profiled, or nullptr (no profile asked for).
  static std::vector<LayerStats>* current();
  /// Points current() at `parts` (nullptr: none) for its lifetime.
  class Scope {
   public:
    explicit Scope(std::vector<LayerStats>* parts);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    std::vector<LayerStats>* saved_;
  };
};

/// This party's time, rounds, online bytes and dealer bytes from construction (or restart()) to
/// addTo().
class PartMeter {
 public:
  explicit PartMeter(const Party& party);
  void restart();
  /// Adds the cost since the start to `into` (seconds, rounds, online and dealer bytes).
  void addTo(LayerStats& into) const;

 private:
  const Party& party_;
  std::chrono::steady_clock::time_point t0_;
  uint64_t rounds_ = 0, bytes_ = 0, dealer_ = 0;
};

}  // namespace sotto::nn
