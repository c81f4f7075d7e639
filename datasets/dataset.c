// SPDX-License-Identifier: MIT
/* placeholder */
#include "dataset.h"
