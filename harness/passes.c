// SPDX-License-Identifier: MIT
/* Whole sweep passes in child processes, merged per side (passes.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "outfile.h"
#include "passes.h"
#include "proc.h"

unsigned passes_abba(unsigned k)
{
	return ((k + 1) / 2) % 2;
}

bool passes_binary_has_option(const char *bin, const char *option)
{
	char *argv[] = { (char *)bin, "sweep", "--help", NULL };
	struct proc_opts o = { .out_fd = -1, .err_fd = -1 };
	char *out = NULL;
	int status;
	bool has;

	o.capture = &out;
	if (proc_run(argv, &o, &status))
		return false;
	has = out && strstr(out, option);
	free(out);
	return has;
}

/* The last line of the log that iobench wrote ("iobench: ..."), else
 * its last line. */
static void log_reason(const char *log, char *out, size_t len)
{
	char buf[8192], *last = NULL, *said = NULL, *p;
	ssize_t n;
	int fd = open(log, O_RDONLY | O_CLOEXEC);

	snprintf(out, len, "no message");
	if (fd < 0)
		return;
	if (lseek(fd, 0, SEEK_END) > (off_t)sizeof(buf) - 1)
		lseek(fd, -(off_t)sizeof(buf) + 1, SEEK_END);
	else
		lseek(fd, 0, SEEK_SET);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (p = strtok(buf, "\n"); p; p = strtok(NULL, "\n")) {
		last = p;
		if (!strncmp(p, "iobench: ", 9))
			said = p;
	}
	if (said || last)
		snprintf(out, len, "%s", said ? said : last);
}

int passes_run_one(const char *bin, char *const *args, size_t n_args,
		   const char *out_dir, volatile sig_atomic_t *stop,
		   struct run *run, struct passes_outcome *o, char *err,
		   size_t len)
{
	char **argv = calloc(n_args + 7, sizeof(*argv)), st[64];
	char why[PATH_MAX + 256];
	struct proc_opts po = { .err_fd = -1, .stop = stop };
	double t0 = clock_now();
	size_t n = 0;
	int dirfd, fd = -1, status, ret;

	memset(run, 0, sizeof(*run));
	o->code = -1;
	snprintf(o->log, sizeof(o->log), "%s/pass.log", out_dir);
	snprintf(o->results, sizeof(o->results), "%s/latest/results.json",
		 out_dir);
	if (!argv)
		return -ENOMEM;
	dirfd = outfile_dir_open(AT_FDCWD, out_dir, OUTFILE_CREATE);
	if (dirfd < 0) {
		ret = dirfd;
		snprintf(err, len, "cannot create %s: %s", out_dir,
			 strerror(-ret));
		goto out_free;
	}
	fd = openat(dirfd, "pass.log", O_WRONLY | O_CREAT | O_TRUNC |
		    O_CLOEXEC | O_NOFOLLOW, 0644);
	close(dirfd);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, len, "cannot create %s: %s", o->log,
			 strerror(-ret));
		goto out_free;
	}
	argv[n++] = (char *)bin;
	argv[n++] = "sweep";
	for (size_t i = 0; i < n_args; i++)
		argv[n++] = args[i];
	argv[n++] = "--out";
	argv[n++] = (char *)out_dir;
	argv[n++] = "--quiet";
	argv[n] = NULL;
	po.out_fd = po.err_fd = fd;
	ret = proc_run(argv, &po, &status);
	o->seconds = clock_now() - t0;
	if (ret) {
		snprintf(err, len, "cannot run %s: %s", bin, strerror(-ret));
		goto out_free;
	}
	o->code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (stop && *stop) {
		snprintf(err, len, "stopped");
		ret = -EINTR;
		goto out_free;
	}
	if (o->code != 0 && o->code != 3) {
		log_reason(o->log, why, sizeof(why));
		snprintf(err, len, "%s sweep: %s: %s (log: %s)", bin,
			 proc_status_text(status, st, sizeof(st)), why,
			 o->log);
		ret = o->code == 1 ? -EINVAL : -EIO;
		goto out_free;
	}
	ret = results_read_json(o->results, run, why, sizeof(why));
	if (ret)
		snprintf(err, len, "%s", why);
out_free:
	if (fd >= 0)
		close(fd);
	free(argv);
	return ret;
}

static uint64_t scale_u64(uint64_t v, double f)
{
	return (uint64_t)llround((double)v * f);
}

static int64_t scale_i64(int64_t v, double f)
{
	return v < 0 ? v : (int64_t)llround((double)v * f);
}

/*
 * Each pass calibrates its own batch (files per sample), so the same
 * cell may copy 22 files per sample in one pass and 6 in the next, and
 * a merged cell has one batch: a sample from a pass whose batch differs
 * is restated as if it had copied into's batch, at the same cost per
 * file - its times, CPU, pages and allocation counts scale by the ratio
 * of the batches (peaks and resident sets do not add up, and stay).
 */
static void rebatch(struct sample *x, const struct cell *into,
		    const struct cell *from)
{
	double f = (double)results_files_per_sample(into) /
		   results_files_per_sample(from);

	/* a sample that counted its own copies (--stonewall) is per copy
	 * already; ranks (sweep --mpi) are no pass of compare REF's */
	if (f == 1 || x->copies > 0 || x->per_rank)
		return;
	x->first_finish *= f;
	x->seconds *= f;
	x->sync_seconds *= f;
	x->cpu_user *= f;
	x->cpu_sys *= f;
	x->src_pages = scale_u64(x->src_pages, f);
	x->src_resident_before = scale_i64(x->src_resident_before, f);
	x->src_resident_after = scale_i64(x->src_resident_after, f);
	x->dst.cached = scale_i64(x->dst.cached, f);
	x->dst.dirty = scale_i64(x->dst.dirty, f);
	x->dst.writeback = scale_i64(x->dst.writeback, f);
	x->mem.allocs = scale_u64(x->mem.allocs, f);
	x->mem.alloc_bytes = scale_u64(x->mem.alloc_bytes, f);
	for (unsigned t = 0; x->per_thread && t < from->threads; t++) {
		x->per_thread[t].seconds *= f;
		x->per_thread[t].bytes = scale_u64(x->per_thread[t].bytes, f);
	}
}

static int append_samples(struct cell *into, struct cell *from,
			  unsigned index)
{
	struct sample *grown;

	if (!from->n_samples)
		return 0;
	grown = realloc(into->samples, (into->n_samples + from->n_samples) *
				       sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	into->samples = grown;
	for (size_t i = 0; i < from->n_samples; i++) {
		grown[into->n_samples + i] = from->samples[i];
		grown[into->n_samples + i].run = index;
		rebatch(&grown[into->n_samples + i], into, from);
		/* moved: the pass no longer owns its per-thread figures */
		from->samples[i].per_thread = NULL;
		from->samples[i].per_rank = NULL;
	}
	into->n_samples += from->n_samples;
	into->copies_verified += from->copies_verified;
	into->usage.user += from->usage.user;
	into->usage.sys += from->usage.sys;
	if (from->usage.maxrss_kb > into->usage.maxrss_kb)
		into->usage.maxrss_kb = from->usage.maxrss_kb;
	/* measured in some pass: the cell has figures */
	if (into->status != CELL_OK && from->status == CELL_OK) {
		into->status = CELL_OK;
		into->verified = from->verified;
		free(into->reason);
		into->reason = from->reason;
		from->reason = NULL;
	}
	return 0;
}

static int add_cell(struct run *side, struct cell *c, unsigned index)
{
	struct cell *grown = realloc(side->cells, (side->n_cells + 1) *
						  sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	side->cells = grown;
	grown[side->n_cells] = *c;
	for (size_t i = 0; i < c->n_samples; i++)
		grown[side->n_cells].samples[i].run = index;
	side->n_cells++;
	memset(c, 0, sizeof(*c));
	return 0;
}

int passes_merge(struct run *side, struct run *pass, unsigned index)
{
	int ret = 0;

	if (!side->n_cells && !side->schema) {
		*side = *pass;
		for (size_t i = 0; i < side->n_cells; i++)
			for (size_t k = 0; k < side->cells[i].n_samples; k++)
				side->cells[i].samples[k].run = index;
		memset(pass, 0, sizeof(*pass));
		return 0;
	}
	for (size_t i = 0; i < pass->n_cells && !ret; i++) {
		struct cell *c = &pass->cells[i];
		size_t j;

		for (j = 0; j < side->n_cells; j++)
			if (cell_same_key(&side->cells[j], c, 0))
				break;
		ret = j < side->n_cells ?
		      append_samples(&side->cells[j], c, index) :
		      add_cell(side, c, index);
	}
	side->duration += pass->duration;
	return ret ? ret : results_estimate(side);
}
