// SPDX-License-Identifier: MIT
/* A figure as JSON, null when not finite (see json_num.h). */
#include <math.h>

#include "json_num.h"

json_t *json_num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}
