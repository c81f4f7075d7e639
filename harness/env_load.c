// SPDX-License-Identifier: MIT
/*
 * The machine's other load during a run (see env_load.h): /proc/stat's
 * CPU counters minus this process's own rusage and the kernel threads'
 * time, /proc/loadavg, and the free page reporting counter of kernels
 * that export one.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "clock.h"
#include "env_load.h"
#include "env_sys.h"
#include "strategies.h"

/* Pages handed back to the host by free page reporting (virtio balloon),
 * where the kernel exports the running total. */
#define REPORTED_KIB "/sys/module/page_reporting/parameters/reported_kib"

static double tv_seconds(const struct timeval *tv)
{
	return tv->tv_sec + tv->tv_usec / 1e6;
}

/* busy and steal seconds of all CPUs; false when unreadable */
static bool cpu_seconds(double *busy, double *steal)
{
	unsigned long long user, nice, sys, idle, iowait, irq, softirq, st;
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f = fopen("/proc/stat", "re");
	int n;

	if (!f)
		return false;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user,
		   &nice, &sys, &idle, &iowait, &irq, &softirq, &st);
	fclose(f);
	if (n < 7 || hz <= 0)
		return false;
	if (n < 8)
		st = 0;
	/* interrupts: mostly the completions of the run's own I/O */
	(void)irq;
	(void)softirq;
	*busy = (double)(user + nice + sys) / hz;
	*steal = (double)st / hz;
	return true;
}

#define PF_KTHREAD_FLAG 0x00200000u	/* linux/sched.h PF_KTHREAD */

/*
 * CPU seconds of every kernel thread so far (/proc/PID/stat utime +
 * stime of the tasks flagged PF_KTHREAD). Writeback, block I/O and
 * reclaim run there, most of it on the run's own behalf (its copies'
 * dirty pages, its evictions): counted as other load, it put a quiet
 * machine at 0.3-0.6 of 2 CPUs "busy" during `iobench quick`. Kernel
 * threads live long, so the difference of two marks holds all of theirs.
 */
static double kernel_seconds(void)
{
	long hz = sysconf(_SC_CLK_TCK);
	DIR *d = opendir("/proc");
	struct dirent *e;
	double total = 0;

	if (!d || hz <= 0) {
		if (d)
			closedir(d);
		return 0;
	}
	while ((e = readdir(d))) {
		unsigned long long ut, st;
		unsigned flags;
		char path[300], buf[512], *p;
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		/* the name may hold spaces and ')': fields follow the last */
		p = p ? strrchr(buf, ')') : NULL;
		if (p && sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %u %*u %*u %*u "
				"%*u %llu %llu", &flags, &ut, &st) == 3 &&
		    (flags & PF_KTHREAD_FLAG))
			total += (double)(ut + st) / hz;
	}
	closedir(d);
	return total;
}

/* env_load_pause(): when the pause began, and the totals of past ones */
static struct {
	double wall0, busy0, kernel0;
	double wall, busy, kernel;
} paused = { .wall0 = -1 };

void env_load_pause(void)
{
	double steal;

	paused.wall0 = clock_now();
	if (!cpu_seconds(&paused.busy0, &steal))
		paused.busy0 = -1;
	paused.kernel0 = kernel_seconds();
}

void env_load_resume(void)
{
	double busy, steal;

	if (paused.wall0 < 0)
		return;
	paused.wall += clock_now() - paused.wall0;
	if (paused.busy0 >= 0 && cpu_seconds(&busy, &steal)) {
		paused.busy += busy - paused.busy0;
		/* the kernel threads' share of that busy time, which
		 * env_load_finish() subtracts with the rest of theirs */
		paused.kernel += kernel_seconds() - paused.kernel0;
	}
	paused.wall0 = -1;
}

void env_load_mark(struct env_load_mark *m)
{
	struct rusage self, children;
	char buf[64];

	*m = (struct env_load_mark){ .wall = clock_now(),
				     .busy = -1,
				     .reported_kib = -1,
				     .loadavg = -1,
				     .paused_wall = paused.wall,
				     .paused_busy = paused.busy,
				     .paused_kernel = paused.kernel };
	if (!cpu_seconds(&m->busy, &m->steal))
		m->busy = -1;
	m->kernel = kernel_seconds();
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &children);
	m->own = tv_seconds(&self.ru_utime) + tv_seconds(&self.ru_stime) +
		 tv_seconds(&children.ru_utime) +
		 tv_seconds(&children.ru_stime);
	if (env_read_line(REPORTED_KIB, buf, sizeof(buf)))
		m->reported_kib = strtoll(buf, NULL, 10);
	if (env_read_line("/proc/loadavg", buf, sizeof(buf)))
		m->loadavg = strtod(buf, NULL);
}

static void set_text(struct env_load *l)
{
	snprintf(l->text, sizeof(l->text), "%.2f of %u CPUs (steal %.2f)",
		 fmax(l->other_cpus, 0), l->cpus, fmax(l->steal_cpus, 0));
}

void env_load_finish(const struct env_load_mark *m, struct env_load *l)
{
	struct env_load_mark now;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	env_load_mark(&now);
	*l = (struct env_load){
		.measured = true,
		.seconds = now.wall - m->wall,
		.other_cpus = -1,
		.steal_cpus = -1,
		.loadavg_start = m->loadavg,
		.loadavg_end = now.loadavg,
		.reported_kib = -1,
		.cpus = cpus > 0 ? (unsigned)cpus : 0,
	};
	if (l->seconds > 0 && m->busy >= 0 && now.busy >= 0) {
		double other = now.busy - m->busy - (now.own - m->own) -
			       (now.kernel - m->kernel) -
			       (now.paused_busy - m->paused_busy) +
			       (now.paused_kernel - m->paused_kernel);
		double own_wall = l->seconds -
				  (now.paused_wall - m->paused_wall);

		/* tick accounting rounds: never below none */
		l->other_cpus = own_wall > 0 ? fmax(other, 0) / own_wall : 0;
		l->steal_cpus = (now.steal - m->steal) / l->seconds;
	}
	if (m->reported_kib >= 0 && now.reported_kib >= m->reported_kib)
		l->reported_kib = now.reported_kib - m->reported_kib;
	set_text(l);
}

bool env_load_disturbed(const struct env_load *l, char *why, size_t len)
{
	if (!l->measured ||
	    l->other_cpus + fmax(l->steal_cpus, 0) <= ENV_LOAD_BUSY_CPUS)
		return false;
	if (why && len)
		snprintf(why, len,
			 "other processes kept %.2f of %u CPUs "
			 "busy (hypervisor steal %.2f, load average %.1f to "
			 "%.1f) while the run measured: its figures include "
			 "their interference; compare it only with runs "
			 "measured as busy, or measure on a quiet machine",
			 l->other_cpus, l->cpus, fmax(l->steal_cpus, 0),
			 l->loadavg_start, l->loadavg_end);
	return true;
}

/* NaN and negatives (unknown) are JSON null */
static json_t *num_or_null(double v)
{
	return isfinite(v) && v >= 0 ? json_real(v) : json_null();
}

int env_load_json_add(json_t *env, const struct env_load *l)
{
	json_t *v;

	if (!l->measured)
		return 0;
	v = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:i}", "seconds",
		      num_or_null(l->seconds), "other_cpus",
		      num_or_null(l->other_cpus), "steal_cpus",
		      num_or_null(l->steal_cpus), "loadavg_start",
		      num_or_null(l->loadavg_start), "loadavg_end",
		      num_or_null(l->loadavg_end), "reported_kib",
		      l->reported_kib < 0 ? json_null()
					  : json_integer(l->reported_kib),
		      "cpus", (int)l->cpus);
	if (!env || !v || json_object_set_new(env, "load", v))
		return -ENOMEM;
	return 0;
}

/* a non-negative number or null (-1) into *out; false when neither */
static bool read_num(json_t *o, const char *key, double *out)
{
	json_t *v = json_object_get(o, key);

	*out = -1;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_number(v) || json_number_value(v) < 0)
		return false;
	*out = json_number_value(v);
	return true;
}

int env_load_json_read(json_t *root, struct env_load *l, char *why, size_t len)
{
	static const char *const keys[] = { "seconds",	   "other_cpus",
					    "steal_cpus",  "loadavg_start",
					    "loadavg_end", "reported_kib",
					    "cpus" };
	json_t *o =
		json_object_get(json_object_get(root, "environment"), "load");
	double v[7];

	memset(l, 0, sizeof(*l));
	if (!o || json_is_null(o))
		return 0;
	if (!json_is_object(o))
		return strategy_why(why, len, -EINVAL, "expected an object");
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (!read_num(o, keys[i], &v[i]))
			return strategy_why(why, len, -EINVAL,
					    "%s: expected a "
					    "non-negative number or null",
					    keys[i]);
	*l = (struct env_load){
		.measured = true,
		.seconds = v[0],
		.other_cpus = v[1],
		.steal_cpus = v[2],
		.loadavg_start = v[3],
		.loadavg_end = v[4],
		.reported_kib = (int64_t)v[5],
		.cpus = v[6] > 0 ? (unsigned)v[6] : 0,
	};
	set_text(l);
	return 0;
}

void env_load_markdown_row(FILE *f, const struct env_load *l)
{
	char rep[64] = "no counter";

	if (!l->measured)
		return;
	if (l->reported_kib >= 0)
		snprintf(rep, sizeof(rep), "%.0f MiB",
			 l->reported_kib / 1024.0);
	fprintf(f,
		"| other load while measuring | other processes %.2f of "
		"%u CPUs, hypervisor steal %.2f, load average %.1f to %.1f; "
		"free page reporting handed %s back to the host |\n",
		fmax(l->other_cpus, 0), l->cpus, fmax(l->steal_cpus, 0),
		l->loadavg_start, l->loadavg_end, rep);
}
