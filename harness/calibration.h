/* SPDX-License-Identifier: MIT */
/*
 * This host's noise floor: from an A/A calibration (the same binary and
 * sweep run twice back to back, `iobench calibrate`), how far one run's
 * median time per cell moves from the next with no code change, per file
 * size. compare of two single runs calls a smaller change "within noise"
 * and states the smallest change it can detect. Stored beside the host's
 * baselines (RESULTS/baselines/calibration.json, "iobench-calibration/1").
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_CALIBRATION_H
#define IOBENCH_CALIBRATION_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"

#define CALIBRATION_SCHEMA "iobench-calibration/1"
#define CALIBRATION_FILE "calibration.json"

/*
 * One size: the A/A log changes log(median_b / median_a) of its cells
 * (each pair of runs adds one per cell). sigma is their robust SD,
 * 1.4826 x the median |change| (they centre on 0), and q95 the 95th
 * percentile of |change| (stats_noise_floor).
 */
struct calibration_size {
	uint64_t size;
	size_t n;			/* changes */
	double *changes;		/* owned */
	double sigma, q95, max;
};

struct calibration {
	char *hostname, *kernel, *commit, *started, *command;
	size_t pairs;			/* A/A pairs behind it */
	struct calibration_size *sizes;	/* ascending */
	size_t n_sizes;
};

/*
 * Adds the A/A pair (a, b) - two runs of one sweep - to cal: each cell
 * measured in both (matched by key) adds its log change to its size.
 * The first pair also sets the host fields from a. 0, -EINVAL (no cell
 * matched) or -ENOMEM. Call calibration_finish() after the last pair.
 */
int calibration_add_pair(struct calibration *cal, const struct run *a,
			 const struct run *b);
/* Computes sigma, q95 and max per size. 0 or -ENOMEM. */
int calibration_finish(struct calibration *cal);

/*
 * The floor for one size when m cells are compared at level alpha, as
 * |log ratio|: z(1 - alpha / (2 m)) x sigma. A/A changes are already
 * differences of two single runs, as a compare of two saved runs is, so
 * m unchanged cells all stay below it with probability about 1 - alpha
 * when the changes are normal. 0 when the size was not calibrated.
 */
double calibration_floor(const struct calibration *cal, uint64_t size,
			 size_t m, double alpha);

/* The JSON document (you free it), NULL when memory runs out. */
char *calibration_json(const struct calibration *cal);
/* Reads one; 0, or -EINVAL with "file: what" in err (-ENOENT when the
 * file does not exist). */
int calibration_read(const char *path, struct calibration *cal, char *err,
		     size_t len);
/* Frees what cal owns and zeroes it; safe on a zeroed struct. */
void calibration_free(struct calibration *cal);

#endif
