/* SPDX-License-Identifier: MIT */
/*
 * Inside the sweep runner (runner.h): the state one run keeps, what a
 * sample's child reports, and the pieces the runner files share. Not for
 * use outside runner*.c.
 */
#ifndef IOBENCH_RUNNER_INTERNAL_H
#define IOBENCH_RUNNER_INTERNAL_H

#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "cell_kind.h"
#include "profile.h"
#include "results.h"
#include "runner.h"
#include "strategies.h"
#include "threads.h"

struct io_latency_sample;
struct ranks;
struct source_tree;

#define REASON_LEN 256
/* scratch directory path + a file name */
#define FILE_PATH_MAX (PATH_MAX + 64)

/* What a sample's child reports through its pipe; fixed size, written in
 * one write() and read until whole (a child that dies mid-way leaves it
 * short: no result). */
struct sample_msg {
	int status;			/* 0 or -errno */
	/* sched_getcpu() after the copy of a sample pinned to its round's
	 * CPU (runner_sample_cpu()), else -1 */
	int cpu;
	double seconds, sync_seconds, cpu_user, cpu_sys;
	/* threaded samples (threads.h): first finish, per-thread figures */
	double first_finish;
	struct thread_figure per_thread[THREADS_MAX];
	uint64_t src_pages;
	int64_t src_before, src_after;
	struct cache_pages dst;
	struct profile_sample prof;	/* iobench profile (profile.h) */
	struct sample_memory mem;	/* heap and RSS of the copy */
	char reason[REASON_LEN];	/* when status != 0 */
};

/* Per-cell bookkeeping the results model does not keep. */
struct cell_state {
	struct cell_kind kind;		/* what runs it (cell_kind.h) */
	size_t cap;			/* samples allocated */
	double wall;			/* seconds spent on the cell so far */
	unsigned seq;			/* samples run, warm-ups included */
	/* progress: the timed samples' wall time (run, verify, clean) */
	double timed_wall;
	unsigned timed;
	bool running;
	bool warmed;			/* warm-ups of this size done */
	bool sampled_this_round;
	unsigned unsettled;		/* warm samples taken again: their
					 * sources were not all cached */
};

/* A cell's warm samples taken again at most this many times when their
 * sources were not all cached before the clock (run_sample()); past it a
 * sample records what it met and the report warns. */
#define RUNNER_UNSETTLED_RETAKES 5

/*
 * Where a scratch directory's sample directories are made
 * (runner_make_sample_dir()): its data directory, or a fresh one under its
 * top once a sample directory landed where creating files had become
 * slow. Regions are ranges of 2^SAMPLE_HOME_SHIFT inode numbers.
 */
#define SAMPLE_HOME_SHIFT 14
#define SAMPLE_HOME_REGIONS 64
#define SAMPLE_HOME_MOVES 4
struct sample_home {
	char dir[PATH_MAX];
	double probe;		/* its seconds per create when made; 0: the
				 * filesystem is not probed */
	uint64_t fast[SAMPLE_HOME_REGIONS];	/* regions probed fast */
	size_t n_fast;
	unsigned moves;		/* fresh data directories made */
	double slowest;		/* the slowest probe that moved it */
};

/* sweep --dir A,B: one target's scratch directory and sources. The
 * runner's own top, scratch, scratch_fd and n_sources are the current
 * target's; runner_use_site() swaps another one in (runner_targets.c). */
struct runner_site {
	char top[PATH_MAX], scratch[PATH_MAX];
	int scratch_fd;
	struct sample_home home;
	size_t n_sources;
};

struct runner {
	struct run *run;
	const struct runner_progress *progress;
	struct cell_state *cs;
	char top[PATH_MAX];		/* DIR/iobench-XXXXXX */
	char scratch[PATH_MAX];		/* top/data-RANDOM: every file */
	int scratch_fd;
	struct sample_home home;	/* where sample directories go */
	/* --src-dir: SRC_DIR/iobench-XXXXXX/data-RANDOM holds the sources
	 * (src_top empty without it: they live in scratch) */
	char src_top[PATH_MAX], src_scratch[PATH_MAX];
	int src_fd;
	/* --source: the user's tree, the only sources; never written */
	const struct source_tree *tree;
	/* sources of the size being run: content hash per file index */
	uint64_t size;
	size_t size_idx;
	uint64_t *hashes;
	size_t n_sources, cap_sources;
	/* the size has warm and cold cells: the cold ones copy sources of
	 * their own, the same content under other names, so the eviction
	 * of a cold sample never sends a warm cell's source back to the
	 * device (its next sample reading it in again first: 100 MiB of
	 * page cache freed and taken again per warm sample, and a warm
	 * 100M sample's preparation 2-4x its copy) */
	bool cold_pool;
	uint64_t avail;			/* free bytes when the size started */
	/* the size's used files are emptied, not removed, until the run
	 * ends (runner_keep_inodes()) */
	bool keep_inodes;
	unsigned round;			/* the size's current round */
	/* when the size started, and the seconds the plan gave it
	 * (RUNNER_PLAN_SLACK) */
	double size_t0, size_plan;
	/* the CPUs this process may run on, and the one a sequential
	 * cell's samples run on this round: the fastest a probe found
	 * (env_noise_pick_cpu()), -1 before the rounds or unprobed, then
	 * round r runs on the (r mod n_cpus)-th (runner_sample_cpu()) */
	cpu_set_t cpus;
	unsigned n_cpus;
	int round_cpu;
	/* run_sample() adds its latencies and device deltas to the cell
	 * (cell_io.h): set for the timed samples, not the warm-ups */
	bool keep_io;
	unsigned pass;			/* --runs: the current pass */
	double t_start;
	/* progress: samples run, their wall time and the model's figure
	 * for them */
	size_t samples_done;
	double wall_done, model_done;
	bool in_rounds;			/* the size's warm-ups are done */
	/* sweep --mpi: the other ranks (ranks.h); NULL on one host */
	struct ranks *ranks;
	/* sweep --dir A,B: every target's scratch (NULL with one), and the
	 * target whose scratch the fields above are */
	struct runner_site *sites;
	size_t site;
};

/* What one sample child copies. */
struct child_job {
	const struct cell_kind *kind;	/* what runs the cell */
	const struct cell *c;
	enum strategy_sparse sparse;
	/* --source, --dataset: the tree whose files are the sources (dst
	 * mirrors it below dir/tree), or NULL */
	const struct source_tree *tree;
	bool preserve;			/* --preserve (tree_copy.h) */
	const char *dir;		/* the sample directory */
	char *const *src, *const *dst;
	unsigned k;
	/* k entries shared with the parent (or NULL): each file's copy
	 * time, one clock read per file inside the timed region */
	double *lat;
	/* shared with the parent (or NULL): per-I/O latencies */
	struct io_latency_sample *io_lat;
	int cpu;			/* the CPU to run on, or -1 */
	unsigned seq;			/* the cell's sample number, from 1
					 * (IOBENCH_FAULT=evict) */
};

/* The CPU the sample of cell c in the current round runs on, or -1 (left
 * to the scheduler): see runner_sample.c. */
int runner_sample_cpu(const struct runner *r, const struct cell *c);

/* ---- the round loop (runner.c) ---- */

/* Set by runner_request_stop(): 1 stops after the current sample, 2 also
 * kills the sample in flight. */
extern volatile sig_atomic_t runner_stop_level;

/* Seconds on the clock budgets are counted with (ranks_clock() with MPI). */
double runner_clock(const struct runner *r);
/* runner_rounds.c: a size's clock and plan (RUNNER_PLAN_SLACK), set as
 * the size starts (r->size, r->pass set); the progress after cell ci;
 * a timed sample of cell i that took `wall` s, all in; whether the
 * running cells of the size have enough rounds. */
void runner_start_size_clock(struct runner *r);
void runner_report_progress(struct runner *r, size_t ci);
void runner_count_sample(struct runner *r, size_t i, double wall);
bool runner_size_finished(const struct runner *r);
/* Sets c's status, and its reason (printf-style; c owns it). */
void runner_set_reason(struct cell *c, enum cell_status st, const char *fmt,
		       ...) __attribute__((format(printf, 3, 4)));
/* Makes room for one more element after n in *array (capacity *cap),
 * doubling it. 0 or -ENOMEM (the array is left as it was). */
int runner_grow(void **array, size_t *cap, size_t n, size_t elem);

/* ---- scratch directory and sources (runner_scratch.c) ---- */

/* The path of source i of the size being run; cold: its copy the cold
 * cells read (struct runner's cold_pool). */
void runner_src_path(const struct runner *r, size_t i, bool cold, char *out,
		     size_t len);
/* Seconds per file to create 64 empty files in dirfd/name (made
 * here; left in place); INFINITY when that failed. */
double runner_probe_creates(int dirfd, const char *name);
/* Makes DIR/iobench-XXXXXX and its data-* directory (the fastest to
 * create files in of 3 tried); home (or NULL) starts there; err says
 * what failed. 0 or -errno (nothing left). */
int runner_make_scratch(const char *dir, char *top, char *data, size_t len,
			int *data_fd, struct sample_home *home, char *err,
			size_t err_len);
/* Removes the scratch directory, --src-dir's and every target's. */
void runner_remove_scratch(struct runner *r);
/* A fresh directory for one sample's destinations, in r->home (which
 * moves when the directory landed where creates are slow). 0 or
 * -errno. */
int runner_make_sample_dir(struct runner *r, char *dir, size_t len);
/* Drops source i (at path; --source: the tree's file i) from the page
 * cache, untimed; a failure is ignored (the next sample's cache state is
 * checked anyway). */
void runner_evict_source(const struct runner *r, size_t i, const char *path);
/* The sample directories that moved, in the run's warnings. */
void runner_note_home_moves(const struct runner *r);
/* Done with a sample directory: emptied when the size keeps inodes, else
 * removed. */
void runner_retire_sample_dir(const struct runner *r, const char *dir);
/* Whether `files` more inodes may be kept until the run ends. */
bool runner_keep_inodes(const struct runner *r, uint64_t files);
/* Sources 0..want-1 of the current size, with their hashes (untimed). */
/* --source, --dataset: the scanned tree's files become the sources and
 * their hashes what every copy is verified against. 0, -EINVAL (no
 * tree) or -ENOMEM, with the reason in err. */
int runner_use_tree(struct runner *r, const struct source_tree *t, char *err,
		    size_t len);
int runner_ensure_sources(struct runner *r, size_t want, char *why,
			  size_t len);
void runner_remove_sources(struct runner *r);

/* ---- several targets: sweep --dir A,B (runner_targets.c) ---- */

/* Makes target t's scratch and sources the runner's current ones. */
void runner_use_site(struct runner *r, size_t t);
/* The same for cell ci's target. */
void runner_use_target(struct runner *r, size_t ci);
/* The scratch of every target after the first (whose is the runner's,
 * made already). 0 or -errno with the reason in err. */
int runner_make_sites(struct runner *r, char *err, size_t len);
/* syncfs() of every target but the current one. */
void runner_sync_sites(const struct runner *r);
/* The smallest of avail and every other target's free bytes. */
uint64_t runner_sites_avail(const struct runner *r, uint64_t avail);
/* Whether every other target can keep the size's files too
 * (runner_keep_inodes()). */
bool runner_sites_keep_inodes(struct runner *r, uint64_t files);
/* Removes the sources of the size on every target. */
void runner_remove_all_sources(struct runner *r);

/* ---- the measuring child, the wait for it (runner_child.c) ---- */

/* The forked sample child: measures j, writes its struct sample_msg to
 * wfd, exits. */
void __attribute__((noreturn))
runner_child_main(const struct child_job *j, int wfd);
/* Waits for the child's message, at most timeout seconds of the child
 * being able to run. 0, or -errno with the reason in why. */
int runner_wait_child(pid_t pid, int rfd, double timeout, struct sample_msg *m,
		      struct rusage *ru, bool *disturbed, char *why, size_t len);

/* ---- one sample, warm-ups (runner_sample.c) ---- */

/* One sample of cell ci with k files, taken again while job control
 * stopped it. 0 with *out and *ru, or -errno with the reason in why. */
int runner_run_sample_again(struct runner *r, size_t ci, unsigned k,
			    struct sample *out, struct rusage *ru,
			    double *t_last, char *why, size_t len);
/* Warm-ups of cell ci and its batch size; a failure fails the cell.
 * 0, or -EINTR (-EPIPE when an MPI job broke). */
int runner_warm_up(struct runner *r, size_t ci);
/* The most inodes the running cells of the size can use: every sample at
 * the largest batch, warm-ups and extended rounds included, each with
 * its directory. */
uint64_t runner_size_files_bound(const struct runner *r);
/* Appends sample s (and its rusage) to cell c. 0 or -ENOMEM. */
int runner_record_sample(struct cell *c, struct cell_state *cs,
			 const struct sample *s, const struct rusage *ru);
void runner_fail_cell(struct runner *r, size_t ci, const char *why);

#endif
