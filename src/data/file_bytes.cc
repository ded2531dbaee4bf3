#include "data/file_bytes.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "sotto/error.h"

namespace sotto::data::detail {
namespace {

constexpr uint8_t kGzipMagic0 = 0x1f;
constexpr uint8_t kGzipMagic1 = 0x8b;
constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip wrapper (not raw zlib)

std::vector<uint8_t> readRaw(const std::string& path) {
  std::error_code ec;
  SOTTO_ENFORCE(std::filesystem::exists(path, ec), path, ": no such file");
  SOTTO_ENFORCE(!std::filesystem::is_directory(path, ec), path, ": is a directory, not a file");
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  SOTTO_ENFORCE(in.good(), path, ": cannot open (", std::strerror(errno), ")");
  const std::streamoff size = in.tellg();
  SOTTO_ENFORCE(size >= 0, path, ": cannot determine the file size");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(bytes.data()), size);
  SOTTO_ENFORCE(in.gcount() == size, path, ": read ", in.gcount(), " of ", size, " bytes");
  return bytes;
}

// Inflates every gzip member of `in`. ISIZE (the last 4 bytes, size mod 2^32) sizes the buffer.
std::vector<uint8_t> gunzip(const std::string& path, std::span<const uint8_t> in) {
  std::vector<uint8_t> out;
  if (in.size() >= 18) {
    const uint8_t* t = in.data() + in.size() - 4;
    out.reserve(uint32_t{t[0]} | uint32_t{t[1]} << 8 | uint32_t{t[2]} << 16 | uint32_t{t[3]} << 24);
  }
  z_stream zs{};
  SOTTO_ENFORCE(inflateInit2(&zs, kGzipWindowBits) == Z_OK, path, ": zlib inflateInit2 failed");
  size_t pos = 0;
  int rc = Z_OK;
  uint8_t chunk[1 << 16];
  while (true) {
    const size_t avail = std::min<size_t>(in.size() - pos, std::numeric_limits<uInt>::max());
    zs.next_in = const_cast<Bytef*>(in.data() + pos);
    zs.avail_in = static_cast<uInt>(avail);
    zs.next_out = chunk;
    zs.avail_out = sizeof(chunk);
    rc = inflate(&zs, Z_NO_FLUSH);
    pos += avail - zs.avail_in;
    out.insert(out.end(), chunk, chunk + (sizeof(chunk) - zs.avail_out));
    if (rc == Z_STREAM_END) {
      // Another member may follow (gzip files may be concatenated); stop at the end of input.
      if (pos == in.size()) break;
      inflateReset(&zs);
      continue;
    }
    if (rc == Z_BUF_ERROR && pos == in.size() && zs.avail_out != 0) break;  // input ran out
    if (rc != Z_OK) break;
  }
  const std::string msg = zs.msg != nullptr ? zs.msg : "";
  inflateEnd(&zs);
  SOTTO_ENFORCE(rc != Z_BUF_ERROR, path,
                ": corrupt gzip data (the compressed stream is truncated after ", out.size(),
                " decompressed bytes)");
  SOTTO_ENFORCE(rc == Z_STREAM_END, path, ": corrupt gzip data (zlib: ",
                msg.empty() ? std::string("error ") + std::to_string(rc) : msg, ")");
  return out;
}

std::vector<uint8_t> gzip(const std::string& path, std::span<const uint8_t> in) {
  z_stream zs{};
  SOTTO_ENFORCE(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8,
                             Z_DEFAULT_STRATEGY) == Z_OK,
                path, ": zlib deflateInit2 failed");
  std::vector<uint8_t> out(deflateBound(&zs, static_cast<uLong>(in.size())) + 32);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  SOTTO_ENFORCE(rc == Z_STREAM_END, path, ": gzip compression failed (zlib error ", rc, ")");
  return out;
}

}  // namespace

std::vector<uint8_t> readFileBytes(const std::string& path) {
  std::vector<uint8_t> raw = readRaw(path);
  if (raw.size() >= 2 && raw[0] == kGzipMagic0 && raw[1] == kGzipMagic1) return gunzip(path, raw);
  return raw;
}

void writeFileBytes(const std::string& path, std::span<const uint8_t> bytes, bool compress) {
  SOTTO_ENFORCE(bytes.size() <= std::numeric_limits<uInt>::max(), path, ": ", bytes.size(),
                " bytes is too large to write in one piece");
  std::vector<uint8_t> packed;
  if (compress) {
    packed = gzip(path, bytes);
    bytes = packed;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  SOTTO_ENFORCE(out.good(), path, ": cannot open for writing (", std::strerror(errno), ")");
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  out.close();
  SOTTO_ENFORCE(!out.fail(), path, ": write failed (", std::strerror(errno), ")");
}

bool isFile(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

}  // namespace sotto::data::detail
