// SPDX-License-Identifier: MIT
/* Number formatting (see fmt.h). */
#include <math.h>
#include <stdio.h>

#include "fmt.h"

const char *fmt_sig(double v, char *out, size_t len)
{
	double a = fabs(v);
	int digits;

	if (!isfinite(v)) {
		snprintf(out, len, "-");
		return out;
	}
	if (a < 5e-10) {
		snprintf(out, len, "0");
		return out;
	}
	/* round to 3 significant figures first: 999.7 becomes 1000, not
	 * "1.00e+03" or "999.7" */
	digits = 2 - (int)floor(log10(a));
	a = round(a * pow(10, digits)) / pow(10, digits);
	digits = 2 - (int)floor(log10(a));
	if (digits < 0)
		digits = 0;
	snprintf(out, len, "%s%.*f", v < 0 ? "-" : "", digits, a);
	return out;
}

/* v scaled by 1024 until below 1024 (unit index into units[]). */
static const char *scaled(double v, const char *const *units, int n,
			  char *out, size_t len)
{
	char num[FMT_LEN];
	int u = 0;

	/* 1023.9 KiB shows as "1.00 MiB", not "1020 KiB" */
	while (u < n - 1 && fabs(v) >= 1023.5) {
		v /= 1024;
		u++;
	}
	if (u == 0 && v == floor(v))
		snprintf(num, sizeof(num), "%.0f", v);
	else if (fabs(v) >= 100)
		snprintf(num, sizeof(num), "%.0f", v);
	else if (fabs(v) >= 10)
		snprintf(num, sizeof(num), "%.1f", v);
	else
		snprintf(num, sizeof(num), "%.2f", v);
	snprintf(out, len, "%s %s", num, units[u]);
	return out;
}

const char *fmt_bytes(uint64_t v, char *out, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
					     "PiB" };

	return scaled((double)v, units, 6, out, len);
}

const char *fmt_size(uint64_t v, char *out, size_t len)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (v && !(v & 1023) && u < 3) {
		v >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(out, len, "%llu", (unsigned long long)v);
	else
		snprintf(out, len, "%llu%c", (unsigned long long)v, units[u]);
	return out;
}

const char *fmt_rate(double mib_s, char *out, size_t len)
{
	static const char *const units[] = { "KiB/s", "MiB/s", "GiB/s",
					     "TiB/s" };
	char num[FMT_LEN];

	if (!isfinite(mib_s)) {
		snprintf(out, len, "-");
		return out;
	}
	if (fabs(mib_s) < 1) {
		snprintf(out, len, "%s KiB/s", fmt_sig(mib_s * 1024, num,
						       sizeof(num)));
		return out;
	}
	if (fabs(mib_s) < 1023.5) {
		snprintf(out, len, "%s MiB/s", fmt_sig(mib_s, num,
						       sizeof(num)));
		return out;
	}
	return scaled(mib_s * 1024, units, 4, out, len);
}

const char *fmt_rate_ci(double mib_s, double lo, double hi, char *out,
			size_t len)
{
	static const char *const units[] = { "KiB/s", "MiB/s", "GiB/s",
					     "TiB/s" };
	char m[FMT_LEN], l[FMT_LEN], h[FMT_LEN];
	double scale = 1024;	/* MiB/s to the unit */
	int u = 0;

	if (!isfinite(mib_s)) {
		snprintf(out, len, "-");
		return out;
	}
	/* the unit fmt_rate() picks for the median */
	while (u < 3 && fabs(mib_s * scale) >= 1023.5) {
		scale /= 1024;
		u++;
	}
	snprintf(out, len, "%s [%s, %s] %s", fmt_sig(mib_s * scale, m,
						      sizeof(m)),
		 fmt_sig(lo * scale, l, sizeof(l)),
		 fmt_sig(hi * scale, h, sizeof(h)), units[u]);
	return out;
}

const char *fmt_seconds(double s, char *out, size_t len)
{
	char num[FMT_LEN];
	const char *unit = "s";

	if (!isfinite(s)) {
		snprintf(out, len, "-");
		return out;
	}
	if (fabs(s) < 1e-6) {
		s *= 1e9;
		unit = "ns";
	} else if (fabs(s) < 1e-3) {
		s *= 1e6;
		unit = "µs";
	} else if (fabs(s) < 1) {
		s *= 1e3;
		unit = "ms";
	}
	snprintf(out, len, "%s %s", fmt_sig(s, num, sizeof(num)), unit);
	return out;
}

const char *fmt_duration(double s, char *out, size_t len)
{
	unsigned long t;

	if (!isfinite(s)) {
		snprintf(out, len, "-");
		return out;
	}
	t = s < 1 ? 1 : (unsigned long)(s + 0.5);
	if (t < 120)
		snprintf(out, len, "%lu s", t);
	else if (t < 7200)
		snprintf(out, len, "%lu min", (t + 30) / 60);
	else
		snprintf(out, len, "%lu h %02lu min", t / 3600,
			 (t % 3600 + 30) / 60);
	return out;
}

const char *fmt_pct(double pct, char *out, size_t len)
{
	char num[FMT_LEN];

	if (!isfinite(pct)) {
		snprintf(out, len, "-");
		return out;
	}
	snprintf(out, len, "%s%%", fmt_sig(pct, num, sizeof(num)));
	return out;
}
