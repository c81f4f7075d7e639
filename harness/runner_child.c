// SPDX-License-Identifier: MIT
/*
 * The measuring child of a sample: reads the sources' residency, runs the
 * timed copies (one strategy, a thread pool, or a reference tool) and
 * reports through a pipe; and the parent's wait for it, with its timeout
 * and job control.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache.h"
#include "clock.h"
#include "copy_unit.h"
#include "io_latency.h"
#include "memcount.h"
#include "profile.h"
#include "reference.h"
#include "runner_internal.h"
#include "signals.h"
#include "source_tree.h"
#include "strategies.h"
#include "threads.h"
#include "tree_copy.h"

/*
 * Page-cache figures of one file for sum_pages(). A --source file whose
 * residency the kernel keeps from this user (cache_pages_of() -EPERM) is
 * counted by non-blocking reads when the cell is warm (which may read a
 * missing page ahead: harmless there); otherwise it is unknown (-1).
 */
static int file_pages(int fd, bool warm, struct cache_pages *cp)
{
	int ret = cache_pages_of(fd, cp);

	if (ret != -EPERM)
		return ret;
	if (warm && !cache_resident_nowait(fd, cp))
		return 0;
	*cp = (struct cache_pages){ -1, -1, -1 };
	return 0;
}

/* Sums the page-cache figures of files (the sources from tree when it is
 * not NULL); a figure becomes -1 when any file's is unknown. */
static int sum_pages(const struct source_tree *tree, char *const *paths,
		     unsigned k, bool warm, uint64_t *span,
		     struct cache_pages *sum)
{
	*sum = (struct cache_pages){ 0 };
	if (span)
		*span = 0;
	for (unsigned i = 0; i < k; i++) {
		struct cache_pages cp;
		/* a --source file swapped for a symlink is not followed */
		int fd = tree ? source_tree_open(tree, i, 0)
			      : open(paths[i], O_RDONLY | O_CLOEXEC |
				     O_NOFOLLOW);
		int ret;

		if (fd < 0)
			return tree ? fd : -errno;
		ret = file_pages(fd, warm, &cp);
		if (!ret && span)
			*span += cache_file_pages(fd);
		close(fd);
		if (ret)
			return ret;
		sum->cached = cp.cached < 0 || sum->cached < 0 ?
			      -1 : sum->cached + cp.cached;
		sum->dirty = cp.dirty < 0 || sum->dirty < 0 ?
			     -1 : sum->dirty + cp.dirty;
		sum->writeback = cp.writeback < 0 || sum->writeback < 0 ?
				 -1 : sum->writeback + cp.writeback;
	}
	return 0;
}

/*
 * The memory window of a sample child (memcount.h), just outside the
 * clock: the peak RSS reset to the RSS before the copy, and the heap
 * counted from the first allocation of the copy to its last free.
 */
static void memory_window_open(struct sample_msg *m, bool elsewhere)
{
	if (elsewhere)
		return;
	m->mem.rss_known = !memcount_rss_reset(&m->mem.rss_before);
	m->mem.heap_known = memcount_available();
	memcount_begin();
}

static void memory_window_close(struct sample_msg *m)
{
	struct memcount mc;

	memcount_end(&mc);
	if (m->mem.heap_known) {
		m->mem.allocs = mc.allocs;
		m->mem.alloc_bytes = mc.bytes;
		m->mem.heap_peak = mc.peak;
	}
	if (m->mem.rss_known)
		m->mem.rss_known = !memcount_rss_peak(&m->mem.rss_peak);
}

/* The timed unit (copy_unit.h). File i of a tree goes through
 * tree_copy_file(). */
static int copy_one(const struct copy_unit *u, const struct child_job *j,
		    const struct tree_copy_job *tj,
		    struct tree_copy_dirs *dirs, unsigned i,
		    double *sync_seconds, char *why, size_t len)
{
	struct copy_range range = { 0, 0, j->c->size };

	if (j->tree)
		return tree_copy_file(u, tj, i, j->dst[i], dirs, sync_seconds,
				      why, len);
	return copy_unit_file(u, j->src[i], 0, j->dst[i], COPY_UNIT_CREATE,
			      &range, sync_seconds, why, len);
}

/* The sources' residency right before the clock: what the copy really
 * met. 0, or -errno with the reason in m. */
static int pages_before(const struct child_job *j, struct sample_msg *m)
{
	struct cache_pages before;
	int ret = sum_pages(j->tree, j->src, j->k, j->c->cache == CACHE_WARM,
			    &m->src_pages, &before);

	if (ret)
		return strategy_why(m->reason, sizeof(m->reason), ret,
				    "reading source residency: %s",
				    strerror(-ret));
	m->src_before = before.cached;
	return 0;
}

/* Page-cache effects of the copy, untimed. */
static void pages_after(const struct child_job *j, struct sample_msg *m)
{
	struct cache_pages after;

	if (!sum_pages(j->tree, j->src, j->k, j->c->cache == CACHE_WARM, NULL,
		       &after))
		m->src_after = after.cached;
	else
		m->src_after = -1;
	if (sum_pages(NULL, j->dst, j->k, false, NULL, &m->dst))
		m->dst = (struct cache_pages){ -1, -1, -1 };
}

/* child_measure for a cell of N threads (or pinned): the worker pool
 * (threads.h) copies the k files, each thread with its own state; a
 * tree's files from a shared queue, largest first. */
static int child_measure_threads(const struct child_job *j,
				 struct sample_msg *m)
{
	const struct cell *c = j->c;
	struct threads_outcome *o = calloc(1, sizeof(*o));
	struct threads_tree tt = {
		.tree = j->tree,
		.preserve = j->preserve,
		.base_len = strlen(j->dir),
	};
	int ret;

	if (!o)
		return strategy_why(m->reason, sizeof(m->reason), -ENOMEM,
				    "setup: %s", strerror(ENOMEM));
	ret = pages_before(j, m);
	if (ret)
		goto out_free;
	/* the window holds starting the worker threads too */
	memory_window_open(m, false);
	ret = threads_measure(j->kind->strategy, c, j->sparse,
			      j->tree ? &tt : NULL, j->src, j->dst, j->k,
			      j->io_lat, o, m->reason, sizeof(m->reason));
	memory_window_close(m);
	if (ret)
		goto out_free;
	m->seconds = o->seconds;
	m->first_finish = o->first_finish;
	m->sync_seconds = o->sync_seconds;
	m->cpu_user = o->cpu_user;
	m->cpu_sys = o->cpu_sys;
	memcpy(m->per_thread, o->per_thread, sizeof(m->per_thread));
	pages_after(j, m);
out_free:
	free(o);
	return ret;
}

/* The files of the sample, one after the other. */
static int copy_all(const struct copy_unit *u, const struct child_job *j,
		    struct sample_msg *m)
{
	struct tree_copy_job tj = {
		.tree = j->tree,
		.prealloc = j->c->prealloc,
		.preserve = j->preserve,
		.base_len = strlen(j->dir),
	};
	struct tree_copy_dirs *dirs = NULL;
	double t_prev, t_end;
	int ret = 0;

	if (j->tree) {
		dirs = calloc(1, sizeof(*dirs));
		if (!dirs)
			return strategy_why(m->reason, sizeof(m->reason),
					    -ENOMEM, "%s", strerror(ENOMEM));
	}
	t_prev = clock_now();
	for (unsigned i = 0; i < j->k && !ret; i++) {
		char why[REASON_LEN - 32];

		ret = copy_one(u, j, &tj, dirs, i, &m->sync_seconds, why,
			       sizeof(why));
		if (ret)
			snprintf(m->reason, sizeof(m->reason),
				 "file %u of %u: %s", i + 1, j->k, why);
		/* per-copy latency: its cost is measured and reported
		 * (cell_io_timestamp_ns()) */
		t_end = clock_now();
		if (j->lat)
			j->lat[i] = t_end - t_prev;
		t_prev = t_end;
	}
	free(dirs);
	return ret;
}

/* child_measure for a reference tool's cell: the tool runs as a process
 * of its own (reference.h), its CPU time is its children's. */
static int child_measure_reference(const struct child_job *j,
				   struct sample_msg *m)
{
	struct reference_job rj = {
		.v = j->kind->ref, .c = j->c, .tree = j->tree, .dir = j->dir,
		.src = j->src, .dst = j->dst, .k = j->k,
	};
	struct profile_session ps;
	int ret;

	ret = pages_before(j, m);
	if (ret)
		return ret;
	profile_begin(&ps, j->c->profile.on);
	ret = reference_sample(&rj, &m->seconds, &m->sync_seconds, m->reason,
			       sizeof(m->reason));
	profile_end(&ps, &m->prof);
	if (ret)
		return ret;
	reference_add_children_cpu(&m->cpu_user, &m->cpu_sys);
	pages_after(j, m);
	return 0;
}

/* child_measure for a strategy's cell of one unpinned thread: the files
 * one after the other through the copy unit (copy_unit.h). */
static int child_measure_strategy(const struct child_job *j,
				  struct sample_msg *m)
{
	const struct cell *c = j->c;
	struct rusage ru0, ru1;
	struct profile_session ps;
	struct copy_unit u;
	double t0;
	int ret;

	ret = copy_unit_setup(&u, j->kind->strategy, c, m->reason,
			      sizeof(m->reason));
	if (ret)
		goto out_teardown;
	u.sparse = j->sparse;
	u.io_observer = io_latency_observer(j->io_lat, 0);
	ret = pages_before(j, m);
	if (ret)
		goto out_teardown;
	memory_window_open(m, false);
	getrusage(RUSAGE_SELF, &ru0);
	profile_begin(&ps, c->profile.on);
	t0 = clock_now();
	ret = copy_all(&u, j, m);
	m->seconds = clock_now() - t0;
	memory_window_close(m);
	profile_end(&ps, &m->prof);
	getrusage(RUSAGE_SELF, &ru1);
	m->cpu_user = clock_tv_seconds(&ru1.ru_utime) - clock_tv_seconds(&ru0.ru_utime);
	m->cpu_sys = clock_tv_seconds(&ru1.ru_stime) - clock_tv_seconds(&ru0.ru_stime);
out_teardown:
	copy_unit_teardown(&u);
	if (ret)
		return ret;
	pages_after(j, m);
	return 0;
}

/* The timed unit of a sample, by the cell's kind: the one place a
 * reference tool's cell and a strategy's part ways. */
static int child_measure(const struct child_job *j, struct sample_msg *m)
{
	switch (j->kind->type) {
	case CELL_KIND_REFERENCE:
		return child_measure_reference(j, m);
	case CELL_KIND_STRATEGY:
		if (threads_cell_pooled(j->c))
			return child_measure_threads(j, m);
		return child_measure_strategy(j, m);
	default:
		return strategy_why(m->reason, sizeof(m->reason), -ENOENT,
				    "%s: unknown strategy", j->c->strategy);
	}
}

/*
 * Test-only fault injection (tests/faults): IOBENCH_FAULT=crash:NAME,
 * hang:NAME or kill:NAME makes every sample child of strategy NAME die of
 * SIGSEGV, block until the per-sample timeout, or die of SIGKILL, so the
 * tests can show such a cell is recorded and the sweep goes on;
 * pause:NAME makes it wait 0.5 s before its (timed) copies, so a test
 * can stop the process group while a sample is in flight;
 * evict:NAME:N drops the sources from the page cache right before the
 * residency check in the cell's first N samples (warm-ups and samples
 * taken again included), as memory reclaim could.
 */
static void evict_sources(const struct child_job *j, const char *f)
{
	const char *name = f + strlen("evict:");
	size_t n = strlen(j->c->strategy);
	unsigned long first;

	if (strncmp(name, j->c->strategy, n) || name[n] != ':')
		return;
	first = strtoul(name + n + 1, NULL, 10);
	if (j->seq > first)
		return;
	for (unsigned i = 0; i < j->k; i++) {
		int fd = j->tree ? source_tree_open(j->tree, i, 0)
				 : open(j->src[i], O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
			close(fd);
		}
	}
}

static void inject_fault(const struct child_job *j)
{
	const char *f = getenv("IOBENCH_FAULT");
	const char *name = f ? strchr(f, ':') : NULL;

	if (f && !strncmp(f, "evict:", 6)) {
		evict_sources(j, f);
		return;
	}
	if (!name || strcmp(name + 1, j->c->strategy))
		return;
	if (!strncmp(f, "pause:", 6)) {
		/* outside the timing: keeps a sample in flight longer */
		usleep(500 * 1000);
	} else if (!strncmp(f, "crash:", 6)) {
		/* the default action, even under a sanitizer's handler */
		signal(SIGSEGV, SIG_DFL);
		raise(SIGSEGV);
	} else if (!strncmp(f, "kill:", 5)) {
		raise(SIGKILL);
	} else if (!strncmp(f, "hang:", 5)) {
		for (;;)
			pause();
	}
}

void __attribute__((noreturn))
runner_child_main(const struct child_job *j, int wfd)
{
	struct sample_msg m;

	/* Ctrl-C (or a hang-up) reaches the whole process group: the
	 * sample in flight finishes, and only the parent decides to kill it */
	signals_ignore_stop();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* the round's CPU (runner_sample_cpu()); where the cpuset changed
	 * meanwhile, the scheduler's */
	if (j->cpu >= 0) {
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(j->cpu, &one);
		sched_setaffinity(0, sizeof(one), &one);
	}
	inject_fault(j);
	memset(&m, 0, sizeof(m));
	m.status = child_measure(j, &m);
	m.cpu = j->cpu >= 0 ? sched_getcpu() : -1;
	strategy_write_all(wfd, &m, sizeof(m));
	_exit(0);
}

/* ---- one sample: the parent ---- */

static void kill_and_reap(pid_t pid, int *status, struct rusage *ru)
{
	kill(pid, SIGKILL);
	while (wait4(pid, status, 0, ru) < 0 && errno == EINTR)
		;
}

/*
 * Job control seen since the last look: consumes the child's stop and
 * continue notifications (waitid WSTOPPED|WCONTINUED: its exit is left
 * for wait4). True when there was one; *stopped says whether the child
 * is stopped now.
 */
static bool child_job_control(pid_t pid, bool *stopped)
{
	bool seen = false;

	for (;;) {
		siginfo_t si = { 0 };

		if (waitid(P_PID, (id_t)pid, &si,
			   WSTOPPED | WCONTINUED | WNOHANG) || !si.si_pid)
			return seen;
		seen = true;
		*stopped = si.si_code == CLD_STOPPED ||
			   si.si_code == CLD_TRAPPED;
	}
}

/*
 * Waits for the child's message, at most `timeout` seconds of the child
 * being able to run. Time in which the child was stopped (Ctrl-Z of the
 * process group, SIGSTOP, a debugger) is not counted, and *disturbed is
 * set: its measured time includes the stop, so the caller discards the
 * sample. A result already written when the parent resumes is taken,
 * however long the parent was stopped. 0 with the message, or -errno
 * with the reason in why: -ETIMEDOUT, -EINTR (stop requested twice),
 * -ECHILD (crashed or exited without a result).
 */
int runner_wait_child(pid_t pid, int rfd, double timeout, struct sample_msg *m,
		      struct rusage *ru, bool *disturbed, char *why, size_t len)
{
	double charged = 0, last = clock_now();
	bool stopped = false;
	size_t got = 0;
	int status = 0;

	*disturbed = false;
	for (;;) {
		struct pollfd pfd = { .fd = rfd, .events = POLLIN };
		double left = timeout - charged, t;
		ssize_t n;
		int ms;

		if (runner_stop_level >= 2) {
			kill_and_reap(pid, &status, ru);
			return strategy_why(why, len, -EINTR,
					    "interrupted during a sample");
		}
		/* wake up now and then: a signal may land between checks */
		ms = left > 0.2 ? 200 : (int)(left * 1000) + 1;
		n = poll(&pfd, 1, ms);
		if (n > 0) {
			n = read(rfd, (char *)m + got, sizeof(*m) - got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			got += n;
			if (got == sizeof(*m))
				break;
		}
		/* only time the child could run counts towards the limit */
		t = clock_now();
		if (child_job_control(pid, &stopped) || stopped)
			*disturbed = true;
		else
			charged += t - last;
		last = t;
		if (charged >= timeout) {
			kill_and_reap(pid, &status, ru);
			return strategy_why(why, len, -ETIMEDOUT,
					    "timed out after %g s", timeout);
		}
	}
	while (wait4(pid, &status, 0, ru) < 0) {
		if (errno != EINTR)
			return strategy_why(why, len, -errno, "wait4: %s",
					    strerror(errno));
	}
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		const char *abbrev = sigabbrev_np(sig);

		return strategy_why(why, len, -ECHILD,
				    "crashed: signal %d (SIG%s)", sig,
				    abbrev ? abbrev : "?");
	}
	if (got != sizeof(*m) || !WIFEXITED(status) || WEXITSTATUS(status))
		return strategy_why(why, len, -ECHILD,
				    "sample process exited with status %d "
				    "without a result",
				    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	m->reason[sizeof(m->reason) - 1] = '\0';
	return 0;
}
