// SPDX-License-Identifier: MIT
/*
 * The system's own files the environment probes read (env_sys.h): a line
 * of sysfs or procfs, and /proc/self/mountinfo.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "env_sys.h"

bool env_read_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return false;
	if (!fgets(out, (int)len, f))
		out[0] = '\0';
	fclose(f);
	n = strlen(out);
	while (n && (out[n - 1] == '\n' || out[n - 1] == ' ' ||
		     out[n - 1] == '\t'))
		out[--n] = '\0';
	return n > 0;
}

/* Undoes mountinfo's octal escapes ("\040" for a space) in place. */
static void unescape_mount_path(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
					(s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* Does mount point mnt contain path (on a path-component boundary)? */
static bool mount_covers(const char *mnt, const char *path)
{
	size_t n = strlen(mnt);

	if (!strcmp(mnt, "/"))
		return true;
	return !strncmp(mnt, path, n) && (path[n] == '/' || !path[n]);
}

/* Appends the comma-separated options of `more` that `opts` lacks. */
static void merge_options(char *opts, size_t len, char *more)
{
	char *save, *tok;

	for (tok = strtok_r(more, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		size_t n = strlen(tok), used = strlen(opts);
		const char *p = opts;
		bool have = false;

		while (!have && (p = strstr(p, tok))) {
			have = (p == opts || p[-1] == ',') &&
			       (p[n] == ',' || !p[n]);
			p += n;
		}
		if (!have && used + n + 2 <= len)
			snprintf(opts + used, len - used, ",%s", tok);
	}
}

/*
 * One /proc/self/mountinfo line: "36 35 98:0 /root /mnt opts [tags] -
 * fstype source superopts". Options are the mount's then the
 * superblock's (where ext4's data= and xfs's logbsize= live).
 */
static bool parse_mountinfo_line(char *line, struct env_mount *m)
{
	char *save, *tok, *opts, *sep;
	int field = 0;

	sep = strstr(line, " - ");
	if (!sep)
		return false;
	*sep = '\0';
	opts = NULL;
	for (tok = strtok_r(line, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save), field++) {
		if (field == 2 &&
		    sscanf(tok, "%u:%u", &m->major, &m->minor) != 2)
			return false;
		if (field == 4)
			snprintf(m->point, sizeof(m->point), "%s", tok);
		if (field == 5)
			opts = tok;
	}
	if (field < 6)
		return false;
	unescape_mount_path(m->point);
	/* after " - ": fstype, source, super options */
	tok = strtok_r(sep + 3, " \n", &save);
	tok = tok ? strtok_r(NULL, " \n", &save) : NULL;
	snprintf(m->source, sizeof(m->source), "%s", tok ? tok : "");
	unescape_mount_path(m->source);
	tok = tok ? strtok_r(NULL, " \n", &save) : NULL;
	snprintf(m->options, sizeof(m->options), "%s", opts);
	if (tok)
		merge_options(m->options, sizeof(m->options), tok);
	return true;
}

bool env_find_mount(const char *path, struct env_mount *best)
{
	struct env_mount m;
	char *line = NULL;
	size_t cap = 0, best_len = 0;
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return false;
	/* getline: overlayfs lines (lowerdir=...) outgrow any fixed buffer */
	while (getline(&line, &cap, f) > 0) {
		if (!parse_mountinfo_line(line, &m) ||
		    !mount_covers(m.point, path) || strlen(m.point) < best_len)
			continue;
		best_len = strlen(m.point);
		*best = m;
		found = true;
	}
	free(line);
	fclose(f);
	return found;
}

bool env_mount_source(const char *dir, char *source, size_t len)
{
	struct env_mount *m = calloc(1, sizeof(*m));
	char real[PATH_MAX];
	bool found;

	if (!m)
		return false;
	found = realpath(dir, real) && env_find_mount(real, m) && m->source[0];
	if (found)
		snprintf(source, len, "%s", m->source);
	free(m);
	return found;
}
