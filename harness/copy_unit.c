// SPDX-License-Identifier: MIT
/* The one timed copy (see copy_unit.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "copy_unit.h"
#include "results.h"
#include "strategies.h"

/*
 * Test-only: IOBENCH_FAULT=slow:NAME:PCT plants a slowdown of PCT percent
 * in strategy NAME, so the validation benchmark and the tests can check
 * that compare catches a real regression and flags nothing else. Spinning
 * (not sleeping) keeps it exact for copies of a few microseconds.
 */
static double planted_slowdown(const char *strategy)
{
	const char *f = getenv("IOBENCH_FAULT");
	size_t n = strlen(strategy);
	char *end;
	double pct;

	if (!f || strncmp(f, "slow:", 5) || strncmp(f + 5, strategy, n) ||
	    f[5 + n] != ':')
		return 0;
	pct = strtod(f + 6 + n, &end);
	return *end || !(pct > 0 && pct <= 1000) ? 0 : pct / 100;
}

static void spin(double seconds)
{
	double until = clock_now() + seconds;

	while (clock_now() < until)
		;
}

int copy_unit_setup(struct copy_unit *u, const struct copy_strategy *s,
		    const struct cell *c, char *why, size_t len)
{
	int ret;

	*u = (struct copy_unit){ .s = s, .sync = c->sync == SYNC_END,
				 .slow = planted_slowdown(s->name) };
	u->opts = calloc(1, s->options_size ? s->options_size : 1);
	u->state = calloc(1, s->state_size ? s->state_size : 1);
	if (!u->opts || !u->state)
		return strategy_why(why, len, -ENOMEM, "setup: %s",
				    strerror(ENOMEM));
	ret = cell_options(c, s, u->opts, why, len);
	if (ret)
		return ret;
	u->oflags = strategy_open_flags(s, u->opts);
	ret = s->setup ? s->setup(u->state, u->opts) : 0;
	if (ret) {
		/* teardown() runs even after a failed setup() */
		strategy_why(why, len, ret, "setup: %s", strerror(-ret));
		return ret;
	}
	return 0;
}

void copy_unit_teardown(struct copy_unit *u)
{
	if (u->state && u->s && u->s->teardown)
		u->s->teardown(u->state);
	free(u->state);
	free(u->opts);
	u->state = u->opts = NULL;
}

/* copy_unit_fd() with the unit's start time t0 (IOBENCH_FAULT=slow) */
static int copy_from(const struct copy_unit *u, int sfd, double t0,
		     const char *dst, enum copy_unit_dst mode,
		     const struct copy_range *r, double *sync_seconds,
		     char *why, size_t len)
{
	int dflags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW | u->oflags;
	int dfd, ret;

	if (mode == COPY_UNIT_CREATE)
		dflags |= O_CREAT | O_TRUNC;
	dfd = open(dst, dflags, 0644);
	if (dfd < 0) {
		ret = strategy_why(why, len, -errno, "%s the destination: %s",
				   mode == COPY_UNIT_CREATE ? "creating" :
							      "opening",
				   strerror(errno));
		goto out_close_src;
	}
	/* the observer belongs to this thread for the copy only */
	strategy_io_observer_set(u->io_observer);
	ret = strategy_copy_sparse(u->s, u->state, sfd, dfd, r, u->sparse);
	strategy_io_observer_set(NULL);
	if (ret) {
		strategy_why(why, len, ret, "%s", strerror(-ret));
		goto out_close_dst;
	}
	if (u->sync) {
		double t0 = clock_now();

		if (fdatasync(dfd))
			ret = strategy_why(why, len, -errno, "fdatasync: %s",
					   strerror(errno));
		if (sync_seconds)
			*sync_seconds += clock_now() - t0;
	}
out_close_dst:
	/* close reports deferred write errors (NFS, quota): they count */
	if (close(dfd) && !ret)
		ret = strategy_why(why, len, -errno, "close: %s",
				   strerror(errno));
out_close_src:
	close(sfd);
	if (u->slow)
		spin((clock_now() - t0) * u->slow);
	return ret;
}

int copy_unit_file(const struct copy_unit *u, const char *src,
		   int src_oflags, const char *dst, enum copy_unit_dst mode,
		   const struct copy_range *r, double *sync_seconds,
		   char *why, size_t len)
{
	double t0 = u->slow ? clock_now() : 0;
	int sfd = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | src_oflags |
		       u->oflags);

	if (sfd < 0)
		return strategy_why(why, len, -errno, "opening the source: %s",
				    strerror(errno));
	return copy_from(u, sfd, t0, dst, mode, r, sync_seconds, why, len);
}

int copy_unit_fd(const struct copy_unit *u, int sfd, const char *dst,
		 enum copy_unit_dst mode, const struct copy_range *r,
		 double *sync_seconds, char *why, size_t len)
{
	return copy_from(u, sfd, u->slow ? clock_now() : 0, dst, mode, r,
			 sync_seconds, why, len);
}
