// SPDX-License-Identifier: MIT
/*
 * Storage facts of the environment from sysfs and procfs: the block
 * queue under a directory, virtualisation (systemd-detect-virt, else
 * CPUID), the virtio balloon's features, proactive reclaim (DAMON), THP,
 * the vm.dirty_* knobs, the ext4 journal and reflink (a FICLONE probe).
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "diskstats.h"
#include "cluster.h"
#include "env_storage.h"
#include "env_sys.h"
#include "fmt.h"
#include "strategies.h"

static int64_t read_number(const char *path)
{
	char buf[64];
	char *end;
	long long v;

	if (!env_read_line(path, buf, sizeof(buf)))
		return -1;
	v = strtoll(buf, &end, 10);
	return end != buf && v >= 0 ? v : -1;
}

/* strdup, NULL staying NULL; false on ENOMEM. */
static bool dup_or_null(char **dst, const char *s)
{
	*dst = s ? strdup(s) : NULL;
	return !s || *dst;
}

/* "[madvise]" out of "always [madvise] never", in place. */
static char *bracketed(char *s)
{
	char *open = strchr(s, '['), *close;

	if (!open)
		return s;
	close = strchr(open, ']');
	if (close)
		*close = '\0';
	return open + 1;
}

/* A queue attribute of the device, or of its disk when it is a
 * partition (which has no queue/ of its own). */
static bool queue_attr(const struct diskstats_device *d, const char *attr,
		       char *out, size_t len)
{
	char path[160];

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/%s", d->major,
		 d->minor, attr);
	if (env_read_line(path, out, len))
		return true;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/../%s", d->major,
		 d->minor, attr);
	return env_read_line(path, out, len);
}

static int64_t queue_number(const struct diskstats_device *d, const char *attr)
{
	char buf[64];
	char *end;
	long long v;

	if (!queue_attr(d, attr, buf, sizeof(buf)))
		return -1;
	v = strtoll(buf, &end, 10);
	return end != buf && v >= 0 ? v : -1;
}

/* blk-mq hardware queues: the entries of mq/. */
static int64_t count_hw_queues(const struct diskstats_device *d)
{
	static const char *const fmts[] = { "/sys/dev/block/%u:%u/mq",
					    "/sys/dev/block/%u:%u/../mq" };
	char path[128];
	struct dirent *de;
	int64_t n = 0;
	DIR *dir = NULL;

	for (size_t i = 0; i < 2 && !dir; i++) {
		snprintf(path, sizeof(path), fmts[i], d->major, d->minor);
		dir = opendir(path);
	}
	if (!dir)
		return -1;
	while ((de = readdir(dir)))
		n += de->d_name[0] != '.';
	closedir(dir);
	return n;
}

static bool probe_queue(struct env_storage *s, const char *dir)
{
	struct diskstats_chain c;
	const struct diskstats_device *d;
	char why[256], buf[PATH_MAX];

	if (diskstats_resolve_dir(dir, &c, why, sizeof(why)) || !c.n)
		return true;
	d = &c.dev[0];
	diskstats_chain_desc(&c, buf, sizeof(buf));
	if (!dup_or_null(&s->block_device, d->name) ||
	    !dup_or_null(&s->device_chain, buf))
		return false;
	s->read_ahead_kb = queue_number(d, "queue/read_ahead_kb");
	s->max_sectors_kb = queue_number(d, "queue/max_sectors_kb");
	s->max_hw_sectors_kb = queue_number(d, "queue/max_hw_sectors_kb");
	s->nr_requests = queue_number(d, "queue/nr_requests");
	s->queue_depth = queue_number(d, "device/queue_depth");
	if (s->queue_depth < 0)
		s->queue_depth = queue_number(d, "mq/0/nr_tags");
	s->hw_queues = count_hw_queues(d);
	s->discard_max_bytes = queue_number(d, "queue/discard_max_bytes");
	s->rotational = (int)queue_number(d, "queue/rotational");
	if (s->rotational > 1)
		s->rotational = -1;
	if (queue_attr(d, "queue/write_cache", buf, sizeof(buf)) &&
	    !dup_or_null(&s->write_cache, buf))
		return false;
	/* ext4's journal shows as /proc/fs/jbd2/<device>-8 */
	if (!strcmp(strategy_fs_name(dir), "ext4") &&
	    !access("/proc/fs/jbd2", F_OK)) {
		snprintf(buf, sizeof(buf), "/proc/fs/jbd2/%s-8", d->name);
		s->ext4_journal = !access(buf, F_OK);
	}
	return true;
}

/* Output of a command's first line, or false (not installed, failed). */
static bool command_line(const char *cmd, char *out, size_t len)
{
	FILE *p;
	bool ok;
	int status;

	/* sweep --mpi starts no process after MPI_Init (ranks.h): the
	 * callers' fallbacks answer */
	if (cluster_on())
		return false;
	p = popen(cmd, "re");
	if (!p)
		return false;
	ok = fgets(out, (int)len, p) != NULL;
	status = pclose(p);
	if (ok)
		out[strcspn(out, "\n")] = '\0';
	/* systemd-detect-virt prints "none" and exits 1 on bare metal */
	return ok && *out && (status == 0 || !strcmp(out, "none"));
}

/* The hypervisor CPUID leaf's vendor signature, as systemd names it. */
static const char *cpuid_hypervisor(void)
{
#if defined(__x86_64__) || defined(__i386__)
	static const struct {
		const char *sig, *name;
	} vendors[] = {
		{ "KVMKVMKVM", "kvm" },
		{ "TCGTCGTCGTCG", "qemu" },
		{ "VMwareVMware", "vmware" },
		{ "Microsoft Hv", "microsoft" },
		{ "XenVMMXenVMM", "xen" },
		{ "bhyve bhyve ", "bhyve" },
		{ " lrpepyh  vr", "parallels" },
		{ "ACRNACRNACRN", "acrn" },
	};
	unsigned a, b, c, d;
	char sig[13];

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return NULL;
	if (!(c & (1u << 31)))
		return "none";
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	for (size_t i = 0; i < sizeof(vendors) / sizeof(*vendors); i++)
		if (!strcmp(sig, vendors[i].sig))
			return vendors[i].name;
	return "vm-other";
#else
	return NULL;
#endif
}

const char *env_storage_virtualization(void)
{
	static char virt[64];
	static bool done;

	if (!done) {
		const char *v = NULL;

		if (command_line("systemd-detect-virt --vm 2>/dev/null", virt,
				 sizeof(virt)))
			v = virt;
		else
			v = cpuid_hypervisor();
		if (v != virt)
			snprintf(virt, sizeof(virt), "%s", v ? v : "");
		done = true;
	}
	return virt[0] ? virt : NULL;
}

static const char *container_kind(char *buf, size_t len)
{
	if (command_line("systemd-detect-virt --container 2>/dev/null", buf,
			 len))
		return buf;
	if (!access("/.dockerenv", F_OK))
		return "docker";
	if (!access("/run/.containerenv", F_OK))
		return "podman";
	return NULL;
}

/*
 * The virtio balloon (virtio device id 5) and its negotiated features:
 * bit 5 is VIRTIO_BALLOON_F_REPORTING, free page reporting, under which
 * freed guest pages go back to the host and are slow to touch again.
 */
static int balloon_state(void)
{
	DIR *d = opendir("/sys/bus/virtio/devices");
	struct dirent *de;
	int state = -1;

	if (!d)
		return -1;
	while (state < 1 && (de = readdir(d))) {
		char path[PATH_MAX], buf[256];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path),
			 "/sys/bus/virtio/devices/%s/device", de->d_name);
		if (!env_read_line(path, buf, sizeof(buf)) ||
		    strtol(buf, NULL, 0) != 5)
			continue;
		snprintf(path, sizeof(path),
			 "/sys/bus/virtio/devices/%s/features", de->d_name);
		state = env_read_line(path, buf, sizeof(buf)) &&
			strlen(buf) > 5 && buf[5] == '1';
	}
	closedir(d);
	return state;
}

/* The value of a sysfs file under dir: path relative to it. */
static int64_t number_at(const char *dir, const char *path)
{
	char full[PATH_MAX];

	if (snprintf(full, sizeof(full), "%s/%s", dir, path) >=
	    (int)sizeof(full))
		return -1;
	return read_number(full);
}

static bool line_is(const char *path, const char *want)
{
	char buf[64];

	return env_read_line(path, buf, sizeof(buf)) && !strcmp(buf, want);
}

/*
 * A VM's host may run DAMON in the guest to take back memory it does
 * not use: a scheme "pageout" on physical addresses evicts page-cache
 * pages that stayed idle long enough (seen: 12 aggregation intervals of
 * 5 s, 2 GiB paged out in the first half hour after boot). A warm
 * source a run left alone that long is read from the device again. The
 * layout is the kernel's (Documentation/admin-guide/mm/damon/usage.rst):
 * kdamonds/N/{state,contexts/C/{monitoring_attrs/intervals/aggr_us,
 * schemes/S/{action,access_pattern/age/min}}}.
 */
int64_t env_storage_reclaim_idle(const char *root)
{
	char pat[PATH_MAX], dir[PATH_MAX], path[PATH_MAX];
	int64_t best = -1;
	glob_t g;

	snprintf(path, sizeof(path),
		 "%s/module/damon_reclaim/parameters/enabled", root);
	if (line_is(path, "Y")) {
		/* microseconds */
		int64_t age = number_at(root, "module/damon_reclaim/"
					      "parameters/min_age");

		if (age >= 0)
			best = age / 1000000;
	}
	snprintf(pat, sizeof(pat),
		 "%s/kernel/mm/damon/admin/kdamonds/*/contexts/*/schemes/*/"
		 "action",
		 root);
	if (glob(pat, 0, NULL, &g))
		g.gl_pathc = 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *p = g.gl_pathv[i];
		const char *ctx = strstr(p, "/contexts/"),
			   *sch = strstr(p, "/schemes/");
		int64_t aggr, age;

		if (!ctx || !sch || !line_is(p, "pageout"))
			continue;
		/* the kdamond: kdamonds/N */
		snprintf(path, sizeof(path), "%.*s/state", (int)(ctx - p), p);
		if (!line_is(path, "on"))
			continue;
		snprintf(dir, sizeof(dir), "%.*s", (int)(sch - p), p);
		aggr = number_at(dir, "monitoring_attrs/intervals/aggr_us");
		snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(p, '/') - p),
			 p);
		age = number_at(dir, "access_pattern/age/min");
		if (aggr < 0 || age < 0)
			continue;
		age = age * aggr / 1000000;
		if (best < 0 || age < best)
			best = age;
	}
	globfree(&g);
	return best;
}

bool env_storage_reporting_soon(const struct env_storage *s)
{
	return s->balloon == 1 && s->reporting_min_free_ms >= 0 &&
	       s->reporting_min_free_ms < ENV_REPORTING_QUIET_MS;
}

static bool probe_machine(struct env_storage *s)
{
	char buf[256];

	if (!dup_or_null(&s->virtualization, env_storage_virtualization()) ||
	    !dup_or_null(&s->container, container_kind(buf, sizeof(buf))))
		return false;
	s->balloon = balloon_state();
	s->reporting_order =
		read_number(ENV_REPORTING_PARAMS "page_reporting_order");
	s->reporting_min_free_ms =
		read_number(ENV_REPORTING_PARAMS "min_free_ms");
	s->reclaim_idle_s = env_storage_reclaim_idle("/sys");
	if (env_read_line("/sys/kernel/mm/transparent_hugepage/enabled", buf,
			  sizeof(buf)) &&
	    !dup_or_null(&s->thp_enabled, bracketed(buf)))
		return false;
	if (env_read_line("/sys/kernel/mm/transparent_hugepage/defrag", buf,
			  sizeof(buf)) &&
	    !dup_or_null(&s->thp_defrag, bracketed(buf)))
		return false;
	s->dirty_ratio = read_number("/proc/sys/vm/dirty_ratio");
	s->dirty_bytes = read_number("/proc/sys/vm/dirty_bytes");
	s->dirty_background_ratio =
		read_number("/proc/sys/vm/dirty_background_ratio");
	s->dirty_background_bytes =
		read_number("/proc/sys/vm/dirty_background_bytes");
	s->dirty_expire_centisecs =
		read_number("/proc/sys/vm/dirty_expire_centisecs");
	s->dirty_writeback_centisecs =
		read_number("/proc/sys/vm/dirty_writeback_centisecs");
	return true;
}

static bool probe_reflink(struct env_storage *s, const char *dir)
{
	const struct copy_strategy *r = strategy_find("reflink");
	char why[256] = "";
	int ret;

	if (!r)
		return true;
	ret = strategy_probe(r, dir, why, sizeof(why));
	if (!ret) {
		s->reflink = 1;
		return true;
	}
	/* "not supported by ext4" is an answer; other errors are not */
	s->reflink = strstr(why, "not supported") ? 0 : -1;
	return dup_or_null(&s->reflink_why, why[0] ? why : NULL);
}

int env_storage_probe(const char *dir, struct env_storage *s)
{
	memset(s, 0, sizeof(*s));
	s->read_ahead_kb = s->max_sectors_kb = s->max_hw_sectors_kb = -1;
	s->nr_requests = s->queue_depth = s->hw_queues = -1;
	s->discard_max_bytes = s->reclaim_idle_s = -1;
	s->reporting_order = s->reporting_min_free_ms = -1;
	s->rotational = s->balloon = s->ext4_journal = s->reflink = -1;
	s->probed = true;
	if (!probe_queue(s, dir) || !probe_machine(s) ||
	    !probe_reflink(s, dir)) {
		env_storage_free(s);
		return -ENOMEM;
	}
	return 0;
}

/* ---- JSON ---- */

/* The members, in one table for the writer and the reader. */
enum member_type { M_STR, M_I64, M_TRI };

static const struct member {
	const char *name;
	enum member_type type;
	size_t off;
} members[] = {
/* clang-format off */
#define S(f) { #f, M_STR, offsetof(struct env_storage, f) }
#define I(f) { #f, M_I64, offsetof(struct env_storage, f) }
#define T(f) { #f, M_TRI, offsetof(struct env_storage, f) }
	S(block_device), S(device_chain), I(read_ahead_kb),
	I(max_sectors_kb), I(max_hw_sectors_kb), I(nr_requests),
	I(queue_depth), I(hw_queues), S(write_cache), T(rotational),
	I(discard_max_bytes), S(virtualization), S(container), T(balloon),
	I(reporting_order), I(reporting_min_free_ms),
	I(reclaim_idle_s), S(thp_enabled), S(thp_defrag), I(dirty_ratio), I(dirty_bytes),
	I(dirty_background_ratio), I(dirty_background_bytes),
	I(dirty_expire_centisecs), I(dirty_writeback_centisecs),
	T(ext4_journal), T(reflink), S(reflink_why),
#undef S
#undef I
#undef T
/* clang-format on */
};

json_t *env_storage_to_json(const struct env_storage *s)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < sizeof(members) / sizeof(*members); i++) {
		const char *p = (const char *)s + members[i].off;
		json_t *v = NULL;

		switch (members[i].type) {
		case M_STR:
			v = *(char *const *)p ? json_string(*(char *const *)p)
					      : json_null();
			break;
		case M_I64:
			v = *(const int64_t *)p < 0
				    ? json_null()
				    : json_integer(*(const int64_t *)p);
			break;
		case M_TRI:
			v = *(const int *)p < 0 ? json_null()
						: json_integer(*(const int *)p);
			break;
		}
		if (json_object_set_new(o, members[i].name, v)) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

int env_storage_from_json(json_t *v, struct env_storage *s, char *why,
			  size_t len)
{
	memset(s, 0, sizeof(*s));
	if (!json_is_object(v))
		return strategy_why(why, len, -EINVAL, "expected an object");
	s->probed = true;
	for (size_t i = 0; i < sizeof(members) / sizeof(*members); i++) {
		json_t *m = json_object_get(v, members[i].name);
		char *p = (char *)s + members[i].off;
		bool str = members[i].type == M_STR;

		/* absent or null: unknown */
		if (!m || json_is_null(m)) {
			if (members[i].type == M_I64)
				*(int64_t *)p = -1;
			else if (members[i].type == M_TRI)
				*(int *)p = -1;
			continue;
		}
		if (str ? !json_is_string(m)
			: !json_is_integer(m) || json_integer_value(m) < 0 ||
				    (members[i].type == M_TRI &&
				     json_integer_value(m) > 1)) {
			env_storage_free(s);
			return strategy_why(
				why, len, -EINVAL, "%s: expected %s",
				members[i].name,
				str ? "a string or null"
				: members[i].type == M_TRI
					? "0, 1 or null"
					: "a non-negative integer or null");
		}
		if (str && !(*(char **)p = strdup(json_string_value(m)))) {
			env_storage_free(s);
			return -ENOMEM;
		}
		if (members[i].type == M_I64)
			*(int64_t *)p = json_integer_value(m);
		else if (members[i].type == M_TRI)
			*(int *)p = (int)json_integer_value(m);
	}
	return 0;
}

int env_storage_json_read(json_t *root, struct env_storage *s, char *why,
			  size_t len)
{
	json_t *v = json_object_get(json_object_get(root, "environment"),
				    "storage");

	memset(s, 0, sizeof(*s));
	if (!v || json_is_null(v))
		return 0;
	return env_storage_from_json(v, s, why, len);
}

/* ---- Markdown ---- */

static const char *known(const char *s)
{
	return s ? s : "unknown";
}

static const char *tri(int v, const char *yes, const char *no)
{
	return v < 0 ? "unknown" : v ? yes : no;
}

/* Free page reporting: "on (free blocks of 2 MiB and more go back to
 * the host once free 0 ms; touching them again is slow)". */
static const char *balloon_text(const struct env_storage *s, char *out,
				size_t len)
{
	char block[FMT_LEN], after[48] = "";

	if (s->reporting_order >= 0 && s->reporting_order < 32)
		fmt_bytes((uint64_t)sysconf(_SC_PAGESIZE) << s->reporting_order,
			  block, sizeof(block));
	else
		snprintf(block, sizeof(block), "some size");
	if (s->reporting_min_free_ms >= 0)
		snprintf(after, sizeof(after), " once free %" PRId64 " ms",
			 s->reporting_min_free_ms);
	snprintf(out, len,
		 "free page reporting on (free blocks of %s and more go back "
		 "to the host%s; touching them again is slow)",
		 block, after);
	return out;
}

/* "8192 KiB" or "unknown" */
static const char *num(int64_t v, const char *unit, char *buf, size_t len)
{
	if (v < 0)
		return "unknown";
	snprintf(buf, len, "%" PRId64 "%s", v, unit);
	return buf;
}

void env_storage_markdown_rows(FILE *f, const struct env_storage *s)
{
	char a[32], b[32], c[32], d[32], e[32], g[32], bal[192];

	if (!s->probed)
		return;
	fprintf(f, "| block device | %s |\n",
		s->device_chain ? s->device_chain : "none found");
	fprintf(f,
		"| block queue | readahead %s, max request %s (hardware "
		"%s), nr_requests %s, queue depth %s, %s hardware queue(s) |\n",
		num(s->read_ahead_kb, " KiB", a, sizeof(a)),
		num(s->max_sectors_kb, " KiB", b, sizeof(b)),
		num(s->max_hw_sectors_kb, " KiB", c, sizeof(c)),
		num(s->nr_requests, "", d, sizeof(d)),
		num(s->queue_depth, "", e, sizeof(e)),
		num(s->hw_queues, "", g, sizeof(g)));
	fprintf(f, "| write cache, discard | %s; discard %s |\n",
		known(s->write_cache),
		s->discard_max_bytes < 0 ? "unknown"
		: s->discard_max_bytes == 0
			? "not supported"
			: (snprintf(b, sizeof(b), "up to %" PRId64 " bytes",
				    s->discard_max_bytes),
			   b));
	fprintf(f,
		"| virtualisation | %s (container: %s); virtio balloon: "
		"%s |\n",
		known(s->virtualization), known(s->container),
		s->balloon < 0 ? "none"
		: s->balloon   ? balloon_text(s, bal, sizeof(bal))
			       : "present, no free page reporting");
	if (s->reclaim_idle_s < 0)
		fprintf(f, "| proactive reclaim | none found |\n");
	else
		fprintf(f,
			"| proactive reclaim | DAMON pages out page-cache "
			"pages idle %" PRId64 " s or more (a source left "
			"alone that long is read from the device again) |\n",
			s->reclaim_idle_s);
	fprintf(f, "| transparent huge pages | enabled %s, defrag %s |\n",
		known(s->thp_enabled), known(s->thp_defrag));
	fprintf(f,
		"| writeback | dirty_ratio %s, dirty_bytes %s, "
		"dirty_background_ratio %s, dirty_background_bytes %s, "
		"expire %s cs, flusher every %s cs |\n",
		num(s->dirty_ratio, "%", a, sizeof(a)),
		num(s->dirty_bytes, "", b, sizeof(b)),
		num(s->dirty_background_ratio, "%", c, sizeof(c)),
		num(s->dirty_background_bytes, "", d, sizeof(d)),
		num(s->dirty_expire_centisecs, "", e, sizeof(e)),
		num(s->dirty_writeback_centisecs, "", g, sizeof(g)));
	fprintf(f,
		"| filesystem features | ext4 journal: %s; reflink: %s%s%s%s "
		"|\n",
		s->ext4_journal < 0 ? "n/a"
		: s->ext4_journal   ? "yes"
				    : "no",
		tri(s->reflink, "yes", "no"), s->reflink_why ? " (" : "",
		s->reflink_why ? s->reflink_why : "",
		s->reflink_why ? ")" : "");
}
