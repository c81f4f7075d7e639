// SPDX-License-Identifier: MIT
/*
 * The MPI layer of sweep --mpi: MPI_Init_thread / MPI_Finalize, polled
 * non-blocking barriers and exchanges (MPI_Ibarrier, MPI_Isend/Irecv to
 * rank 0, MPI_Ibcast back), a clock offset to rank 0 per rank, and the
 * host facts of every rank. Built only when meson finds MPI.
 */
#include <errno.h>
#include <math.h>
#include <mpi.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "cluster.h"
#include "strategies.h"

/* Round trips per rank when measuring clock offsets. */
#define CLOCK_PINGS 32
/* Tags: the clock ping-pong, then one per exchange (cycling). */
#define TAG_CLOCK 1
#define TAG_FIRST 2
#define TAG_SPAN 30000
/* Sleep between polls of a loose wait. */
#define LOOSE_POLL_NS 200000L

static struct {
	bool on, broken, left;
	int rank, size;
	bool host_leader;
	double offset, clock_error;
	unsigned seq;		/* exchanges so far: their tags */
} cl = { .size = 1, .host_leader = true };

static volatile sig_atomic_t stop_level;

void cluster_request_stop(void)
{
	if (stop_level < 2)
		stop_level++;
}

bool cluster_stop_requested(void)
{
	return stop_level > 0;
}

bool cluster_on(void)
{
	return cl.on;
}

int cluster_rank(void)
{
	return cl.rank;
}

int cluster_size(void)
{
	return cl.size;
}

bool cluster_writer(void)
{
	return cl.rank == 0;
}

bool cluster_host_leader(void)
{
	return cl.host_leader;
}

bool cluster_broken(void)
{
	return cl.broken;
}

double cluster_clock_offset(void)
{
	return cl.offset;
}

double cluster_now(void)
{
	return MPI_Wtime() + cl.offset;
}

static int mpi_why(char *why, size_t len, int ret, const char *what, int err)
{
	char msg[MPI_MAX_ERROR_STRING];
	int n = 0;

	if (MPI_Error_string(err, msg, &n) != MPI_SUCCESS)
		snprintf(msg, sizeof(msg), "error %d", err);
	if (len)
		snprintf(why, len, "%s: %s", what, msg);
	return ret;
}

/* What a rank knows of its clocks: the boot (ranks of one boot share
 * CLOCK_MONOTONIC) and MPI_Wtime()'s distance to CLOCK_MONOTONIC
 * (MPI_Wtime starts near 0 in every process). */
struct clock_facts {
	char boot[40];
	double mono_minus_wtime;
};

static void clock_facts(struct clock_facts *f)
{
	FILE *b = fopen("/proc/sys/kernel/random/boot_id", "re");

	memset(f, 0, sizeof(*f));
	if (!b || !fgets(f->boot, sizeof(f->boot), b))
		snprintf(f->boot, sizeof(f->boot), "unknown-%d", cl.rank);
	if (b)
		fclose(b);
	f->mono_minus_wtime = clock_now() - MPI_Wtime();
}

/*
 * Each rank's offset of MPI_Wtime() to rank 0's. Ranks of rank 0's boot
 * compute it exactly from the shared CLOCK_MONOTONIC; the others by
 * Cristian's algorithm against rank 0, CLOCK_PINGS round trips each, one
 * rank after another: the offset of the shortest round trip, whose error
 * is at most half of it.
 */
static int measure_clock_offset(char *why, size_t len)
{
	struct clock_facts mine, *all = calloc(cl.size, sizeof(*all));
	double best = 1e30;
	int err = MPI_SUCCESS, ret;

	if (!all)
		return -ENOMEM;
	clock_facts(&mine);
	ret = cluster_exchange(&mine, all, sizeof(mine), 0, why, len);
	if (ret) {
		free(all);
		return ret;
	}
	if (!strcmp(all[cl.rank].boot, all[0].boot))
		cl.offset = mine.mono_minus_wtime - all[0].mono_minus_wtime;
	for (int r = 1; r < cl.size && err == MPI_SUCCESS; r++) {
		if (!strcmp(all[r].boot, all[0].boot))
			continue;
		for (int k = 0; k < CLOCK_PINGS && err == MPI_SUCCESS; k++) {
			double t1, t2, t;

			if (cl.rank == 0) {
				err = MPI_Recv(&t, 1, MPI_DOUBLE, r, TAG_CLOCK,
					       MPI_COMM_WORLD,
					       MPI_STATUS_IGNORE);
				t = MPI_Wtime();
				if (err == MPI_SUCCESS)
					err = MPI_Send(&t, 1, MPI_DOUBLE, r,
						       TAG_CLOCK,
						       MPI_COMM_WORLD);
			} else if (cl.rank == r) {
				t1 = MPI_Wtime();
				err = MPI_Send(&t1, 1, MPI_DOUBLE, 0,
					       TAG_CLOCK, MPI_COMM_WORLD);
				if (err == MPI_SUCCESS)
					err = MPI_Recv(&t, 1, MPI_DOUBLE, 0,
						       TAG_CLOCK,
						       MPI_COMM_WORLD,
						       MPI_STATUS_IGNORE);
				t2 = MPI_Wtime();
				if (err == MPI_SUCCESS && t2 - t1 < best) {
					best = t2 - t1;
					cl.offset = t - (t1 + t2) / 2;
					cl.clock_error = best / 2;
				}
			}
		}
	}
	free(all);
	if (err != MPI_SUCCESS)
		return mpi_why(why, len, -EIO, "measuring clock offsets", err);
	return 0;
}

int cluster_start(int *argc, char ***argv, char *why, size_t len)
{
	MPI_Comm node;
	int provided = 0, err, node_rank = 0;

	if (len)
		why[0] = '\0';
	err = MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
	if (err != MPI_SUCCESS)
		return mpi_why(why, len, -EIO, "MPI_Init_thread", err);
	cl.on = true;
	strategy_plugin_probe_in_process(true);	/* no fork from here on */
	/* errors come back as codes, never as an abort inside the library */
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	MPI_Comm_rank(MPI_COMM_WORLD, &cl.rank);
	MPI_Comm_size(MPI_COMM_WORLD, &cl.size);
	err = MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED,
				  cl.rank, MPI_INFO_NULL, &node);
	if (err != MPI_SUCCESS)
		return mpi_why(why, len, -EIO, "finding the ranks of this host",
			       err);
	MPI_Comm_rank(node, &node_rank);
	MPI_Comm_free(&node);
	cl.host_leader = node_rank == 0;
	return measure_clock_offset(why, len);
}

void cluster_finish(void)
{
	if (!cl.on)
		return;
	/* a broken job cannot finalize (it would wait for the gone), nor
	 * one that left; MPI stays "on" for them until the process ends */
	if (cl.broken || cl.left)
		return;
	cl.on = false;
	MPI_Finalize();
}

void cluster_leave(void)
{
	cl.left = true;
}

void cluster_abort(int code)
{
	MPI_Abort(MPI_COMM_WORLD, code);
	exit(code);
}

/*
 * Polls reqs until all completed (completed ones become
 * MPI_REQUEST_NULL), the timeout passed, or a stop ended the wait. 0,
 * -EINTR or -ETIMEDOUT (the job is then broken), -EIO on an MPI error.
 */
static int wait_all(int n, MPI_Request *reqs, enum cluster_wait how,
		    double timeout, const char *what, char *why, size_t len)
{
	double t0 = clock_now();
	int *idx = calloc(n ? n : 1, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (;;) {
		struct timespec pause = { 0, LOOSE_POLL_NS };
		int out = 0, err;
		double now;

		err = MPI_Testsome(n, reqs, &out, idx, MPI_STATUSES_IGNORE);
		if (err != MPI_SUCCESS) {
			free(idx);
			cl.broken = true;
			return mpi_why(why, len, -EIO, what, err);
		}
		if (out == MPI_UNDEFINED)
			break;		/* every request is done */
		now = clock_now();
		if (stop_level) {
			free(idx);
			cl.broken = true;
			snprintf(why, len, "%s: stopped while waiting for the "
				 "other ranks", what);
			return -EINTR;
		}
		if (timeout > 0 && now - t0 >= timeout) {
			free(idx);
			cl.broken = true;
			snprintf(why, len, "%s: the other ranks did not answer "
				 "within %g s", what, timeout);
			return -ETIMEDOUT;
		}
		if (how == CLUSTER_TIGHT)
			sched_yield();
		else
			nanosleep(&pause, NULL);
	}
	free(idx);
	return 0;
}

int cluster_barrier(enum cluster_wait how, double timeout, char *why,
		    size_t len)
{
	MPI_Request req;
	int err;

	if (cl.broken)
		return -EPIPE;
	err = MPI_Ibarrier(MPI_COMM_WORLD, &req);
	if (err != MPI_SUCCESS) {
		cl.broken = true;
		return mpi_why(why, len, -EIO, "barrier", err);
	}
	return wait_all(1, &req, how, timeout, "barrier", why, len);
}

/* "ranks 2, 5" of the receives still pending, into why. */
static void name_missing(const MPI_Request *recv, int n, char *why,
			 size_t len)
{
	size_t used = strlen(why);
	int missing = 0;

	for (int i = 0; i < n && used < len; i++) {
		if (recv[i] == MPI_REQUEST_NULL)
			continue;
		used += snprintf(why + used, len - used, "%s%d",
				 missing++ ? ", " : " (no answer from rank ",
				 i + 1);
	}
	if (missing && used < len)
		snprintf(why + used, len - used, ")");
}

int cluster_exchange(const void *mine, void *all, size_t len,
		     double timeout, char *why, size_t wlen)
{
	int tag = TAG_FIRST + (int)(cl.seq++ % TAG_SPAN), n = cl.size, err;
	MPI_Request *req, bcast;
	int ret;

	if (cl.broken)
		return -EPIPE;
	if (len > INT32_MAX / (size_t)n)
		return -EOVERFLOW;
	req = calloc(n, sizeof(*req));
	if (!req)
		return -ENOMEM;
	memcpy((char *)all + (size_t)cl.rank * len, mine, len);
	/* rank 0 collects every block (and knows whose never came) */
	if (cl.rank == 0) {
		for (int r = 1; r < n; r++) {
			err = MPI_Irecv((char *)all + (size_t)r * len,
					(int)len, MPI_BYTE, r, tag,
					MPI_COMM_WORLD, &req[r - 1]);
			if (err != MPI_SUCCESS) {
				cl.broken = true;
				free(req);
				return mpi_why(why, wlen, -EIO, "exchange",
					       err);
			}
		}
		ret = wait_all(n - 1, req, CLUSTER_LOOSE, timeout,
			       "collecting the ranks' results", why, wlen);
		if (ret)
			name_missing(req, n - 1, why, wlen);
	} else {
		err = MPI_Isend(mine, (int)len, MPI_BYTE, 0, tag,
				MPI_COMM_WORLD, &req[0]);
		ret = err == MPI_SUCCESS ? 0 :
		      mpi_why(why, wlen, -EIO, "exchange", err);
		if (!ret)
			ret = wait_all(1, req, CLUSTER_LOOSE, timeout,
				       "sending results to rank 0", why,
				       wlen);
	}
	free(req);
	if (ret) {
		cl.broken = true;
		return ret;
	}
	err = MPI_Ibcast(all, (int)(len * (size_t)n), MPI_BYTE, 0,
			 MPI_COMM_WORLD, &bcast);
	if (err != MPI_SUCCESS) {
		cl.broken = true;
		return mpi_why(why, wlen, -EIO, "exchange", err);
	}
	return wait_all(1, &bcast, CLUSTER_LOOSE, timeout,
			"receiving every rank's results", why, wlen);
}

/* One rank's outcome of a step (cluster_agree). */
struct outcome {
	int32_t status;
	char host[64];
	char reason[256];
};

int cluster_agree(int ret, double timeout, char *why, size_t len)
{
	struct outcome mine = { .status = ret }, *all;
	int err;

	if (gethostname(mine.host, sizeof(mine.host) - 1))
		snprintf(mine.host, sizeof(mine.host), "?");
	if (ret && len)
		snprintf(mine.reason, sizeof(mine.reason), "%s", why);
	all = calloc(cl.size, sizeof(*all));
	if (!all)
		return -ENOMEM;
	err = cluster_exchange(&mine, all, sizeof(mine), timeout, why, len);
	for (int r = 0; !err && r < cl.size; r++) {
		if (!all[r].status)
			continue;
		all[r].reason[sizeof(all[r].reason) - 1] = '\0';
		all[r].host[sizeof(all[r].host) - 1] = '\0';
		snprintf(why, len, "rank %d (%s): %s", r, all[r].host,
			 all[r].reason);
		err = all[r].status;
		break;
	}
	free(all);
	return err;
}

/* ---- host facts ---- */

/* One rank's facts, fixed size for the exchange. */
struct host_facts {
	char hostname[256], kernel[256], cpu_model[128], fs_type[64];
	char device[256], mount_options[512];
	double clock_error;
};

static void put(char *dst, size_t len, const char *s)
{
	snprintf(dst, len, "%s", s ? s : "unknown");
}

static bool same_host(const struct host_facts *a, const struct host_facts *b)
{
	return !strcmp(a->hostname, b->hostname) &&
	       !strcmp(a->kernel, b->kernel) &&
	       !strcmp(a->cpu_model, b->cpu_model) &&
	       !strcmp(a->fs_type, b->fs_type) &&
	       !strcmp(a->device, b->device) &&
	       !strcmp(a->mount_options, b->mount_options);
}

/* Adds rank r to the entry whose facts equal f, or a new entry. */
static int add_rank(struct environment *env, const struct host_facts *all,
		    int r)
{
	const struct host_facts *f = &all[r];
	struct env_host *h = NULL;
	unsigned *ranks;

	for (size_t i = 0; i < env->n_hosts && !h; i++)
		if (same_host(&all[env->hosts[i].ranks[0]], f))
			h = &env->hosts[i];
	if (!h) {
		h = realloc(env->hosts, (env->n_hosts + 1) * sizeof(*h));
		if (!h)
			return -ENOMEM;
		env->hosts = h;
		h = &env->hosts[env->n_hosts++];
		memset(h, 0, sizeof(*h));
		h->hostname = strdup(f->hostname);
		h->kernel = strdup(f->kernel);
		h->cpu_model = strdup(f->cpu_model);
		h->fs_type = strdup(f->fs_type);
		h->device = strdup(f->device);
		h->mount_options = strdup(f->mount_options);
		if (!h->hostname || !h->kernel || !h->cpu_model ||
		    !h->fs_type || !h->device || !h->mount_options)
			return -ENOMEM;
	}
	ranks = realloc(h->ranks, (h->n_ranks + 1) * sizeof(*ranks));
	if (!ranks)
		return -ENOMEM;
	h->ranks = ranks;
	h->ranks[h->n_ranks++] = (unsigned)r;
	if (f->clock_error > h->clock_error)
		h->clock_error = f->clock_error;
	return 0;
}

int cluster_gather_hosts(struct environment *env, char *why, size_t len)
{
	struct host_facts mine, *all;
	int ret;

	memset(&mine, 0, sizeof(mine));
	put(mine.hostname, sizeof(mine.hostname), env->hostname);
	put(mine.kernel, sizeof(mine.kernel), env->kernel);
	put(mine.cpu_model, sizeof(mine.cpu_model), env->cpu_model);
	put(mine.fs_type, sizeof(mine.fs_type), env->fs_type);
	put(mine.device, sizeof(mine.device), env->device);
	put(mine.mount_options, sizeof(mine.mount_options),
	    env->mount_options);
	mine.clock_error = cl.clock_error;
	all = calloc(cl.size, sizeof(*all));
	if (!all)
		return -ENOMEM;
	ret = cluster_exchange(&mine, all, sizeof(mine), 0, why, len);
	for (int r = 0; !ret && r < cl.size; r++)
		ret = add_rank(env, all, r);
	free(all);
	return ret;
}
