#!/bin/sh
# layers.sh - the VMM's folders and who may include whom (make check runs it; run from vmm/).
#
# The layers, top to bottom: a file may include headers of its own folder and of folders below
# it, never above, so no two folders can include each other. Each folder with a door is entered
# only through that header; lib/ and include/ (events, helpers, the shared facts) are open.
# "." is the top: main.c and config.c, the command line that picks the agent or the VMM;
# bench/ holds programs of their own (kvm-loop), beside it at the top.
LAYERS='
.	-
bench	-
agent	agent.h
core	vm.h
sbi	sbi.h
dev	devices.h
loader	loader.h
lib	*
include	*
'
cd "$(dirname "$0")/.." || exit 2

# every "file include" pair of the sources, tests aside (they reach into a folder on purpose)
list() {
	for f in *.c *.h */*.c */*.h; do
		case $f in tests/* | build/* | mk/*) continue ;; esac
		[ -f "$f" ] || continue
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
			while read -r h; do echo "$f $h"; done
	done
}

list | awk -v layers="$LAYERS" -v files="$(ls *.h */*.h 2>/dev/null | grep -v '^tests/')" '
BEGIN {
	n = split(layers, l, "\n")
	for (i = 1; i <= n; i++) {
		if (split(l[i], w, "\t") < 2)
			continue
		rank[w[1]] = ++nr; door[w[1]] = w[2]
	}
	m = split(files, fl, "\n")
	for (i = 1; i <= m; i++) {
		d = fl[i]; sub(/\/[^\/]*$/, "", d); if (d == fl[i]) d = "."
		b = fl[i]; sub(/.*\//, "", b)
		if (b in where) { print "layers: two headers named " b; bad = 1 }
		where[b] = d
	}
}
{
	from = $1; sub(/\/[^\/]*$/, "", from); if (from == $1) from = "."
	if (!(from in rank)) { print "layers: " $1 ": folder " from " is not in LAYERS"; bad = 1; next }
	if (!($2 in where)) { print "layers: " $1 " includes " $2 ", which is no header of ours"; bad = 1; next }
	to = where[$2]
	if (to == from)
		next
	if (rank[to] < rank[from]) {
		print "layers: " $1 " includes " to "/" $2 ": " to "/ is above " from "/ (upward)"; bad = 1
	} else if (door[to] != "*" && door[to] != $2) {
		print "layers: " $1 " includes " to "/" $2 ": enter " to "/ by its door " door[to]; bad = 1
	}
}
END { exit bad }
' && echo "layers: ok"
