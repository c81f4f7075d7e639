// SPDX-License-Identifier: MIT
/*
 * The runner's side of sweep --dir A,B (targets.h): every target's
 * scratch directory and sources, and switching the runner between them.
 * The runner's own top, scratch, scratch_fd and n_sources are the current
 * target's; the others wait in r->sites.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "runner_internal.h"
#include "strategies.h"
#include "targets.h"

void runner_use_site(struct runner *r, size_t t)
{
	struct runner_site *cur, *next;

	if (!r->sites || t == r->site)
		return;
	cur = &r->sites[r->site];
	next = &r->sites[t];
	memcpy(cur->top, r->top, sizeof(cur->top));
	memcpy(cur->scratch, r->scratch, sizeof(cur->scratch));
	cur->scratch_fd = r->scratch_fd;
	cur->home = r->home;
	memcpy(r->top, next->top, sizeof(r->top));
	memcpy(r->scratch, next->scratch, sizeof(r->scratch));
	r->scratch_fd = next->scratch_fd;
	r->home = next->home;
	/* with --src-dir every target copies the same sources */
	if (!r->src_top[0]) {
		cur->n_sources = r->n_sources;
		r->n_sources = next->n_sources;
	}
	r->site = t;
}

void runner_use_target(struct runner *r, size_t ci)
{
	runner_use_site(r, targets_of_cell(&r->run->request,
					   &r->run->cells[ci]));
}

int runner_make_sites(struct runner *r, char *err, size_t len)
{
	const struct run_request *rq = &r->run->request;
	size_t nt = targets_count(rq);
	int ret = 0;

	if (nt < 2)
		return 0;
	r->sites = calloc(nt, sizeof(*r->sites));
	if (!r->sites)
		return strategy_why(err, len, -ENOMEM, "%s", strerror(ENOMEM));
	for (size_t t = 0; t < nt; t++)
		r->sites[t].scratch_fd = -1;
	/* the first target's is the runner's own, made already */
	for (size_t t = 1; !ret && t < nt; t++)
		ret = runner_make_scratch(targets_dir(rq, t), r->sites[t].top,
					  r->sites[t].scratch,
					  sizeof(r->sites[t].top),
					  &r->sites[t].scratch_fd,
					  &r->sites[t].home, err, len);
	return ret;
}

void runner_sync_sites(const struct runner *r)
{
	for (size_t t = 0; r->sites && t < targets_count(&r->run->request);
	     t++)
		if (t != r->site)
			syncfs(r->sites[t].scratch_fd);
}

uint64_t runner_sites_avail(const struct runner *r, uint64_t avail)
{
	struct statvfs vfs;

	for (size_t t = 0; r->sites && t < targets_count(&r->run->request);
	     t++)
		if (t != r->site && !fstatvfs(r->sites[t].scratch_fd, &vfs) &&
		    (uint64_t)vfs.f_bavail * vfs.f_frsize < avail)
			avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	return avail;
}

void runner_remove_all_sources(struct runner *r)
{
	for (size_t t = targets_count(&r->run->request); t-- > 0;) {
		runner_use_site(r, t);
		runner_remove_sources(r);
	}
}

bool runner_sites_keep_inodes(struct runner *r, uint64_t files)
{
	bool keep = runner_keep_inodes(r, files);
	size_t cur = r->site;

	for (size_t t = 0; keep && r->sites &&
			   t < targets_count(&r->run->request); t++) {
		runner_use_site(r, t);
		keep = runner_keep_inodes(r, files);
	}
	runner_use_site(r, cur);
	return keep;
}
