// SiRnn's lookup table (Rathee et al., "SiRnn", S&P 2021) on one 1-of-2^k OT of rows per element
// (the OT engine's oneOfNRows: Naor-Pinkas from k random OTs, session.h).
#include "bit_stream.h"
#include "sotto/crypto/prg.h"
#include "sotto/error.h"
#include "sotto/mpc/ot/ot_kernels.h"

namespace sotto {

std::vector<uint64_t> OtKernels::lookup(std::span<const uint64_t> index, int k, int columns,
                                        std::span<const uint64_t> table, int out_bits) {
  SOTTO_ENFORCE(k >= 1 && k <= 16, "OtKernels::lookup: index bits ", k, " not in [1, 16]");
  SOTTO_ENFORCE(columns >= 1, "OtKernels::lookup: columns must be >= 1, got ", columns);
  SOTTO_ENFORCE(out_bits >= 1 && out_bits <= 64, "OtKernels::lookup: out_bits = ", out_bits,
                " not in [1, 64]");
  const size_t n = index.size(), c = static_cast<size_t>(columns), big_n = size_t{1} << k;
  const uint64_t mask = big_n - 1;
  SOTTO_ENFORCE(table.size() == big_n * c, "OtKernels::lookup: a table of ", table.size(),
                " words is not 2^", k, " rows of ", columns, " columns (", big_n * c, ")");
  if (rank() == 0) {
    // Party 0 (share a) offers row j = T[(a + j) mod 2^k] − s; party 1 (share b) takes row b,
    // T[x] − s; party 0 keeps s.
    std::vector<uint64_t> s(n * c);
    Prg prg;
    prg.fill(s);
    for (auto& v : s) v = detail::lowBits(v, out_bits);
    send_->oneOfNRows(n, k, out_bits, c, [&](size_t i, std::span<uint64_t> rows) {
      for (size_t j = 0; j < big_n; ++j) {
        const uint64_t* entry = table.data() + ((index[i] + j) & mask) * c;
        for (size_t col = 0; col < c; ++col) rows[j * c + col] = entry[col] - s[i * c + col];
      }
    });
    return s;
  }
  std::vector<uint16_t> choices(n);
  for (size_t i = 0; i < n; ++i) choices[i] = static_cast<uint16_t>(index[i] & mask);
  return recv_->oneOfNRows(choices, k, out_bits, c);
}

}  // namespace sotto
