#!/usr/bin/env bash
# Takes the screenshots in docs/images/ from the real binary: mmhex --demo in
# a real terminal emulator (xterm, 160x45, DejaVu Sans Mono) on a virtual X
# display (Xvfb), driven through tmux inside the xterm; each screen is
# captured with xwd and converted to PNG with netpbm. Re-run it after a
# change to the look: it rebuilds the binary from the working tree and
# overwrites the PNGs and docs/images/SHOT.txt (which commit it shot).
#   main.png       the main screen at start (first-session hint, inspector)
#   pagepanel.png  the page panel (Ctrl-P) after a few edits, 8 s of its chart
#   diskview.png   the disk view (Ctrl-D) of the cursor's page
# Needs (Debian): xvfb xterm x11-apps (xwd) netpbm tmux fonts-dejavu-core;
# with --install it installs them with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--install" ]; then
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update && $sudo apt-get install -y xvfb xterm x11-apps netpbm tmux fonts-dejavu-core
fi
for tool in Xvfb xterm xwd xwdtopnm pnmtopng tmux; do
	command -v "$tool" >/dev/null || { echo "screenshots.sh: $tool is missing (run with --install)" >&2; exit 1; }
done

work="$(mktemp -d)"
display=":$((90 + RANDOM % 100))"
sock="$work/tmux.sock"
cleanup() {
	tmux -S "$sock" kill-server 2>/dev/null || true
	[ -n "${xterm_pid:-}" ] && kill "$xterm_pid" 2>/dev/null || true
	[ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/mmhex" .
commit="$(git rev-parse HEAD)"
dirty=""
git diff --quiet HEAD -- . ':!docs/images' || dirty=" (with uncommitted changes)"

Xvfb "$display" -screen 0 1700x1000x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
for _ in $(seq 100); do xwininfo -display "$display" -root >/dev/null 2>&1 && break; sleep 0.1; done

# The demo in tmux, in xterm: tmux lets the script type keys and see the
# screen; the xterm draws it as a user sees it.
tmux -S "$sock" -f /dev/null new-session -d -x 160 -y 45 \
	"cd '$work' && env TERM=tmux-256color HOME='$work' XDG_CONFIG_HOME='$work' '$work/mmhex' --demo; sleep 60"
tmux -S "$sock" set -g status off
xterm -display "$display" -name mmhex-shot -title mmhex-shot -geometry 160x45+0+0 \
	-fa 'DejaVu Sans Mono' -fs 11 -bg '#101010' -fg '#d8d8d8' -bw 0 +sb \
	-e tmux -S "$sock" attach &
xterm_pid=$!

wait_for() { # text on the screen, 20 s at most
	for _ in $(seq 400); do
		tmux -S "$sock" capture-pane -p | grep -qF -- "$1" && return 0
		sleep 0.05
	done
	echo "screenshots.sh: the screen never showed: $1" >&2
	tmux -S "$sock" capture-pane -p >&2
	exit 1
}
shot() { # name: waits for the terminal to settle, then captures the xterm
	sleep 1
	xwd -display "$display" -name mmhex-shot -silent | xwdtopnm 2>/dev/null | pnmtopng >"docs/images/$1.png"
	echo "docs/images/$1.png"
}
keys() { tmux -S "$sock" send-keys "$@"; sleep 0.3; }

mkdir -p docs/images
wait_for "demo file"
for _ in $(seq 100); do xwininfo -display "$display" -name mmhex-shot >/dev/null 2>&1 && break; sleep 0.1; done
shot main

# a few edits, not synced: the page panel shows them dirty
keys C-g; wait_for "goto"
keys -l 0x3000; keys Enter
keys -l 6d6d686578
keys C-g; keys -l 0x21000; keys Enter
keys -l 4e4f
keys C-p; wait_for "last 60 s"
sleep 8 # the chart: a few seconds of samples
shot pagepanel
keys C-p
keys C-d; wait_for "disk"
shot diskview
keys C-d

cat >docs/images/SHOT.txt <<EOF
Taken by docs/screenshots.sh from commit $commit$dirty
on $(date -u +%Y-%m-%d) with xterm $(xterm -version | sed 's/.*(\(.*\))/\1/'), 160x45, DejaVu Sans Mono 11.
$("$work/mmhex" --version)
EOF
cat docs/images/SHOT.txt
