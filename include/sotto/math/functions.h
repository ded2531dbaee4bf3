#pragma once
/// @file functions.h
/// Elementwise math on secret-shared fixed-point tensors: exp, sigmoid, tanh, reciprocal, sqrt,
/// rsqrt, log, and softmax / log-softmax along a dim. Two methods, chosen per call:
///
/// - MathMethod::kTable (default), SiRnn-style on dealer tables: ONE masked opening c = x + r of
///   all 64 bits of x; per-element tables indexed by public digits of c give the coefficients of
///   the function's polynomial piece in the public low bits of c (no multiplication), an
///   "inside the window" index and a sign index; the next round opens those two small indices
///   (3 to 7 and 8 bits) into lookups that return the window and sign bits already multiplied by
///   the masks of the final truncation, so selecting, saturating and rounding are local after the
///   third round (sotto/mpc/function_tables.h has the material).
/// - MathMethod::kIterative: CrypTen's iterations (sotto/math/iterative.h), the baseline.
///
/// Which table math runs (MathMethod::kTable's rule): the function tables where party 0 computes
/// only the entries it reads (the seeded dealer); the composed form below where they would be sent
/// entry by entry (the TTP dealer: Protocol::functionTablesSent()) or are not offered (the OT
/// family). Under the TTP the tables cost party 0 26 KB per sigmoid or tanh and up to 412 KB per
/// log (the table below), the composed sigmoid 935 B in 18 rounds (2 parties, 256 elements:
/// math_table_test's MathMethodRule; 2.2 KB in 28 rounds when first composed): for 64 elements
/// 0.77 ms against 8.0 ms, and a GRU-128 over 28 steps 0.097 s against 1.42 s (examples/rnn, when
/// first composed). kFunctionTables and kComposed force either.
///
/// Every function is collective (all parties call it in the same order with the same shapes) and
/// returns a tensor of x's shape and scale. The table method supports 12..20 fractional bits and
/// any number of parties; every representable input gives a documented value (nothing wraps):
/// inputs beyond a function's range saturate as stated below, including the largest and smallest
/// representable values. reciprocal, sqrt, rsqrt and log hold their whole domains as chains of
/// nested windows (sotto/mpc/function_tables.h), one per 4 to 10 octaves, whose innermost one
/// (inputs below 2^-4, two inputs per row) is exact; the accuracy figures are for 16 fractional
/// bits (tested there and, log-spaced, at 12 and 20). exp holds its whole domain too: one chain of
/// three windows around ln of the largest value, where it saturates.
///
/// Figures below: 16 fractional bits, 2 parties, 65536 elements (bench/math_bench), measured on
/// the 2-core development machine (time: seeded dealer, both parties and the dealer's work
/// included). "Bytes" are online bytes per element sent + received by one party; "dealer" is
/// what the TTP dealer sends party 0 per element (math_bench's math/<fn>/lut_ttp/64 rows: every
/// table entry in the low bits the protocol reads, function_tables.h; the other parties receive
/// nothing: their tables are PRF keys). Error bounds: the last truncation errs by at most N/2 + 1/2
/// ULP for N parties, the tables by under 0.17 ULP; max errors measured against double precision on
/// the benchmark inputs (CrypTen's ranges).
///
/// | function (input range)  | rounds | bytes | dealer | max error (measured) | time   |
/// |-------------------------|--------|-------|--------|----------------------|--------|
/// | exp [-8, 4]             | 3      | 48.3  | 171 KB | 1.51 ULP             | -      |
/// | sigmoid [-8, 8]         | 3      | 24.3  | 26 KB  | 1.47 ULP             | 7.3 ms |
/// | tanh [-8, 8]            | 3      | 24.5  | 26 KB  | 1.47 ULP             | 7.4 ms |
/// | reciprocal [0.1, 100]   | 4      | 83.3  | 290 KB | 0.51 ULP, 0.076 %    | 178 ms |
/// | sqrt [0.1, 100]         | 3      | 64.8  | 410 KB | 1.48 ULP             | -      |
/// | rsqrt [0.1, 100]        | 3      | 58.5  | 286 KB | 1.47 ULP             | -      |
/// | log [0.1, 100]          | 3      | 64.0  | 412 KB | 1.46 ULP             | -      |
/// | softmax, rows of 10     | 17     | 70.7  | 68 KB  | 2.48 ULP             | 19 ms  |
/// exp, reciprocal, sqrt, rsqrt and log hold their whole domains (3, 6, 7, 5 and 7 windows). The
/// bounded design they replace (one saturating window for exp, two for the others) took 25.5,
/// 45.5, 32.5, 31.5 and 32.0 bytes online and 87.1, 215.1 and 206.9 KB from the dealer (measured
/// the same way at commit 93a3060): online bytes are now 1.89x (exp), 1.83x, 1.99x, 1.86x and
/// 2.00x of that, online plus dealer bytes 1.97x, 1.35x, 1.98x, 1.38x and 1.99x, at the same
/// rounds (sqrt, rsqrt and log: the fewest windows whose rows hold the domain, each window's rows
/// and degree the fewest coefficients within the error bounds); sigmoid, tanh and softmax send
/// 0.30x. Over the whole domain the error is at most 4 ULP or 2^-12 relative, whichever is larger
/// (tests/unit/math_domain_test.cc, exp_domain_test.cc). KB = 1000 bytes. Times "-": not
/// re-measured (the shared machine ran at load 6-7 when these figures were taken); the seeded
/// dealer's per-entry table work dominates them. (CrypTen 0.4, same inputs: exp 8.4 MB = 128
/// bytes/element, 8 rounds, 38 ms; softmax 94 rounds, 109 MB, 453 ms; notes/anchors.md.)

///
/// Under a family without function tables (Protocol::hasFunctionTables() false: the OT family,
/// --dealer none) MathMethod::kTable composes exp, sigmoid, tanh, erf and GELU from the seam's
/// kernels instead (src/math/piecewise_engine.h, after SiRnn, Rathee et al., S&P 2021): the sign
/// bits of x and of the argument of the pieces, an exact truncation for the piece index, ONE
/// lookup of the piece's polynomial coefficients (64-bit words, 2^k rows), Horner by products of
/// the P-bit offset in the piece with the accumulator (mulNarrow: SiRnn's mixed widths) and
/// Cheetah's positive truncation, the constants beyond the domain and the symmetry by selections,
/// one rounding. sigmoid, tanh, erf and GELU's gap are tabulated on |x| (halving the table:
/// sigmoid(-x) = 1 - sigmoid(x), tanh and erf odd, GELU = max(x, 0) + GELU(-|x|)), except that
/// under a dealer family a sigmoid or tanh of at most kTwoSidedMaxElements elements is tabulated
/// on [-16, 16) or [-8, 8) (the OT family's comparisons cost too much for it):
/// twice the rows and comparisons on 4n values instead of 3n, but no sign of x and no selection
/// before the piece, 6 rounds fewer under the dealers (18 against 24; a GRU-128 step at batch 1,
/// rounds-bound, against batch 64, bound by bytes and work per element); exp on [-16, 0)
/// as E_r·Q(x - x_r) (one table column, Q public). Pieces and degree: the fewest bits per element
/// whose polynomials stay within 0.45 ULP at every input (12 to 20 fractional bits), searched
/// ahead and recorded (src/math/composed_choices.h; composed_math_test re-runs the search), so
/// that a process's first call fits them (microseconds) instead of searching (bench/
/// composed_tables_bench: 1 ms to 2.4 s per function and scale, 16 s for all; a fresh process's
/// first softmax of one row of 16 at 16 bits: 3.9 s with the search, 0.34 s now, medians of 3
/// and 6, the second call 0.02 s). Error: within 2 ULP everywhere (the polynomials' 0.45 plus
/// 1.5 for the last rounding; measured at most 1.8).
/// That exp of x <= 0 (within 2 ULP, exactly 0 below -16) is softmax's; sotto::exp composes the
/// whole ring apart (src/math/composed_exp.cc): y = x·log2(e) + f + 1 at 2^-54 (a public
/// constant, local), its integer part r and fraction φ by truncations, 2^φ by 8 pieces of
/// degree 4 on φ's top 20 bits (within 0.042 of 2^-28) times 1 + ln 2·(φ's next 10 bits) (a
/// product of 12 bits), 2^(r mod 8) by a lookup of 8-bit entries and a product of 8 bits, r's
/// byte group as one-hot bits by one lookup of 1-bit entries, applied as the byte groups apply
/// 2^-e below; exactly 0 below -(f + 1)·ln 2 (e^x < 1/2 ULP) and exactly M from ln M + ln(1 -
/// 2^-14) on (32.58 at 16 bits), by one selection of both constants and one by x's sign. Error:
/// within 1.65 ULP for x <= 4 (1.5 for the rounding with the truncation's one ULP either way,
/// 2^-28.9 relative for 2^φ: 0.11 ULP at e^4 and 20 bits; measured at most 1.49 at 12, 16 and
/// 20 bits), within 2^-21 relative from 4 to ln(2^(63-f)) - 16 at 16 and 20 bits (at 12 bits 2^-21
/// relative is below half an ULP up to x = 5.5: there 2^-21 relative plus 1.5 ULP;
/// measured 12.6·2^-21 = 1.35 ULP at 4.01, within 2^-21 from 6.42 on), 2^-27 relative plus 1.5 ULP
/// up to the saturation, then M (within 2^-14 of e^x where e^x < M): inside the dealer family's
/// bounds for exp at every scale (they too add 1.5 ULP to 2^-21 relative below 16 bits; the
/// composed exp holds 2^-21 alone at 16 and 20 bits up to ln(2^(63-f)) - 16). reciprocal normalises
/// |x| = 2^e·μ, μ in [1, 2) (src/math/normalization.h: the byte group of x's leading bit by the
/// sign bits of |x| - 2^(8j), j = 1..7, in one call; that byte brought to the top by selections;
/// its leading bit by one lookup of 8 index and 8 output bits and a product of 8 bits), takes 1/μ
/// from 16 pieces of degree 3 at 20 fractional bits (within 0.11 of their ULP), applies 2^-e by one
/// selection of the byte groups (the multiplexer's positive truncation where it shifts right, each
/// group's own) and restores the sign: for every x != 0 within max(4 ULP, 2^-12 relative) (tested
/// over the whole ring at 12, 16 and 20 bits), 1/0 = 0. rsqrt and sqrt share that normalisation (x
/// <= 0 taken as one ring unit for rsqrt, 0 for sqrt); the lookup also gives e's parity ρ and a
/// power of two (<= 16), and one table of 16 pieces of degree 3 on [0, 2) holds μ^(∓1/2) on its
/// first half and (2μ)^(∓1/2) on its second, the half chosen by adding ρ to the mantissa's index
/// bit (within 0.44 and 0.09 of their ULP); 2^(∓e/2) by the byte groups. log: ln μ from 8 pieces of
/// degree 3 (within 0.41 of their ULP), plus m·ln 2 (m = e mod 8 from the lookup, a product of 3
/// bits) and (8g - f)·ln 2 (one selection of the groups' constants), one rounding. All four: for
/// every x > 0 within max(4 ULP, 2^-12 relative), tested over the whole ring at 12, 16 and 20 bits,
/// with the dealer's values at x <= 0. softmax and log-softmax: the seam's max (no function
/// tables), the composed exp of z = x - max (<= 0: its domain) with its result at f + 4 fractional
/// bits (its pieces within 0.45 ULP there: 32 of degree 4 at 12 to 16 bits, 64 at 17 to 19, 128 at
/// 20), the composed log of the row sum there, rounded to f exactly (one exact truncation per row),
/// then the composed exp of z - log Σ (<= 0 up to the log's error, where the composed exp gives 1).
/// Figures at 16 fractional bits, 65,536 elements, bench/ot_math_bench (both parties; COTs priced
/// at Ferret's 0.5 bit, issue 16's measure; SCI's figures measured here in brackets,
/// notes/two-party.md; rounds: party 0's blocking calls; exp, reciprocal, rsqrt, sqrt: 100, 95,
/// 98, 100 before the byte groups were selected in one call, same bits):
///
/// | function    | rounds | online bits | COTs | bits at 0.5/COT | pieces, degree | max error |
/// |-------------|--------|-------------|------|-----------------|----------------|-----------|
/// | exp         | 86     | 19,816      | 827  | 20,230          | 8, 4 (2^φ)     | 1.49 ULP  |
/// | exp of x ≤ 0| 52     | 12,752      | 494  | 12,999 (16,036) | 64, 3 (E·Q)    | 1.51 ULP  |
/// | sigmoid     | 59     | 15,439      | 487  | 15,683 (35,441) | 16, 4          | 1.63 ULP  |
/// | tanh        | 59     | 15,029      | 480  | 15,269 (35,063) | 16, 4          | 1.75 ULP  |
/// | erf         | 53     | 11,798      | 442  | 12,019          | 16, 3          | 1.81 ULP  |
/// | gelu (both) | 57     | 14,899      | 478  | 15,138          | 16, 4          | 1.58 ULP  |
/// | reciprocal  | 87     | 24,012      | 1,369| 24,697 (37,351) | 16, 3 (1/μ)    | 1.50 ULP  |
/// | rsqrt       | 86     | 28,422      | 1,373| 29,109 (45,606) | 2·8, 3         | 1.50 ULP  |
/// | sqrt        | 86     | 28,422      | 1,373| 29,109          | 2·8, 3         | 1.69 ULP  |
/// | log         | 87     | 23,298      | 1,353| 23,975          | 8, 3 (ln μ)    | 1.52 ULP  |
/// (The TTP dealer's function tables, same run, ttp/math/<fn>/64: online 194 to 386 bits and 3 to
/// 5 rounds, but 218 to 271 kbit per element from the dealer, 1.45 Mbit for exp.) reciprocal,
/// rsqrt, sqrt and log on [0.1, 100] (load about 4): TTP 666, 468, 518 and 512 bits online, 4,
/// 3, 3 and 3 rounds, 2.62, 2.45, 3.79 and 3.79 Mbit from the dealer, 0.49, 1.02, 1.23 and 1.13
/// ULP; composed 17.6 (median of 3), 45.6 and 29.2 (one run each) and 17.9 s (median of 3) per
/// 65,536 elements (IKNP, the busy 2-core machine). softmax, rows of 16 on [-8, 8): composed 238
/// rounds, 28,121 bits online + 1,219 COTs = 28,730 at 0.5/COT, at most 1.57 ULP, 11.9 s (one run;
/// before the row sum's exp at f + 4 bits: 232 rounds, 29,923 bits, 1.57 ULP; at 20 fractional bits
/// 244 rounds, 37,354 bits, 1.79 ULP, before 237, 31,598, 7.20: its 128 pieces of exp at 24 bits);
/// TTP 564 bits online, 17 rounds, 586 kbit from the dealer, 0.91 ULP. Time, IKNP COTs, 2 threads
/// on the 2-core machine, median of 3: 4.6 to 6.2 s per 65,536 elements. Max errors: the bench's
/// inputs; over the whole domain at 12, 16 and 20 bits (composed_math_test) <= 1.82. exp on [-16,
/// 40) (past the saturation; max error: ULPs where e^x <= e^4, else at most 3.8e-7 relative; TTP
/// 386 bits, 3 rounds, 1.45 Mbit from the dealer, 1.05 ULP, 1.2e-4 relative at its saturation); exp
/// of x ≤ 0 (softmax's, math_detail's engine) on [-8, 0). Both cost the same for every input (the
/// constants are selected). Time, median of 3 (IKNP, the busy 2-core machine): exp 10.9 s, exp of x
/// ≤ 0 8.1 s per 65,536 elements; TTP 36 ms per 64. Cost per element, from the kernels' figures
/// (ot_kernels.h): symmetric functions: 2 sign-bit computations (msb, 625 bits + 93 COTs each), 3
/// multiplexers (130 bits + 2 COTs each), the exact truncation by P bits, the lookup (2^k·(D +
/// 1)·64 + k bits, k COTs), the wrap of u's shares once (narrowOperand: lessThan(P)), D products
/// with u (Gilboa's P COTs each way and a multiplexer) and D + 1 truncatePositive; exp:
/// src/math/composed_functions.h's composedExp; exp of x ≤ 0: one sign-bit call on 2n values, 2
/// multiplexers, the truncation, a lookup of one column, u's wrap and D − 1 products with u, then Q
/// truncated and E_r·Q as mulNarrow(f + 7), D + 2 truncatePositive in all. reciprocal: signBits on
/// n (x's sign) and on 7n, selectBits on n + 8n, the exact truncations by 56 and 43 bits, lookup(8,
/// 1, 8 bits), mulNarrow(8), then the pieces (the exact truncation by P = 16, lookup of 2^4 rows of
/// 4 words, u's wrap, 3 products with u and 3 truncatePositive), mulNarrow(8), one
/// selectBitsShifted on n per byte group that can be non-zero (5 at 16 bits: one call) and one
/// selectBits for the sign.

#include <cstdint>
#include <string_view>

#include "sotto/mpc/arith_tensor.h"

namespace sotto {

/// Largest sigmoid or tanh (elements) that the composed engine tabulates two-sided under a dealer
/// family (the file's notes: 6 rounds fewer, more bytes and work per element).
inline constexpr int64_t kTwoSidedMaxElements = 2048;

// With PartyOptions::check_ranges each function also records its input against its safe domain
// (sotto/math/domain.h) for the range check (sotto/mpc/range_check.h: 1 to 4 words per element,
// about 11 bytes each way per word and 9 rounds in all at checkRanges(), 11 with the TTP); results
// are unchanged.

/// Which algorithm a math function uses.
enum class MathMethod {
  /// The table math (default): the dealer's function tables where party 0 computes the entries
  /// it reads (the seeded dealer: 3 rounds), composed from the family's kernels where the tables
  /// would be sent entry by entry (the TTP dealer, Protocol::functionTablesSent()) or are not
  /// offered (the OT family).
  kTable,
  kIterative,       ///< CrypTen-style iterations (sotto::crypten_style), the baseline
  kFunctionTables,  ///< the dealer's function tables, even when sent (the fewest rounds)
  kComposed,        ///< composed from the family's kernels, on every family
};

/// The method named "table", "iterative", "function-tables" or "composed" (the examples'
/// --math). @throws InvalidArgument naming the accepted names.
MathMethod mathMethodNamed(std::string_view name);

/// e^x. Table: for every x, within max(4 ULP, 2^-12 relative) (2 and 3 parties; measured: half of
/// it at most, near the saturation), within 2 ULP (2.5 for 3 parties) for x <= 4, and from 4 to
/// ln(2^(63-f)) - 16 - 2^-6 (16.56 at f = 16 fractional bits, 13.79 at 20) within 2^-21 relative,
/// plus the truncation's 1.5 ULP (2 for 3 parties) below 16 bits and at 16 for 3 parties, where
/// 2^-21 of e^x near 4 is smaller than that (at 12 bits below half an ULP up to x = 5.5); in the
/// last 2^-6 up to ln(2^(63-f)) - 16 (one row of the next window, whose in-window test may take x)
/// within 2^-14 relative. Measured (2 parties, every 2^-6 + 1 ring unit from -8, 6 runs,
/// exp_domain_test): for x <= 4 1.45, 1.62 and 1.45 ULP at 12, 16 and 20 bits; above 4 12.2·2^-21
/// (1.31 ULP, at 4.006), 0.74·2^-21 and 0.045·2^-21; 2^-15.4 in the last 2^-6. Saturates: from x >=
/// ln(2^(63-f)) - 2^-13 (32.58 at 16 bits) to 16 above it, a value within 2^-12 below the largest
/// representable value M = 2^(63-f) - 2^-f (never above it); beyond (x >= 48.58 at 16 bits, up to
/// the largest input) exactly M. Below ln(2^(63-f)) - 48 - 2^-6 (-15.44 at 16 bits, where e^x <
/// 2^-6 ULP) exactly 0, down to the smallest input. 3 rounds, 194 bits sent per element (12 to 20
/// bits); the TTP dealer sends party 0 159, 171 and 206 KB per element at 12, 16 and 20 bits (its
/// last window cubic above 16 bits). Without function tables (--dealer none): composed (above),
/// within 1.65 ULP for x <= 4, 2^-21 relative from 4 to 16.58 (16 bits), 2^-27 relative plus 1.5
/// ULP up to ln(M) + ln(1 - 2^-14), then exactly M; exactly 0 below -(f + 1)·ln 2; 86 rounds, 20.2
/// kbit per element.
/// @throws InvalidArgument (table) if x has fewer than 12 or more than 20 fractional bits (the
/// message names the function).
ArithTensor exp(const ArithTensor& x, MathMethod method = MathMethod::kTable);

/// 1 / (1 + e^-x). Table: within 2 ULP (2.5 for 3 parties) everywhere; the pieces cover
/// (-16, 16) and beyond it the result is 0 below and 1 above (sigmoid(±16) is within 1.2e-7 of
/// those). 3 rounds, 97 bits sent per element. @throws as exp.
ArithTensor sigmoid(const ArithTensor& x, MathMethod method = MathMethod::kTable);

/// tanh(x). Table: within 2 ULP (2.5 for 3 parties) everywhere; the pieces cover (-8, 8), beyond
/// it -1 and 1 (tanh(±8) is within 2.3e-7 of those). 3 rounds, 98 bits sent. @throws as exp.
ArithTensor tanh(const ArithTensor& x, MathMethod method = MathMethod::kTable);

/// erf(x), the error function. Table only: within 2 ULP (2.5 for 3 parties) everywhere; the
/// pieces cover (-4, 4) and beyond it the result is -1 below and 1 above (erf(±4) is within
/// 1.6e-8 of those). 3 rounds, as tanh. @throws as exp, and InvalidArgument for
/// MathMethod::kIterative (CrypTen's series is not offered: it diverges past |x| ≈ 2).
ArithTensor erf(const ArithTensor& x, MathMethod method = MathMethod::kTable);

/// GELU's two forms (ONNX Gelu's `approximate` attribute).
enum class GeluApproximation {
  kNone,  ///< x·Φ(x), Φ the standard normal CDF: 0.5·x·(1 + erf(x / √2))
  kTanh,  ///< 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
};

/// GELU(x) = max(x, 0) + GELU(-|x|) (both forms satisfy it): the second term is smooth in |x|,
/// between -0.17 and 0, tabulated for |x| < 8 and 0 beyond (|GELU(-8)| < 5e-15). Table only:
/// within 2 ULP (2.5 for 3 parties) everywhere, x itself from 8 up to the largest value; the max
/// by the tables' sign lookup (2 rounds, exact for every x), then the table (3 rounds): 5 rounds,
/// 166 bits sent per element (2 parties: 72 for the max, 94 for the table). @throws as erf.
ArithTensor gelu(const ArithTensor& x, GeluApproximation approximation = GeluApproximation::kNone,
                 MathMethod method = MathMethod::kTable);

/// 1 / x. Table: for every x != 0 of either sign (2^-16 <= |x| < 2^47 at 16 fractional bits),
/// within max(4 ULP, 2^-12 relative) (2 and 3 parties), and on [0.1, 100] exactly rounded up to
/// 0.15 ULP (within 0.65 ULP and 0.1 % relative). 1/0 gives 0; |x| >= 2^15 (at f fractional bits,
/// 2^(f-1)) gives 0, within 2 ULP of 1/x. 4 rounds, 335 bits sent per element (16 bits). Without
/// function tables (--dealer none): for every x != 0 within max(4 ULP, 2^-12 relative), 1/0 = 0
/// (|x| >= 2^15 gives 1/x rounded, not 0); 87 rounds, 24.7 kbit per element (the table above).
/// @throws as exp.
ArithTensor reciprocal(const ArithTensor& x, MathMethod method = MathMethod::kTable);

/// sqrt(x). Table: for every x > 0 up to 2^47 - 2^36 (16 fractional bits), within max(4 ULP,
/// 2^-12 relative), and within 2 ULP (2.5 for 3 parties) on [1/16, 256). x <= 0 gives 0 up to the
/// truncation of the window that takes x, at most 2 of its ULPs: within 2^-12 at x = -1 for
/// most masks (the window that mostly takes it keeps 2^-14), at most 16 at 16 bits (the outer
/// windows keep 2^-15 of their smallest value), and
/// exactly 0 from -2^35 down (one row of the last window). From 2^47 - 2^36 on
/// (the top 2^-11 of the range, which holds the last window's last row) the result is sqrt(x) or 0:
/// the one input range not held (its saturation value does not fit the windows' rings). 3 rounds,
/// 259 bits sent per element. Without function tables (--dealer none): for every x > 0 within
/// max(4 ULP, 2^-12 relative), 0 for x <= 0; 86 rounds, 29.1 kbit per element. @throws as exp.
ArithTensor sqrt(const ArithTensor& x, MathMethod method = MathMethod::kTable);

/// 1 / sqrt(x). Table: for every x > 0 (2^-16 up to 2^47), within max(4 ULP, 2^-12 relative), and
/// within 2 ULP (2.5 for 3 parties) on [1/16, 256); from 2^28 on (where 1/sqrt(x) <= 4 ULP) the
/// result is 2 ULP. x <= 0 gives 2^(f/2) (256 at 16 bits, the value at one ULP). At 20 fractional
/// bits, for rare masks, up to 1.1x that bound just above x = 256 (measured at 93a3060: 1.07x, 2
/// runs in 400). 3 rounds, 234 bits sent per element. Without function tables (--dealer none):
/// for every x > 0 within max(4 ULP, 2^-12 relative), 2^(f/2) for x <= 0; 86 rounds, 29.1 kbit
/// per element. @throws as exp.
ArithTensor rsqrt(const ArithTensor& x, MathMethod method = MathMethod::kTable);

/// Natural log. Table: for every x > 0 (2^-16 up to 2^47), within max(4 ULP, 2^-12 relative), and
/// within 2 ULP (2.5 for 3 parties) on [1/16, 256). x <= 0 gives log(2^-f) (-11.09 at 16 bits,
/// the value at one ULP; within 2^-12 relative). 3 rounds, 256 bits sent per element. Without
/// function tables (--dealer none): the same bound for every x > 0, exactly log(2^-f) rounded
/// for x <= 0; 87 rounds, 24.0 kbit per element. @throws as exp.
ArithTensor log(const ArithTensor& x, MathMethod method = MathMethod::kTable);

/// softmax along `dim` (negative counts from the end): exp(x - max - log Σ exp(x - max)), the
/// sum at 4 more fractional bits (its log and the last exponent at x's scale: at 4 more bits
/// the exponent would wrap for differences past 2^(59-f)). Table: within 3 ULP (4 for 3 parties);
/// the max is a tree of table comparisons (2 rounds per level), then exp, log, exp: 2·ceil(log2 n)
/// + 9 rounds (17 for rows of 10). Inputs must differ by less than 2^62 ring units (2^46 at 16
/// bits): the max compares differences. @throws InvalidArgument for a rank-0 input, a dim out of
/// range, an empty dim, or (table) a scale outside 12..20 fractional bits. Without function
/// tables (--dealer none): within 3 ULP at 12 to 20 fractional bits (measured 1.41, 1.48 and
/// 1.62 at 12, 16 and 20: the row sum's exponentials at 4 more bits), rows of 10 on [-8, 8) and
/// spread ±1000 (composed_math_test); inputs must differ by less than 2^62 ring
/// units, as above. Rows of 16: 238 rounds, 28.7 kbit per element (the table above).
ArithTensor softmax(const ArithTensor& x, int64_t dim, MathMethod method = MathMethod::kTable);

/// log-softmax along `dim`: x - max - log Σ exp(x - max). Table: within 3 ULP (4 for 3 parties),
/// 2·ceil(log2 n) + 6 rounds (14 for rows of 10). Same limits and @throws as softmax; without
/// function tables the same bounds (measured 0.81, 0.86 and 1.81 ULP at 12, 16 and 20 bits).
ArithTensor logSoftmax(const ArithTensor& x, int64_t dim, MathMethod method = MathMethod::kTable);

}  // namespace sotto
