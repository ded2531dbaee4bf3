#pragma once
// runPrivate(dealer, g, x): a model run privately by 2 parties (party 0 owns the graph, party 1
// the input) under a test dealer; the revealed first output, as party 0 sees it.
#include <vector>

#include "sotto/model/graph.h"
#include "sotto/nn/private_model.h"
#include "testing/mpc.h"

namespace sotto::testing {

inline std::vector<double> runPrivate(TestDealer dealer, const nn::Graph& g,
                                      const nn::PlainTensor& x) {
  const auto got = simulateWith(dealer, 2, [&](Party& party) {
    nn::ModelOptions mo;
    mo.allow_insecure_dealer = true;
    const nn::PrivateModel m = nn::PrivateModel::load(party, party.id() == 0 ? g : nn::Graph{}, mo);
    const ArithTensor in = ArithTensor::share(party, 1, x.values, Shape(x.dims));
    return m.forward(in).revealDoubles();
  });
  return got[0];
}

}  // namespace sotto::testing
