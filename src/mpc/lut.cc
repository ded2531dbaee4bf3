#include "sotto/mpc/lut.h"

namespace sotto {

LookupTable::LookupTable(int index_bits, int columns, std::vector<uint64_t> entries)
    : index_bits_(index_bits), columns_(columns), entries_(std::move(entries)) {
  SOTTO_ENFORCE(index_bits >= 1 && index_bits <= 16, "lookup table: index bits must be 1..16, got ",
                index_bits);
  SOTTO_ENFORCE(columns >= 1, "lookup table: columns must be >= 1, got ", columns);
  SOTTO_ENFORCE(entries_.size() == (size_t{1} << index_bits) * static_cast<size_t>(columns),
                "lookup table: ", entries_.size(), " entries do not fill 2^", index_bits,
                " rows of ", columns, " columns (", (size_t{1} << index_bits) * columns,
                " expected)");
}

LookupTable LookupTable::fromFunction(int index_bits, int columns,
                                      const std::function<uint64_t(uint64_t row, int col)>& fn) {
  SOTTO_ENFORCE(index_bits >= 1 && index_bits <= 16 && columns >= 1,
                "lookup table: index bits must be 1..16 and columns >= 1");
  std::vector<uint64_t> e(static_cast<size_t>(columns) << index_bits);
  for (uint64_t row = 0; row < (uint64_t{1} << index_bits); ++row) {
    for (int col = 0; col < columns; ++col) e[row * columns + col] = fn(row, col);
  }
  return LookupTable(index_bits, columns, std::move(e));
}

std::vector<ArithTensor> lookup(const ArithTensor& index, const LookupTable& table,
                                int out_frac_bits, int out_bits) {
  SOTTO_ENFORCE(out_bits >= 1 && out_bits <= 64, "lookup: out_bits must be 1..64, got ", out_bits);
  const Party& p = index.party();
  auto scope = p.comm().tag("lookup");
  const RingTensor s = p.protocol().lookup(p, index.share(), table.indexBits(), table.columns(),
                                           table.entries(), out_bits);  // [n, columns]
  std::vector<ArithTensor> out;
  const int64_t n = index.numel(), c = table.columns();
  for (int64_t col = 0; col < c; ++col) {
    RingTensor t(index.shape());
    for (int64_t e = 0; e < n; ++e) t[e] = s[e * c + col];
    out.emplace_back(p, std::move(t), out_frac_bits);
  }
  return out;
}

}  // namespace sotto
