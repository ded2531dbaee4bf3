#pragma once
// Whole-file byte I/O for the dataset loaders, with transparent gzip (zlib) on both sides.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sotto::data::detail {

/// The file's bytes, decompressed when they start with the gzip magic (1f 8b); concatenated gzip
/// members are decompressed one after the other.
/// @throws InvalidArgument "<path>: ..." for a missing or unreadable file or corrupt gzip data.
std::vector<uint8_t> readFileBytes(const std::string& path);

/// Writes `bytes` to `path` (replacing it), gzip-compressed when `gzip` is true.
/// @throws InvalidArgument "<path>: ..." if the file cannot be written.
void writeFileBytes(const std::string& path, std::span<const uint8_t> bytes, bool gzip);

/// True if `path` names an existing regular file.
bool isFile(const std::string& path);

}  // namespace sotto::data::detail
