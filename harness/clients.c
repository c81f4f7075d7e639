// SPDX-License-Identifier: MIT
/*
 * Figures of MPI runs computed once: host differences (a run warning)
 * and per-cell stragglers, from env.hosts and the per-rank figures.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients.h"

/* The facts compared, by name. */
static const struct {
	const char *what;
	size_t off;
} facts[] = {
	{ "kernel", offsetof(struct env_host, kernel) },
	{ "CPU", offsetof(struct env_host, cpu_model) },
	{ "filesystem of --dir", offsetof(struct env_host, fs_type) },
	{ "mount source of --dir", offsetof(struct env_host, device) },
	{ "mount options of --dir", offsetof(struct env_host, mount_options) },
};

static const char *fact(const struct env_host *h, size_t i)
{
	const char *s = *(char *const *)((const char *)h + facts[i].off);

	return s ? s : "unknown";
}

static bool fact_differs(const struct run *run, size_t i)
{
	const struct environment *e = &run->env;

	for (size_t h = 1; h < e->n_hosts; h++)
		if (strcmp(fact(&e->hosts[0], i), fact(&e->hosts[h], i)))
			return true;
	return false;
}

bool clients_hosts_differ(const struct run *run)
{
	for (size_t i = 0; i < sizeof(facts) / sizeof(*facts); i++)
		if (fact_differs(run, i))
			return true;
	return false;
}

int clients_warn_hosts(struct run *run)
{
	const struct environment *e = &run->env;
	size_t cap = 256, used = 0;
	char *text = malloc(cap);
	size_t before = run->n_warnings;

	if (!text)
		return -ENOMEM;
	text[0] = '\0';
	for (size_t i = 0; i < sizeof(facts) / sizeof(*facts); i++) {
		if (!fact_differs(run, i))
			continue;
		for (size_t h = 0; h < e->n_hosts; h++) {
			const char *pre = !h ? used ? "; " : "" : ", ";
			size_t need = strlen(pre) + strlen(facts[i].what) +
				      strlen(e->hosts[h].hostname) +
				      strlen(fact(&e->hosts[h], i)) + 8;
			char *t;

			if (used + need >= cap) {
				cap = 2 * (used + need);
				t = realloc(text, cap);
				if (!t) {
					free(text);
					return -ENOMEM;
				}
				text = t;
			}
			used += snprintf(text + used, cap - used, "%s%s%s%s: %s",
					 pre, !h ? facts[i].what : "",
					 !h ? " (" : "", e->hosts[h].hostname,
					 fact(&e->hosts[h], i));
		}
		used += snprintf(text + used, cap - used, ")");
	}
	if (used)
		results_add_warning(run, "the hosts differ: %s: their "
				    "figures may not be comparable", text);
	free(text);
	return used && run->n_warnings == before ? -ENOMEM : 0;
}

bool clients_straggler(const struct cell *c, unsigned *rank, double *share)
{
	unsigned n = c->ranks, *slowest, best = 0, counted = 0;

	if (n < 2 || !c->n_samples)
		return false;
	slowest = calloc(n, sizeof(*slowest));
	if (!slowest)
		return false;
	for (size_t i = 0; i < c->n_samples; i++) {
		const struct rank_figure *f = c->samples[i].per_rank;
		unsigned s = 0;

		if (!f)
			continue;
		for (unsigned r = 1; r < n; r++)
			if (f[r].start + f[r].seconds >
			    f[s].start + f[s].seconds)
				s = r;
		slowest[s]++;
		counted++;
	}
	for (unsigned r = 1; r < n; r++)
		if (slowest[r] > slowest[best])
			best = r;
	*rank = best;
	*share = counted ? (double)slowest[best] / counted : 0;
	free(slowest);
	return counted > 0;
}

const char *clients_host_of(const struct run *run, unsigned rank)
{
	const struct environment *e = &run->env;

	for (size_t h = 0; h < e->n_hosts; h++)
		for (size_t i = 0; i < e->hosts[h].n_ranks; i++)
			if (e->hosts[h].ranks[i] == rank)
				return e->hosts[h].hostname;
	return "?";
}
