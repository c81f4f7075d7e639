/* SPDX-License-Identifier: MIT */
/*
 * Number formatting, one of each, for every output (terminal, report,
 * plots' labels): 3 significant figures, binary units for bytes.
 * Each writes into out (len bytes, always terminated) and returns out,
 * so calls nest in printf arguments. Unknown values (NaN, infinite)
 * read "-".
 */
#ifndef IOBENCH_FMT_H
#define IOBENCH_FMT_H

#include <stddef.h>
#include <stdint.h>

/* Enough for any of the formats below. */
#define FMT_LEN 32

/* 3 significant figures, no exponent: "1230", "56.8", "0.123", "-5.9",
 * "0". */
const char *fmt_sig(double v, char *out, size_t len);
/* A byte count for people: "12 B", "128 KiB", "1.50 MiB", "3.08 GiB". */
const char *fmt_bytes(uint64_t v, char *out, size_t len);
/* A byte count the way the command line reads it, exact: "1537", "4K",
 * "100M" (used in labels and the "Reproduce" line). */
const char *fmt_size(uint64_t v, char *out, size_t len);
/* A throughput given in MiB/s: "412 KiB/s", "56.8 MiB/s", "3.08 GiB/s". */
const char *fmt_rate(double mib_s, char *out, size_t len);
/* A throughput and its interval in the unit the median reads in:
 * "1.22 [1.19, 1.26] GiB/s", "412 [398, 430] KiB/s". */
const char *fmt_rate_ci(double mib_s, double lo, double hi, char *out,
			size_t len);
/* A duration: "850 ns", "423 µs", "1.52 ms", "2.10 s", "95.0 s". */
const char *fmt_seconds(double s, char *out, size_t len);
/* A wall-clock span for plans and ETAs, whole units: "1 s", "45 s",
 * "12 min", "2 h 05 min" (rounded; under 1 s reads "1 s"). */
const char *fmt_duration(double s, char *out, size_t len);
/* A percentage: "12%", "0.5%", "-3.1%" (3 significant figures). */
const char *fmt_pct(double pct, char *out, size_t len);

#endif
