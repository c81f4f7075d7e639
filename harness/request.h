/* SPDX-License-Identifier: MIT */
/*
 * The sweep request as the user wrote it (option values as text) and its
 * validation into a struct run_request, before anything is created: a
 * bad value is bad input (one line through lib/msg.h, -EINVAL), never a
 * failed cell. Used by sweep, the presets, profile and the fuzzers.
 *
 * Layer: run; includes the model and below, never output or pipeline.
 */
#ifndef IOBENCH_REQUEST_H
#define IOBENCH_REQUEST_H

#include <stdbool.h>

#include "results.h"

/* fewer give no usable confidence interval (results.h) */
#define REQUEST_MIN_SAMPLES RESULTS_MIN_SAMPLES
#define REQUEST_DEFAULT_SAMPLES 10
#define REQUEST_DEFAULT_BUDGET 10.0
#define REQUEST_DEFAULT_TIMEOUT 60.0
#define REQUEST_DEFAULT_SEED 42
#define REQUEST_DEFAULT_SIZES "4K,1M,64M"

/* Every sweep option as given; NULL (or false) is the default. The
 * strings are borrowed (argv), not owned. */
struct request_opts {
	const char *sizes, *strategies, *cache, *sync, *content, *source,
		*dir, *out, *samples, *runs, *budget, *timeout, *seed,
		*reference, *sparse, *dataset;
	const char *batch_from;		/* --batch-from RESULTS.json */
	const char *save_baseline;	/* --save-baseline NAME */
	const char *baseline;		/* --baseline NAME: compare with it */
	/* --export-markdown, --export-json FILE ("-": stdout) */
	const char *export_markdown, *export_json;
	/* per tunable (cell.h): the list given, or NULL for the default */
	const char *tune[TUNABLES_MAX];
	const char *threads, *parallel, *pin, *prealloc;	/* threads.h */
	bool no_limits, drop_caches, quiet, profile, dry_run;
	const char *cold;		/* --cold data|metadata, or NULL */
	const char *src_dir;		/* --src-dir DIR, or NULL */
	/* every --dir given (each a comma list, targets.h); none: dir */
	const char *dirs[8];
	size_t n_dirs;
	const char *sustained;		/* --sustained SECONDS, or NULL */
	bool preserve;			/* --preserve (with --source) */
	bool sizes_given;		/* --source and --sizes are exclusive */
	bool content_given;		/* so are --dataset and --content */
	/* sweep --mpi (cluster.h), --mpi-layout, --ranks, --stonewall; and
	 * whether --limits and --reference were given (--mpi refuses them) */
	bool mpi, limits_given, reference_given;
	const char *mpi_layout, *ranks, *stonewall;
};

/* o with sweep's defaults (--sizes 4K,1M,64M, --cache warm,cold, ...). */
void request_opts_init(struct request_opts *o);
/* --opt NAME=LIST: the list of any tunable, a plugin's included. 0, or
 * -EINVAL (printed). */
int request_set_opt(struct request_opts *o, const char *arg);
/*
 * Validates every value of o into rq (which you free with the run):
 * lists, ranges against each requested strategy, exclusive options, and
 * that --dir (and --src-dir) is a writable directory and --out can take
 * files. Creates
 * nothing. With --mpi (after pipeline_mpi_start()) it fills the job's
 * fields (--ranks against the job's size) and only rank 0 checks --out.
 * 0, -EINVAL (printed) or -ENOMEM.
 */
int request_build(const struct request_opts *o, struct run_request *rq);
/* --source DIR: checks that no output lies inside the tree (by any
 * route), then walks and hashes it; the tree becomes the run's one size.
 * run->source_tree is set. 0 or -EINVAL (printed). */
int request_load_source(const struct request_opts *o, struct run *run);
/* --dataset NAME|FILE: its spec from --seed; its trees become the run's
 * sizes (run->workload). 0 or -EINVAL (printed). */
int request_load_dataset(const struct request_opts *o, struct run *run);
/* A baseline name: letters, digits, '.', '_' and '-'; not starting with
 * a dot. */
bool request_valid_baseline_name(const char *s);
/* "calibration": baselines/calibration.json is the host's noise floor
 * (iobench calibrate), which a baseline of that name would replace. */
bool request_reserved_baseline_name(const char *s);

#endif
