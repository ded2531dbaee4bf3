#pragma once
// Private: the two stages of ONNX import. onnx.cc decodes the protobuf into a RawModel (a Graph of
// the file's nodes as they are, Constant nodes already turned into weights); normalizeImport
// (onnx_normalize.cc) turns that into the normalised Graph that graph.h describes.

#include <map>
#include <string>
#include <vector>

#include "sotto/model/graph.h"

namespace sotto::nn::internal {

struct RawModel {
  std::string source;  // the file name, for messages
  Graph graph;         // opset, data inputs, outputs, raw nodes, initializers + constants
  // Per data input, per dimension: the exporter's symbolic name ("" where the dimension is fixed
  // or unnamed). Dimensions sharing a name are the same size (the batch, usually).
  std::map<std::string, std::vector<std::string>> dim_params;
};

/// Normalises a decoded model. @throws InvalidArgument prefixed with raw.source.
Graph normalizeImport(RawModel raw);

}  // namespace sotto::nn::internal
