// SPDX-License-Identifier: MIT
/* Whole sweep passes in child processes, merged per side (passes.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "lockstep.h"
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

int passes_check_args(const char *bin, char *const *args, size_t n_args,
		      const char *out)
{
	char **argv = calloc(n_args + 7, sizeof(*argv));
	struct proc_opts o = { .out_fd = -1, .err_fd = PROC_INHERIT };
	size_t n = 0;
	int status, ret;

	if (!argv)
		return -ENOMEM;
	argv[n++] = (char *)bin;
	argv[n++] = "sweep";
	for (size_t i = 0; i < n_args; i++)
		argv[n++] = args[i];
	argv[n++] = "--out";
	argv[n++] = (char *)out;
	argv[n++] = "--dry-run";
	argv[n++] = "--quiet";
	ret = proc_run(argv, &o, &status);
	free(argv);
	if (ret)
		return ret;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
		return -EINVAL;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
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

/* One pass's child: its argv (extra: "--lockstep 3" or nothing), and
 * its log file open as fd. */
struct pass_child {
	char **argv;
	int fd;
	pid_t pid;
	int status;
	double t0;
};

static int pass_begin(const char *bin, char *const *args, size_t n_args,
		      const char *out_dir, bool lockstep,
		      struct pass_child *c, struct run *run,
		      struct passes_outcome *o, char *err, size_t len)
{
	size_t n = 0;
	int dirfd, ret;

	memset(run, 0, sizeof(*run));
	*c = (struct pass_child){ .fd = -1, .pid = -1 };
	o->code = -1;
	snprintf(o->log, sizeof(o->log), "%s/pass.log", out_dir);
	snprintf(o->results, sizeof(o->results), "%s/latest/results.json",
		 out_dir);
	c->argv = calloc(n_args + 9, sizeof(*c->argv));
	if (!c->argv)
		return -ENOMEM;
	dirfd = outfile_dir_open(AT_FDCWD, out_dir, OUTFILE_CREATE);
	if (dirfd < 0) {
		snprintf(err, len, "cannot create %s: %s", out_dir,
			 strerror(-dirfd));
		return dirfd;
	}
	c->fd = openat(dirfd, "pass.log", O_WRONLY | O_CREAT | O_TRUNC |
		       O_CLOEXEC | O_NOFOLLOW, 0644);
	ret = c->fd < 0 ? -errno : 0;
	close(dirfd);
	if (ret) {
		snprintf(err, len, "cannot create %s: %s", o->log,
			 strerror(-ret));
		return ret;
	}
	c->argv[n++] = (char *)bin;
	c->argv[n++] = "sweep";
	for (size_t i = 0; i < n_args; i++)
		c->argv[n++] = args[i];
	c->argv[n++] = "--out";
	c->argv[n++] = (char *)out_dir;
	c->argv[n++] = "--quiet";
	if (lockstep) {
		c->argv[n++] = "--lockstep";
		c->argv[n++] = "3";
	}
	c->argv[n] = NULL;
	c->t0 = clock_now();
	return 0;
}

static int pass_spawn(struct pass_child *c, int child_fd,
		      volatile sig_atomic_t *stop, char *err, size_t len)
{
	struct proc_opts po = { .out_fd = c->fd, .err_fd = c->fd,
				.stop = stop, .child_fd = child_fd };
	int ret = proc_spawn(c->argv, &po, &c->pid);

	if (ret)
		snprintf(err, len, "cannot run %s: %s", c->argv[0],
			 strerror(-ret));
	return ret;
}

/* After the child ended (status set): its outcome and results.json. */
static int pass_end(struct pass_child *c, volatile sig_atomic_t *stop,
		    struct run *run, struct passes_outcome *o, char *err,
		    size_t len)
{
	char why[PATH_MAX + 256], st[64];
	int ret;

	o->seconds = clock_now() - c->t0;
	o->code = WIFEXITED(c->status) ? WEXITSTATUS(c->status) : -1;
	if (stop && *stop) {
		snprintf(err, len, "stopped");
		return -EINTR;
	}
	if (o->code != 0 && o->code != 3) {
		log_reason(o->log, why, sizeof(why));
		snprintf(err, len, "%s sweep: %s: %s (log: %s)", c->argv[0],
			 proc_status_text(c->status, st, sizeof(st)), why,
			 o->log);
		return o->code == 1 ? -EINVAL : -EIO;
	}
	ret = results_read_json(o->results, run, why, sizeof(why));
	if (ret)
		snprintf(err, len, "%s", why);
	return ret;
}

static void pass_free(struct pass_child *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->argv);
}

int passes_run_one(const char *bin, char *const *args, size_t n_args,
		   const char *out_dir, volatile sig_atomic_t *stop,
		   struct run *run, struct passes_outcome *o, char *err,
		   size_t len)
{
	struct pass_child c;
	int ret = pass_begin(bin, args, n_args, out_dir, false, &c, run, o,
			     err, len);

	if (!ret)
		ret = pass_spawn(&c, 0, stop, err, len);
	if (!ret) {
		ret = proc_wait(c.pid, &c.status, stop);
		if (ret)
			snprintf(err, len, "waiting for %s: %s", bin,
				 strerror(-ret));
	}
	if (!ret)
		ret = pass_end(&c, stop, run, o, err, len);
	pass_free(&c);
	return ret;
}

/* A socketpair whose parent end is above 3 (the child's end becomes its
 * descriptor 3), both ends close-on-exec. */
static int lockstep_socket(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	for (int i = 0; i < 2; i++) {
		int fd = fcntl(sv[i], F_DUPFD_CLOEXEC, 10);

		if (fd < 0) {
			int ret = -errno;

			close(sv[0]);
			close(sv[1]);
			return ret;
		}
		close(sv[i]);
		sv[i] = fd;
	}
	return 0;
}

int passes_run_pair(const char *const bins[2], char *const *args,
		    size_t n_args, const char *const out_dirs[2],
		    unsigned first, volatile sig_atomic_t *stop,
		    struct run runs[2], struct passes_outcome o[2],
		    unsigned *turns, char *err, size_t len)
{
	struct pass_child c[2];
	int sv[2][2] = { { -1, -1 }, { -1, -1 } }, parent[2];
	int ret = 0, ret2;

	*turns = 0;
	for (int i = 0; i < 2; i++)
		c[i] = (struct pass_child){ .fd = -1, .pid = -1 };
	for (int i = 0; i < 2 && !ret; i++) {
		ret = pass_begin(bins[i], args, n_args, out_dirs[i], true,
				 &c[i], &runs[i], &o[i], err, len);
		if (!ret && (ret = lockstep_socket(sv[i])))
			snprintf(err, len, "socketpair: %s", strerror(-ret));
	}
	for (int i = 0; i < 2 && !ret; i++) {
		ret = pass_spawn(&c[i], sv[i][1], stop, err, len);
		close(sv[i][1]);
		sv[i][1] = -1;
	}
	if (!ret) {
		parent[0] = sv[0][0];
		parent[1] = sv[1][0];
		ret = lockstep_coordinate(parent, first, stop, turns);
		if (ret && ret != -EINTR)
			snprintf(err, len, "taking turns: %s", strerror(-ret));
	}
	/* the sweeps see end-of-file and stop (-EPIPE: "the other end
	 * has gone") when we could not go on */
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < 2; k++)
			if (sv[i][k] >= 0)
				close(sv[i][k]);
	for (int i = 0; i < 2; i++) {
		if (c[i].pid < 0)
			continue;
		ret2 = proc_wait(c[i].pid, &c[i].status, stop);
		if (!ret && ret2) {
			ret = ret2;
			snprintf(err, len, "waiting for %s: %s", bins[i],
				 strerror(-ret2));
		}
	}
	for (int i = 0; i < 2 && !ret; i++)
		ret = pass_end(&c[i], stop, &runs[i], &o[i], err, len);
	if (ret == -EINTR)
		snprintf(err, len, "stopped");
	if (ret) {
		results_free(&runs[0]);
		results_free(&runs[1]);
	}
	pass_free(&c[0]);
	pass_free(&c[1]);
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
