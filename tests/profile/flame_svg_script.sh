#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The flame graph's script in a real browser (headless Chromium): a click
# on a frame zooms it to the full width with its callers faded and the
# other frames hidden, Reset Zoom puts every frame back; a search paints
# the matching frames and states their share, Reset Search undoes it.
set -u
. "$(dirname "$0")/lib.sh"

need_perf
browser=$(command -v chromium || command -v chromium-browser) ||
	skip "no headless browser (Debian: apt-get install chromium)"
mkdir "$T/dir"
"$IOBENCH" flame rw --size 4M --seconds 0.3 --dir "$T/dir" \
	--out "$T/rw.svg" -q >"$T/stdout" 2>"$T/stderr" ||
	{ cat "$T/stderr" >&2; fail "iobench flame rw failed"; }

# the checks run in the SVG's own document, after its onload
check='<script><![CDATA[
window.addEventListener("load", function () { setTimeout(function () {
  var res = [], fr = document.getElementById("frames").children;
  function ok(c, what) { res.push((c ? "ok " : "not ok ") + what); }
  function rect(g) { return g.firstElementChild.nextElementSibling; }
  var before = [], z = null, d0, hidden = 0;
  for (var i = 0; i < fr.length; i++) {
    before.push(rect(fr[i]).getAttribute("x") + "," +
                rect(fr[i]).getAttribute("width") + "," +
                rect(fr[i]).getAttribute("fill"));
    /* the widest frame below the full width, at depth >= 1 */
    var w = parseFloat(rect(fr[i]).getAttribute("width"));
    if (fr[i].getAttribute("data-d") >= 1 && w < 1179 &&
        (z === null || w > parseFloat(rect(z).getAttribute("width"))))
      z = fr[i];
  }
  ok(z !== null, "a frame narrower than the graph to zoom into");
  fr[0].dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
  ok(document.getElementById("details").textContent.indexOf("samples") > 0,
     "hover shows the frame in the details line");
  rect(z).dispatchEvent(new MouseEvent("click", { bubbles: true }));
  d0 = +z.getAttribute("data-d");
  ok(rect(z).getAttribute("x") === "10.0" &&
     rect(z).getAttribute("width") === "1180.0",
     "the clicked frame spans the graph");
  for (var i = 0; i < fr.length; i++) {
    var g = fr[i], d = +g.getAttribute("data-d");
    if (g.style.display === "none") { hidden++; continue; }
    if (d < d0)
      ok(g.style.opacity === "0.5" &&
         rect(g).getAttribute("width") === "1180.0",
         "a caller is faded at the full width");
    else
      ok(parseFloat(rect(g).getAttribute("x")) >= 10 &&
         parseFloat(rect(g).getAttribute("x")) +
         parseFloat(rect(g).getAttribute("width")) <= 1190.2,
         "a callee stays inside the zoomed frame");
  }
  ok(hidden > 0, "frames outside the zoomed one are hidden");
  ok(document.getElementById("unzoom").style.display !== "none",
     "Reset Zoom is shown");
  search("^(vfs_read|vfs_write)$");
  var m = document.getElementById("matched").textContent;
  var pct = parseFloat(m.replace("Matched: ", ""));
  ok(pct > 0 && pct <= 100, "search states a share: " + m);
  var painted = 0;
  for (var i = 0; i < fr.length; i++)
    painted += rect(fr[i]).getAttribute("fill") === "rgb(230,0,230)";
  ok(painted > 0, "search paints the matches");
  document.getElementById("unzoom").dispatchEvent(
    new MouseEvent("click", { bubbles: true }));
  resetSearch();
  var same = true;
  for (var i = 0; i < fr.length; i++)
    same = same && fr[i].style.display !== "none" &&
      before[i] === rect(fr[i]).getAttribute("x") + "," +
      rect(fr[i]).getAttribute("width") + "," +
      rect(fr[i]).getAttribute("fill");
  ok(same, "Reset Zoom and Reset Search restore every frame");
  var out = document.createElementNS("http://www.w3.org/2000/svg", "desc");
  out.setAttribute("id", "result");
  out.textContent = res.join("\n") + "\nchecks done";
  document.documentElement.appendChild(out);
}, 0); });
]]></script>'
python3 - "$T/rw.svg" "$T/check.svg" "$check" <<'PY' || fail "cannot add the checks"
import sys
svg = open(sys.argv[1]).read()
open(sys.argv[2], "w").write(svg.replace("</svg>", sys.argv[3] + "\n</svg>"))
PY
# HOME in $T: the browser's profile is not left in the user's
HOME="$T" timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
	--user-data-dir="$T/browser" --virtual-time-budget=5000 \
	--dump-dom "file://$T/check.svg" >"$T/dom" 2>"$T/browser.log"
grep -q 'checks done' "$T/dom" ||
	skip "the browser did not run the SVG's script: $(tail -3 "$T/browser.log")"
if grep -Eq '^(<desc id="result">)?not ok ' "$T/dom"; then
	grep -E '^(<desc id="result">)?(not )?ok ' "$T/dom" >&2
	fail "the flame graph's zoom or search misbehaves"
fi
exit 0
