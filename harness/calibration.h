/* SPDX-License-Identifier: MIT */
/*
 * This host's noise floor: from an A/A calibration (the same binary and
 * sweep run twice back to back, `iobench calibrate`), how far one run's
 * median time per cell moves from the next with no code change, per file
 * size. compare of two single runs calls a smaller change "within noise"
 * and states the smallest change it can detect. Kept apart per size for
 * copies in the page cache and copies that wait for the device (O_DIRECT,
 * cold sources, --sync end: cell_reaches_device()), which vary from run
 * to run as the device does, several times more than memory copies.
 * Stored beside the host's baselines (RESULTS/baselines/calibration.json,
 * "iobench-calibration/1"; files written before the split have one entry
 * per size, which serves both kinds).
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_CALIBRATION_H
#define IOBENCH_CALIBRATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "results.h"

#define CALIBRATION_SCHEMA "iobench-calibration/1"
#define CALIBRATION_FILE "calibration.json"

/* Which cells an entry holds. */
enum calibration_kind {
	CALIBRATION_ANY = -1,	 /* both (files written before the split) */
	CALIBRATION_MEMORY = 0,	 /* the copy stays in the page cache */
	CALIBRATION_DEVICE = 1,	 /* it waits for the device */
};

/* Below this many changes an entry's own SD is too rough alone: its floor
 * takes the larger of its SD and the other kind's of the same size. */
#define CALIBRATION_MIN_CHANGES 5

/*
 * One size and kind: the A/A log changes log(median_b / median_a) of its
 * cells (each pair of runs adds one per cell). sigma is their robust SD,
 * 1.4826 x the median |change| (they centre on 0), and q95 the 95th
 * percentile of |change| (stats_noise_floor).
 */
struct calibration_size {
	uint64_t size;
	enum calibration_kind kind;
	size_t n;			/* changes */
	double *changes;		/* owned */
	/* cells compared over the pairs: the n changes and each pair's
	 * median cell, whose change is its size's shift and is left out
	 * (compare_calibration_pair()); n in files from before */
	size_t compared;
	double sigma, q95, max;
	/* the size's shift (compare's median change of its cells, a log)
	 * in each pair it had one: what moves a whole size from one run to
	 * the next; none in files from before */
	size_t n_shifts;
	double *shifts;			/* owned */
	/* its cells' A/A log changes of CPU s/GiB, net of their size's CPU
	 * shift, and their robust SD as sigma's (calibration_cpu_floor());
	 * none in files from before */
	size_t n_cpu;
	double *cpu_changes;		/* owned */
	double cpu_sigma;
};

/* One cell's A/A log changes (net of its size's shift, one per pair),
 * under its cell_key(): a cell that moves between runs by more than its
 * size's cells do gets a floor of its own (calibration_cell_floor()). */
struct calibration_cell {
	char *key;			/* owned */
	size_t n;
	double *changes;		/* owned */
};

struct calibration {
	char *hostname, *kernel, *commit, *started, *command;
	size_t pairs;			/* A/A pairs behind it */
	/* the changes are net of their size's shift, as compare judges two
	 * single runs (compare_calibration_pair(), compare.h); files from
	 * before hold the raw changes */
	bool net_of_shift;
	struct calibration_size *sizes;	/* by size, then kind */
	size_t n_sizes;
	/* per cell, in the order first added; none in files from before */
	struct calibration_cell *cells;
	size_t n_cells;
};

/*
 * Adds the A/A pair (a, b) - two runs of one sweep - to cal: each cell
 * measured in both (matched by key) adds its log change to its size.
 * The first pair also sets the host fields from a. 0, -EINVAL (no cell
 * matched) or -ENOMEM. Call calibration_finish() after the last pair.
 */
int calibration_add_pair(struct calibration *cal, const struct run *a,
			 const struct run *b);
/*
 * The parts of calibration_add_pair() for a caller that works out each
 * cell's change itself: one change (a log ratio) of a cell of `size`
 * (device: cell_reaches_device()), and, after the pair's last change,
 * the pair counted and the host fields set from a (its first run).
 * 0 or -ENOMEM.
 */
int calibration_add_change(struct calibration *cal, uint64_t size,
			   bool device, double change);
int calibration_pair_done(struct calibration *cal, const struct run *a);
/* A cell of `size` compared but its change left out: counted in the
 * size's `compared` only. 0 or -ENOMEM. */
int calibration_add_left_out(struct calibration *cal, uint64_t size,
			     bool device);
/* The cells one pair compared (the sizes' `compared` over the pairs):
 * the family calibrate's floors are printed for. */
size_t calibration_cells_per_pair(const struct calibration *cal);
/* A pair's shift of one size and kind. 0 or -ENOMEM. */
int calibration_add_shift(struct calibration *cal, uint64_t size,
			  bool device, double shift);
/* A cell's change of CPU s/GiB (a log ratio, net of its size's CPU
 * shift). 0 or -ENOMEM. */
int calibration_add_cpu_change(struct calibration *cal, uint64_t size,
			       bool device, double change);
/* The same change under the cell's key (cell_key()). 0 or -ENOMEM. */
int calibration_add_cell_change(struct calibration *cal, const char *key,
				double change);
/* Computes sigma, q95 and max per size. 0 or -ENOMEM. */
int calibration_finish(struct calibration *cal);

/*
 * The floor for the cells of one size and kind (device: the cell reaches
 * the device) when m cells are compared at level alpha, as |log ratio|:
 * z(1 - alpha / (2 m)) x sigma (the kind's entry, else the size's
 * CALIBRATION_ANY one; see CALIBRATION_MIN_CHANGES). A/A changes are
 * already differences of two single runs, as a compare of two saved runs
 * is, so m unchanged cells all stay below it with probability about
 * 1 - alpha when the changes are normal. 0 when the size was not
 * calibrated.
 */
double calibration_floor(const struct calibration *cal, uint64_t size,
			 bool device, size_t m, double alpha);
/*
 * The same for CPU s/GiB: z(1 - alpha / (2 m)) x the robust SD of the
 * size and kind's CPU changes (the larger of the two kinds' below
 * CALIBRATION_MIN_CHANGES). 0 when the calibration holds none for it.
 */
double calibration_cpu_floor(const struct calibration *cal, uint64_t size,
			     bool device, size_t m, double alpha);
/*
 * The floor for one cell (key: cell_key()): the larger of its size's
 * (calibration_floor()) and z(1 - alpha / (2 m)) x the root mean square
 * of the cell's own A/A changes, when it has CALIBRATION_CELL_MIN or
 * more. A size's sigma is robust: a cell whose runs fall into one of two
 * levels - `mmap` 1M here moved by -20% in one pair of three while its
 * size's other cells moved by 0-7% - does not raise it, and without a
 * floor of its own that cell "regressed" in half the A/A pairs.
 */
#define CALIBRATION_CELL_MIN 2
double calibration_cell_floor(const struct calibration *cal, uint64_t size,
			      bool device, const char *key, size_t m,
			      double alpha);
/*
 * A cell's floor (calibration_cell_floor()) widened for a pair whose
 * size moved by `shift` (a log ratio) as a whole: sqrt(floor^2 +
 * (z x CALIBRATION_SHIFT_K)^2 x |shift|), z as the floor's. Cells do not
 * all follow their size's shift alike - a copy that is mostly process
 * start-up (`ref:cp`) moves less than the machine's copies, `mmap` more -
 * so the larger the shift, the further a cell lands from it with no
 * change of its own. Over 75 A/A pairs of `iobench quick` on the
 * development VM the robust SD of a cell's change about its size's shift
 * was 1.5% where the size moved by under 2%, 2.3% at 2-5%, 3.7% at 5-10%,
 * 3.9% at 10-20% and 4.6% beyond: about sqrt(1.5%^2 + 0.1^2 x |shift|).
 * Without it, a pair whose 1M cells all ran 22% faster flagged
 * `ref:cp-reflink-never` 1M (16% less faster than its size) "regressed"
 * against a floor of 4.2%. The calibration pairs' own shifts are already
 * in floor: the sum errs wide. 0 stays 0 (no floor, no widening).
 */
#define CALIBRATION_SHIFT_K 0.1
double calibration_shift_floor(double floor, double shift, size_t m,
			       double alpha);
/*
 * How far one run's median of a cell may land from another run's on this
 * host, as |log ratio|, m cells at level alpha: the whole size's shift
 * and the cell's own change about it together, sqrt(floor^2 + (z s)^2 +
 * (z x CALIBRATION_SHIFT_K)^2 s) with floor the cell's
 * (calibration_cell_floor()) and s the root mean square of the size's
 * shifts (about 0), drawn toward that of every size's and kind's shifts
 * as if CALIBRATION_SHIFT_POOL more pairs had shown it: s^2 = (sum of
 * the size's squared shifts + POOL x the pooled mean square) / (its
 * shifts + POOL). What a single run's report states as its run-to-run
 * band. 0 when the size has no floor or no shifts (a file from before).
 *
 * Why pooled: three pairs' shifts are three draws. In a headline
 * validation on the development VM the 1M page-cache shifts of a 3-pair
 * calibration were -0.9%, +0.2% and +0.4% (a band of x1.06), and the
 * next two runs' 1M cells moved +7.5% to +10.8% together, 5 of them
 * beyond their band; every size's and kind's shifts of that calibration
 * had a root mean square of 4.0%, and drawn toward it none was. Over 8
 * A/A pairs of the headline sweep, each held out against bands from 3
 * of the others (280 pairings): every warm cell inside in 261 of them
 * unpooled, 264 pooled (266 with 6: the shifts' scale is the host's
 * more than the size's). Every kind's shifts pool together, the
 * device's with the page cache's: those 8 pairs and 7 of three other
 * days' headline checks, each held out against 3-pair calibrations of
 * the others (1003 pairings), had every warm cell inside in 842 pooled
 * so, 808 pooling each kind alone (the page cache's bands narrower:
 * median x1.176 against x1.196).
 */
#define CALIBRATION_SHIFT_POOL 3.0
double calibration_run_band(const struct calibration *cal, uint64_t size,
			    bool device, const char *key, size_t m,
			    double alpha);
/* A variant's name: cell_key() KEY without its size (the second word),
 * into out (at most len bytes). Returns out. */
char *calibration_variant_key(const char *key, char *out, size_t len);
/* How many variants (a cell's key without its size) the calibration has
 * at two sizes or more: those compare also judges across their sizes,
 * and of the floors' family with the cells. */
size_t calibration_variants(const struct calibration *cal);
/* A cell's RMS change, 0 when it has fewer than CALIBRATION_CELL_MIN. */
double calibration_cell_sigma(const struct calibration *cal, const char *key);
/* Whether the calibration measured the cell of this key. */
bool calibration_has_cell(const struct calibration *cal, const char *key);
/* The sigma calibration_floor() uses for an entry. */
double calibration_sigma(const struct calibration *cal,
			 const struct calibration_size *z);
/* "page cache", "device" or "all" (for tables). */
const char *calibration_kind_name(enum calibration_kind kind);

/* The JSON document (you free it), NULL when memory runs out. */
char *calibration_json(const struct calibration *cal);
/* Reads one; 0, or -EINVAL with "file: what" in err (-ENOENT when the
 * file does not exist). */
int calibration_read(const char *path, struct calibration *cal, char *err,
		     size_t len);
/* Frees what cal owns and zeroes it; safe on a zeroed struct. */
void calibration_free(struct calibration *cal);

#endif
