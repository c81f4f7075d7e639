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

int copy_unit_setup(struct copy_unit *u, const struct copy_strategy *s,
		    const struct cell *c, char *why, size_t len)
{
	int ret;

	*u = (struct copy_unit){ .s = s, .sync = c->sync == SYNC_END };
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

int copy_unit_file(const struct copy_unit *u, const char *src,
		   int src_oflags, const char *dst, enum copy_unit_dst mode,
		   const struct copy_range *r, double *sync_seconds,
		   char *why, size_t len)
{
	int dflags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW | u->oflags;
	int sfd, dfd, ret;

	if (mode == COPY_UNIT_CREATE)
		dflags |= O_CREAT | O_TRUNC;
	sfd = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | src_oflags |
		   u->oflags);
	if (sfd < 0)
		return strategy_why(why, len, -errno, "opening the source: %s",
				    strerror(errno));
	dfd = open(dst, dflags, 0644);
	if (dfd < 0) {
		ret = strategy_why(why, len, -errno, "%s the destination: %s",
				   mode == COPY_UNIT_CREATE ? "creating" :
							      "opening",
				   strerror(errno));
		goto out_close_src;
	}
	ret = u->s->copy(u->state, sfd, dfd, r);
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
	return ret;
}
