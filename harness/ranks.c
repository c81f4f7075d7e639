// SPDX-License-Identifier: MIT
/*
 * sweep --mpi in the runner: the exchanges that give every rank the same
 * outcome, stop requests and clock; the start (rank 0's paths); a rank's
 * sources (a file per process, N-N, or shared files rank 0 writes, N-1).
 * One sample, timed in the rank process between barriers, is
 * ranks_sample.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "cluster.h"
#include "ranks_internal.h"
#include "sample_files.h"
#include "strategies.h"

/* ---- exchanges ---- */

/*
 * Sends mine (status and reason filled by the caller), receives every
 * rank's message into rk->all, and agrees on the stop requests and time
 * spent. 0, or the wait's error (the job is broken; rk->broken says why).
 */
int ranks_exchange(struct ranks *rk, struct rank_msg *mine, double timeout)
{
	double now = clock_now(), longest = 0;
	int ret;

	mine->stop = cluster_stop_requested();
	mine->elapsed = now - rk->last_local;
	ret = cluster_exchange(mine, rk->all, sizeof(*mine), timeout,
			       rk->broken, sizeof(rk->broken));
	if (ret) {
		rk->stop = true;
		return ret == -EINTR ? ret : -EPIPE;
	}
	rk->broken[0] = '\0';
	for (int r = 0; r < rk->size; r++) {
		rk->stop |= rk->all[r].stop;
		if (rk->all[r].elapsed > longest)
			longest = rk->all[r].elapsed;
		rk->all[r].reason[REASON_LEN - 1] = '\0';
	}
	rk->clock += longest;
	rk->last_local = clock_now();
	return 0;
}

/* The lowest failing rank's status and reason (already "rank N (HOST):
 * ..."), or 0. */
int ranks_first_failure(const struct ranks *rk, char *why, size_t len)
{
	for (int r = 0; r < rk->size; r++) {
		if (!rk->all[r].status)
			continue;
		snprintf(why, len, "%s", rk->all[r].reason);
		return rk->all[r].status;
	}
	return 0;
}

/* mine's status and reason, the reason naming this rank and host. */
void ranks_set_status(const struct ranks *rk, struct rank_msg *m, int ret,
		      const char *why)
{
	m->status = ret;
	if (ret)
		snprintf(m->reason, sizeof(m->reason), "rank %d (%s): %s",
			 rk->rank, rk->host, why);
}

int ranks_agree(struct ranks *rk, int ret, char *why, size_t len)
{
	struct rank_msg mine;
	int err;

	memset(&mine, 0, sizeof(mine));
	ranks_set_status(rk, &mine, ret, ret ? why : "");
	err = ranks_exchange(rk, &mine, 0);
	if (err)
		return strategy_why(why, len, err, "%s", rk->broken);
	return ranks_first_failure(rk, why, len);
}

int ranks_min(struct ranks *rk, uint64_t mine, uint64_t *min, char *why,
	      size_t len)
{
	struct rank_msg m;
	int err;

	memset(&m, 0, sizeof(m));
	m.value = mine;
	err = ranks_exchange(rk, &m, 0);
	if (err)
		return strategy_why(why, len, err, "%s", rk->broken);
	*min = mine;
	for (int r = 0; r < rk->size; r++)
		if (rk->all[r].value < *min)
			*min = rk->all[r].value;
	return 0;
}

bool ranks_stopping(const struct ranks *rk)
{
	return rk->stop;
}

double ranks_clock(const struct ranks *rk)
{
	return rk->clock;
}

const char *ranks_broken(const struct ranks *rk)
{
	return rk->broken[0] ? rk->broken : NULL;
}

/* ---- start and end ---- */

/* rank 0's paths, sent to everyone; the shared layout needs them seen
 * from every rank. */
struct root_paths {
	char top[PATH_MAX], scratch[PATH_MAX];
};

static int learn_root(struct ranks *rk, char *why, size_t len)
{
	struct root_paths mine, *all = calloc(rk->size, sizeof(*all));
	struct stat st;
	int ret;

	if (!all)
		return -ENOMEM;
	memset(&mine, 0, sizeof(mine));
	snprintf(mine.top, sizeof(mine.top), "%s", rk->top);
	snprintf(mine.scratch, sizeof(mine.scratch), "%s", rk->scratch);
	ret = cluster_exchange(&mine, all, sizeof(mine), 0, why, len);
	if (!ret) {
		memcpy(rk->root_top, all[0].top, PATH_MAX);
		memcpy(rk->root_scratch, all[0].scratch, PATH_MAX);
		rk->root_top[PATH_MAX - 1] = rk->root_scratch[PATH_MAX - 1] =
			'\0';
	}
	free(all);
	if (ret)
		return ret;
	/* a --dir each host has of its own cannot hold a shared file */
	ret = 0;
	if (ranks_shared(rk) && rk->rank &&
	    (stat(rk->root_scratch, &st) || !S_ISDIR(st.st_mode)))
		ret = strategy_why(why, len, -ENOENT, "cannot see rank 0's "
				   "scratch directory %s: --mpi-layout shared "
				   "needs a --dir on one filesystem every rank "
				   "mounts at the same path", rk->root_scratch);
	return ranks_agree(rk, ret, why, len);
}

struct ranks *ranks_new(const struct run *run, int ret, const char *top,
			const char *scratch, int scratch_fd, char *why,
			size_t len)
{
	struct ranks *rk = calloc(1, sizeof(*rk));

	if (!rk || !(rk->all = calloc(cluster_size(), sizeof(*rk->all)))) {
		free(rk);
		ret = -ENOMEM;
		snprintf(why, len, "%s", strerror(ENOMEM));
		/* the others wait for this rank's answer */
		(void)cluster_agree(ret, 0, why, len);
		return NULL;
	}
	rk->run = run;
	rk->rank = cluster_rank();
	rk->size = cluster_size();
	rk->top = top;
	rk->scratch = scratch;
	rk->scratch_fd = scratch_fd;
	rk->last_local = clock_now();
	if (gethostname(rk->host, sizeof(rk->host) - 1))
		snprintf(rk->host, sizeof(rk->host), "?");
	ret = ranks_agree(rk, ret, why, len);
	if (!ret)
		ret = learn_root(rk, why, len);
	if (ret) {
		ranks_free(rk);
		return NULL;
	}
	return rk;
}

void ranks_free(struct ranks *rk)
{
	if (!rk)
		return;
	ranks_remove_sources(rk);
	free(rk->hashes);
	free(rk->all);
	free(rk);
}

/* ---- sources ---- */

/* Whether this rank writes the sources: each its own, or rank 0 alone. */
static bool writes_sources(const struct ranks *rk)
{
	return !ranks_shared(rk) || rk->rank == 0;
}

void ranks_src_path(const struct ranks *rk, unsigned i, char *out, size_t len)
{
	snprintf(out, len, "%s/src-%zu-%u",
		 ranks_shared(rk) ? rk->root_scratch : rk->scratch,
		 rk->size_idx, i);
}

/* Content index of source i: a rank's own files differ from the others'
 * (rank 0's are a single-host run's); shared files are rank 0's. */
uint64_t ranks_content_index(const struct ranks *rk, unsigned i)
{
	return ranks_shared(rk) ? i : ((uint64_t)rk->rank << 32) | i;
}

static int make_sources(struct ranks *rk, unsigned want, char *why,
			size_t len)
{
	const struct run_request *rq = &rk->run->request;
	char p[FILE_PATH_MAX];

	if (want > rk->n_sources) {
		uint64_t *h = realloc(rk->hashes, want * sizeof(*h));

		if (!h)
			return strategy_why(why, len, -ENOMEM, "%s",
					    strerror(ENOMEM));
		rk->hashes = h;
	}
	for (unsigned i = rk->n_sources; i < want; i++) {
		int ret;

		ranks_src_path(rk, i, p, sizeof(p));
		ret = sample_files_make_source(p, rk->file_size, rq,
					       ranks_content_index(rk, i),
					       &rk->hashes[i], why, len);
		if (ret)
			return ret;
		rk->n_sources = i + 1;
	}
	return sample_files_write_back(rk->scratch_fd, why, len);
}

int ranks_sources(struct ranks *rk, uint64_t size, size_t size_idx,
		  unsigned want, char *why, size_t len)
{
	int ret = 0;

	if (size != rk->file_size || size_idx != rk->size_idx) {
		ranks_remove_sources(rk);
		rk->file_size = size;
		rk->size_idx = size_idx;
	}
	if (want <= rk->n_sources)
		return 0;	/* every rank knows it: the same calls */
	if (writes_sources(rk))
		ret = make_sources(rk, want, why, len);
	else
		rk->n_sources = want;
	ret = ranks_agree(rk, ret, why, len);
	/* every rank must count the same sources: after a failure on one,
	 * all start again from none */
	if (ret)
		ranks_remove_sources(rk);
	return ret;
}

void ranks_remove_sources(struct ranks *rk)
{
	char p[FILE_PATH_MAX];

	/* shared sources are rank 0's; every rank has finished with them
	 * (the last exchange came after the last verification) */
	for (unsigned i = 0; writes_sources(rk) && i < rk->n_sources; i++) {
		ranks_src_path(rk, i, p, sizeof(p));
		unlink(p);
	}
	rk->n_sources = 0;
}
