# Progress lines for long shell steps (sourced by ci/setup.sh and containers/build-image.sh; the
# TypeScript steps have images/progress.ts). `with_progress WHAT STATUS CMD...` runs CMD and,
# every 15 s while it runs, prints "WHAT: 1m30s, <what STATUS prints>": how long it has run and
# how far along it is. On a terminal it is one line rewritten every second; in CI, plain lines.
# (BOOTCASE_PROGRESS_S sets the 15 s, for ci/progress.test.ts.)

progress_elapsed() { (($1 >= 60)) && printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)) || printf '%ds' "$1"; }

with_progress() {
  local what=$1 status=$2
  shift 2
  bg_start "$@"
  wait_progress "$what" "$status" "$BG_PID" "$BG_STATUS"
}

# Start CMD in the background: BG_PID is its pid, BG_STATUS the file its exit status lands in.
# (bash's own `wait` can forget a job that ended long ago: a later child may reuse its pid.)
bg_start() {
  BG_STATUS=$(mktemp -t bootcase-job.XXXXXX)
  (set +e; "$@"; echo $? >"$BG_STATUS") &
  BG_PID=$!
}

# Wait for a bg_start job with progress lines: `wait_progress WHAT STATUS PID STATUS_FILE`
# returns the job's exit status.
wait_progress() {
  local what=$1 status=$2 pid=$3 file=$4 start=$SECONDS every=${BOOTCASE_PROGRESS_S:-15} tty=0 el s line next
  next=$every
  [ -t 2 ] && tty=1
  while kill -0 "$pid" 2>/dev/null; do
    sleep 0.5
    el=$((SECONDS - start))
    ((tty || el >= next)) || continue
    kill -0 "$pid" 2>/dev/null || break
    s=$("$status" 2>/dev/null || true)
    line="$what: $(progress_elapsed "$el")${s:+, $s}"
    if ((tty)); then printf '\r\033[K%s' "${line:0:$(($(tput cols 2>/dev/null || echo 200) - 1))}" >&2; else echo "$line" >&2; fi
    ((el < next)) || next=$((el + every))
  done
  ((tty)) && printf '\r\033[K' >&2
  wait "$pid" 2>/dev/null || true
  s=$(cat "$file" 2>/dev/null || true)
  rm -f "$file"
  return "${s:-1}"
}

# apt-get's machine-readable progress (-o APT::Status-Fd=N into the file $1), as a status:
# "downloading 45% (file 12 of 60)" or "installing 67% (Unpacking gcc-12-riscv64-linux-gnu)".
apt_progress() {
  local last kind pct msg
  last=$(grep -E '^(dl|pm)status:' "$1" 2>/dev/null | tail -n 1) || true
  [ -n "$last" ] || { echo "resolving packages"; return; }
  IFS=: read -r kind _ pct msg <<<"$last"
  case $kind in
    dlstatus) echo "downloading ${pct%%.*}% (${msg#Retrieving })" ;;
    pmstatus) echo "installing ${pct%%.*}% (${msg})" ;;
  esac
}
