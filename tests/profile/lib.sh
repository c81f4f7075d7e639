# SPDX-License-Identifier: MIT
# This folder's tests use the shared test library (need_perf skips where
# perf is missing).
: "${SOURCE_ROOT:?SOURCE_ROOT must name the source tree}"
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
