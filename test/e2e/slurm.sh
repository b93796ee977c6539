#!/usr/bin/env bash
# End-to-end test of examples/slurm/ on a throwaway one-node Slurm cluster on this machine.
#
#   sudo test/e2e/slurm.sh          (as root; after `npm ci`, which builds dist/)
#
# 1. Installs Debian's slurm-wlm and munge if missing (a failed install fails the test).
# 2. Starts a private munged, slurmctld and slurmd (all as root) whose config, state, spool, sockets
#    and logs live under $SCMV_E2E_DIR (default ${TMPDIR:-/tmp}/scmv-slurm-e2e, wiped at the start
#    of each run, left behind for inspection). Only /etc/munge/munge.key is shared with the system
#    (created if there is none). All daemons are stopped on exit.
# 3. Submits examples/slurm/submit.sh (job array + dependent summarize job), waits, checks that every
#    job ended COMPLETED and that the merged table is byte-identical to a single-machine
#    `scmv ensemble` + `scmv summarize` on the same seed.
# 4. Submits again into a fresh output directory, requeues one array task while it is running (after
#    it wrote some rows), and checks that it resumed, that the shard files hold every run exactly
#    once as whole rows equal to the single-machine rows, and that the table is again identical.
#
# Environment knobs (defaults in brackets):
#   SCMV_E2E_DIR     working directory [${TMPDIR:-/tmp}/scmv-slurm-e2e]
#   E2E_N, E2E_K, E2E_M, E2E_RUNS        first submission [4, 8, 8, 40]
#   E2E_RQ_N, E2E_RQ_K, E2E_RQ_M, E2E_RQ_RUNS   requeue submission [4, 10, 10, 400]
#   E2E_RQ_AFTER     requeue the task once its shard file has this many rows [5]
#   E2E_SEED         ensemble seed [1]
#   E2E_TIMEOUT      seconds to wait for each submission [900]
#   SLURMCTLD_PORT, SLURMD_PORT          [6817, 6818]
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=${SCMV_E2E_DIR:-${TMPDIR:-/tmp}/scmv-slurm-e2e}
N1=${E2E_N:-4} K1=${E2E_K:-8} M1=${E2E_M:-8} RUNS1=${E2E_RUNS:-40}
N2=${E2E_RQ_N:-4} K2=${E2E_RQ_K:-10} M2=${E2E_RQ_M:-10} RUNS2=${E2E_RQ_RUNS:-400}
RQ_AFTER=${E2E_RQ_AFTER:-5}
SEED=${E2E_SEED:-1}
TIMEOUT=${E2E_TIMEOUT:-900}
CTLD_PORT=${SLURMCTLD_PORT:-6817}
SLURMD_PORT=${SLURMD_PORT:-6818}
MUNGE_KEY=/etc/munge/munge.key

say() { printf '[e2e %s +%ss] %s\n' "$(date +%H:%M:%S)" "$SECONDS" "$*"; }
die() { say "FAIL: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (installs packages, runs slurmctld/slurmd as root)"
[[ -f $REPO/dist/cli/bin.js ]] || die "$REPO/dist/cli/bin.js is missing: run npm ci in $REPO first"
command -v node >/dev/null || die "node is not on PATH"

# Anything Slurm-related in the caller's environment (e.g. running inside a Slurm job, or
# SBATCH_PARTITION) would leak into our submissions; drop it.
while read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(SLURM|SBATCH|SALLOC|SRUN|SQUEUE|SINFO|SCONTROL)_' || true)

# ---------------------------------------------------------------- install
install_packages() {
  local need=()
  command -v munged >/dev/null && command -v mungekey >/dev/null || need+=(munge)
  for b in slurmctld slurmd sbatch squeue scontrol sinfo srun; do
    command -v "$b" >/dev/null || { need+=(slurm-wlm); break; }
  done
  if ((${#need[@]} == 0)); then
    say "slurm-wlm and munge already installed: $(dpkg-query -W -f '${Package} ${Version}, ' slurm-wlm munge 2>/dev/null || true)"
    return
  fi
  say "installing ${need[*]} (apt-get, --no-install-recommends)"
  # Keep the packages' init scripts from starting system-wide daemons (where a service manager
  # would honour that): we run our own instances.
  local made_policy=
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=1
  fi
  local rc=0
  {
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${need[@]}"
  } > "$WORK/log/apt.log" 2>&1 || rc=$?
  [[ -n $made_policy ]] && rm -f /usr/sbin/policy-rc.d
  if ((rc != 0)); then
    tail -n 30 "$WORK/log/apt.log" >&2
    die "apt-get install ${need[*]} failed (exit $rc)"
  fi
  grep -E '^Setting up' "$WORK/log/apt.log" | sed 's/^/    /' || true
  for b in munged mungekey slurmctld slurmd sbatch squeue scontrol sinfo srun; do
    command -v "$b" >/dev/null || die "$b still missing after installing ${need[*]}"
  done
}

# ---------------------------------------------------------------- daemons
PIDS_FILE=$WORK/daemon.pids   # "pid name" per line; read by the next run to stop leftovers

# Stops daemons a previous run of this script left behind (e.g. after kill -9): only processes
# whose pid it recorded and whose command line still names its working directory.
stop_leftovers() {
  [[ -f $PIDS_FILE ]] || return 0
  local pid name
  # first cancel the jobs of that private cluster (slurmd would otherwise leave them running)
  if [[ -f $WORK/etc/slurm.conf ]] && SLURM_CONF=$WORK/etc/slurm.conf timeout 10 scontrol ping 2>/dev/null | grep -q UP; then
    local left
    left=$(SLURM_CONF=$WORK/etc/slurm.conf squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
    if [[ -n ${left// /} ]]; then
      say "cancelling jobs $left left by a previous run"
      # shellcheck disable=SC2086
      SLURM_CONF=$WORK/etc/slurm.conf scancel $left 2>/dev/null || true
      for _ in $(seq 30); do [[ -z $(SLURM_CONF=$WORK/etc/slurm.conf squeue -h -o %A 2>/dev/null) ]] && break; sleep 1; done
    fi
  fi
  while read -r pid name; do
    if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF "$WORK"; then
      say "stopping leftover $name (pid $pid) from a previous run"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    fi
  done < <(tac "$PIDS_FILE")   # slurmd, slurmctld, then munged
  rm -f "$PIDS_FILE"
}

DAEMONS=()   # "pid name", in start order
JOBS=()      # job ids we submitted, cancelled on exit if still queued
shutdown() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if ((rc != 0)) && [[ -d $WORK/log ]]; then
    say "test failed (exit $rc); last lines of the daemon logs (all logs under $WORK/log):"
    for f in "$WORK"/log/slurmctld.log "$WORK"/log/slurmd.log "$WORK"/munge/munged.log "$WORK"/*/logs/*.out; do
      [[ -f $f ]] && { echo "--- $f"; tail -n 15 "$f"; }
    done
  fi
  if ((${#JOBS[@]} > 0)) && [[ -n $(squeue -h -j "$(IFS=,; echo "${JOBS[*]}")" -o %i 2>/dev/null) ]]; then
    say "cancelling our jobs still in the queue: ${JOBS[*]}"
    scancel "${JOBS[@]}" 2>/dev/null
    for _ in $(seq 30); do [[ -z $(squeue -h -j "$(IFS=,; echo "${JOBS[*]}")" -o %i 2>/dev/null) ]] && break; sleep 1; done
  fi
  local i pid name
  for ((i = ${#DAEMONS[@]} - 1; i >= 0; i--)); do
    read -r pid name <<< "${DAEMONS[i]}"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
      say "stopped $name (pid $pid)"
    fi
  done
  rm -f "$PIDS_FILE"
  say "done in ${SECONDS}s, exit $rc"
  exit "$rc"
}

record_daemon() { DAEMONS+=("$1 $2"); echo "$1 $2" >> "$PIDS_FILE"; }

wait_for() {   # wait_for <seconds> <description> <command...>
  local secs=$1 what=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "timed out after ${secs}s waiting for $what"
    sleep 0.5
  done
}

start_munge() {
  if [[ ! -s $MUNGE_KEY ]]; then
    say "no $MUNGE_KEY: creating one"
    mkdir -p "$(dirname "$MUNGE_KEY")"
    mungekey --create --keyfile="$MUNGE_KEY"
    chown munge:munge "$(dirname "$MUNGE_KEY")" "$MUNGE_KEY"
    chmod 700 "$(dirname "$MUNGE_KEY")"
    chmod 400 "$MUNGE_KEY"
  fi
  # A private munged on its own socket, as the munge user (munged checks that its socket
  # directory is owned by it and not writable by others; the directory must be world-executable).
  mkdir -p "$WORK/munge"
  chown munge:munge "$WORK/munge"
  chmod 755 "$WORK/munge"
  runuser -u munge -- munged --key-file="$MUNGE_KEY" --socket="$MUNGE_SOCKET" \
    --pid-file="$WORK/munge/munged.pid" --log-file="$WORK/munge/munged.log" \
    --seed-file="$WORK/munge/munged.seed"
  wait_for 10 "munged's pid file" test -s "$WORK/munge/munged.pid"
  record_daemon "$(cat "$WORK/munge/munged.pid")" munged
  munge -S "$MUNGE_SOCKET" -n | unmunge -S "$MUNGE_SOCKET" > /dev/null || die "munge round trip failed"
  say "munged running (pid $(cat "$WORK/munge/munged.pid"), socket $MUNGE_SOCKET, key $MUNGE_KEY)"
}

write_config() {
  # slurmd -C prints this machine's node line: NodeName=<hostname> CPUs= ... RealMemory=
  local nodeline
  nodeline=$(slurmd -C | head -n 1)
  [[ $nodeline == NodeName=* ]] || die "slurmd -C printed no node line: $nodeline"
  NODE_NAME=${nodeline%% *}
  NODE_NAME=${NODE_NAME#NodeName=}
  cat > "$SLURM_CONF" <<EOF
# Generated by test/e2e/slurm.sh: a one-node cluster on localhost, all state under $WORK.
ClusterName=scmv-e2e
SlurmctldHost=$NODE_NAME(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
CredType=cred/munge
# cred_expire also sets how long a requeued job waits before it may start again (default 120 s)
AuthInfo=socket=$MUNGE_SOCKET,cred_expire=10
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/run/slurmctld.pid
SlurmdPidFile=$WORK/run/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
PlugStackConfig=$WORK/etc/plugstack.conf
MailProg=/bin/true
# No systemd and no usable cgroup hierarchy: track processes by parent pid, no task binding.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
# No slurmdbd, so no sacct; finished jobs are kept in memory for scontrol (MinJobAge) and each
# job's final state is appended to a text file.
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$WORK/log/jobcomp.txt
MinJobAge=3600
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
JobRequeue=1
ReturnToService=2
KillWait=10
SlurmctldTimeout=30
SlurmdTimeout=30
$nodeline NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=e2e Nodes=$NODE_NAME Default=YES MaxTime=INFINITE State=UP
EOF
  # Not used by the plugins above (nothing here touches cgroups), but written so that nothing falls
  # back to a system-wide cgroup.conf.
  cat > "$WORK/etc/cgroup.conf" <<EOF
CgroupAutomount=no
ConstrainCores=no
ConstrainRAMSpace=no
ConstrainDevices=no
EOF
  : > "$WORK/etc/plugstack.conf"
  say "wrote $SLURM_CONF (node: $nodeline)"
}

node_state() { sinfo -h -n "$NODE_NAME" -o %T 2>/dev/null; }

start_slurm() {
  slurmctld -D -i -f "$SLURM_CONF" > "$WORK/log/slurmctld.out" 2>&1 &
  record_daemon $! slurmctld
  wait_for 30 "slurmctld to answer" scontrol ping
  slurmd -D -N "$NODE_NAME" -f "$SLURM_CONF" > "$WORK/log/slurmd.out" 2>&1 &
  record_daemon $! slurmd
  local deadline=$((SECONDS + 60)) st=
  while st=$(node_state); [[ $st != idle ]]; do
    ((SECONDS < deadline)) || die "node $NODE_NAME is '$st', not idle, after 60s"
    sleep 0.5
  done
  say "slurmctld (pid ${DAEMONS[1]%% *}) and slurmd (pid ${DAEMONS[2]%% *}) up (Slurm $(sinfo -V | awk '{print $2}')):"
  sinfo | sed 's/^/    /'
}

# ---------------------------------------------------------------- jobs
# submit <dir> <N> <K> <M> <RUNS>: runs examples/slurm/submit.sh with its output and logs in <dir>;
# sets ARRAY and FINAL to the job ids.
submit() {
  local dir=$1
  mkdir -p "$dir"
  local env=(N="$2" K="$3" M="$4" RUNS="$5" SEED="$SEED" PARTITION=e2e CPUS_PER_TASK=1 MEM=500M
    TIME_LIMIT=00:15:00 SUMMARIZE_TIME_LIMIT=00:05:00 OUT_DIR="$dir/out" LOG_DIR="$dir/logs")
  say "submitting: ${env[*]} examples/slurm/submit.sh"
  local out
  out=$(env "${env[@]}" "$REPO/examples/slurm/submit.sh")
  # shellcheck disable=SC2001
  sed 's/^/    /' <<< "$out"
  ARRAY=$(echo "$out" | sed -n 's/^array=\([0-9]*\) summarize=\([0-9]*\)$/\1/p')
  FINAL=$(echo "$out" | sed -n 's/^array=\([0-9]*\) summarize=\([0-9]*\)$/\2/p')
  [[ -n $ARRAY && -n $FINAL ]] || die "could not read the job ids from submit.sh"
  JOBS+=("$ARRAY" "$FINAL")
  say "array job $ARRAY, summarize job $FINAL"
}

# Waits until neither job is in the queue any more; fails if the summarize job can never run.
wait_jobs() {
  local deadline=$((SECONDS + TIMEOUT)) last='' now
  while [[ -n $(squeue -h -j "$ARRAY,$FINAL" -o %i 2>/dev/null) ]]; do
    ((SECONDS < deadline)) || { squeue; die "jobs $ARRAY/$FINAL still queued after ${TIMEOUT}s"; }
    if [[ $(squeue -h -j "$FINAL" -o %r 2>/dev/null) == DependencyNeverSatisfied ]]; then
      squeue; scancel "$FINAL"; die "summarize job $FINAL: DependencyNeverSatisfied (a shard failed)"
    fi
    now=$(squeue -h -j "$ARRAY,$FINAL" -o '%i:%t' 2>/dev/null | sort | tr '\n' ' ')
    [[ $now != "$last" ]] && say "queue: $now"
    last=$now
    sleep 1
  done
}

# Prints the final state of every task of the array and of the summarize job (scontrol, backed by
# the jobcomp file) and fails unless all are COMPLETED with exit code 0:0.
check_states() {
  local bad=0
  say "final states (scontrol show job):"
  # one line per job: key=value fields; print "<label> <jobid> <state> <exit> <restarts>"
  { scontrol -o show job "$ARRAY"; scontrol -o show job "$FINAL"; } | awk -v final="$FINAL" '
    { delete f; for (i = 1; i <= NF; i++) { p = index($i, "="); if (p) f[substr($i, 1, p - 1)] = substr($i, p + 1) } }
    f["JobId"] == final { print "summarize", f["JobId"], "-", f["JobState"], f["ExitCode"], f["Restarts"]; next }
    f["ArrayTaskId"] != "" { print "array", f["JobId"], f["ArrayJobId"] "_" f["ArrayTaskId"], f["JobState"], f["ExitCode"], f["Restarts"] }
  ' | sort -k1,1 -k3,3V > "$WORK/states.txt"
  local kind id name st ec rs tasks=0
  while read -r kind id name st ec rs; do
    if [[ $kind == array ]]; then
      tasks=$((tasks + 1))
      printf '    array task %-8s job %-4s %-10s exit %-5s restarts %s\n' "$name" "$id" "$st" "$ec" "$rs"
    else
      printf '    summarize         job %-4s %-10s exit %-5s restarts %s\n' "$id" "$st" "$ec" "$rs"
    fi
    [[ $st == COMPLETED && $ec == 0:0 ]] || bad=1
  done < "$WORK/states.txt"
  ((tasks == $1)) || die "expected $1 array tasks, scontrol shows $tasks"
  grep -q '^summarize ' "$WORK/states.txt" || die "scontrol does not know the summarize job $FINAL"
  ((bad == 0)) || die "not every job of $ARRAY/$FINAL ended COMPLETED with exit 0:0"
}

# reference <dir> <K> <M> <RUNS>: single-machine runs and table in <dir>/single.csv, single-table.csv
reference() {
  local t0=$SECONDS
  (cd "$REPO" && node bin/scmv.js ensemble --K "$2" --M "$3" --runs "$4" --seed "$SEED" \
     --workers "$(nproc)" --out "$1/single.csv" &&
   node bin/scmv.js summarize "$1/single.csv" --out "$1/single-table.csv") | sed 's/^/    /'
  say "single-machine reference: $1/single-table.csv ($((SECONDS - t0))s)"
}

# check_runs <dir> <N> <RUNS>: every shard file ends in a newline, every row is whole (12 fields),
# each run 0..RUNS-1 appears exactly once, in the right shard, and the rows equal the
# single-machine rows (all columns but wall_ms).
check_runs() {
  local dir=$1 n=$2 runs=$3 f
  for ((i = 0; i < n; i++)); do
    f=$dir/out/shard-$i-of-$n.csv
    [[ -s $f ]] || die "$f missing"
    [[ $(tail -c 1 "$f" | od -An -c | tr -d ' ') == '\n' ]] || die "$f does not end in a newline (partial row)"
    [[ $(head -n 1 "$f") == "$(head -n 1 "$dir/single.csv")" ]] || die "$f: wrong header"
    awk -F, -v i="$i" -v n="$n" -v f="$f" 'NR > 1 && (NF != 12 || $1 % n != i) { print f ": bad row " NR ": " $0; bad = 1 } END { exit bad }' "$f" \
      || die "$f holds partial or foreign rows"
  done
  local rows dups
  rows=$(cat "$dir"/out/shard-*-of-"$n".csv | grep -vc '^run,')
  dups=$(cat "$dir"/out/shard-*-of-"$n".csv | grep -v '^run,' | cut -d, -f1 | sort -n | uniq -d | wc -l)
  say "shard files: $rows rows for $runs runs, $dups duplicated run indices"
  ((dups == 0)) || die "duplicate rows in $dir/out"
  ((rows == runs)) || die "$rows rows, expected $runs"
  cat "$dir"/out/shard-*-of-"$n".csv | grep -v '^run,' | cut -d, -f1-11 | sort -t, -k1,1n > "$dir/rows-slurm.txt"
  grep -v '^run,' "$dir/single.csv" | cut -d, -f1-11 | sort -t, -k1,1n > "$dir/rows-single.txt"
  cmp -s "$dir/rows-slurm.txt" "$dir/rows-single.txt" || { diff "$dir/rows-single.txt" "$dir/rows-slurm.txt" | head; die "rows differ from the single-machine rows"; }
  say "rows identical to the single-machine rows (all columns but wall_ms)"
}

# compare_tables <dir>: diff -u single-table.csv out/table.csv, which must be empty.
compare_tables() {
  local dir=$1 d
  [[ -s $dir/out/table.csv ]] || die "$dir/out/table.csv missing"
  say "merged table $dir/out/table.csv:"
  sed 's/^/    /' "$dir/out/table.csv"
  say "diff -u single-table.csv out/table.csv:"
  d=$(cd "$dir" && diff -u single-table.csv out/table.csv) || true
  if [[ -n $d ]]; then echo "$d"; die "the Slurm table differs from the single-machine table"; fi
  echo "    (empty)"
  cmp "$dir/single-table.csv" "$dir/out/table.csv"
  say "tables byte-identical ($(wc -c < "$dir/out/table.csv") bytes, sha256 $(sha256sum < "$dir/out/table.csv" | cut -c1-16))"
}

# ---------------------------------------------------------------- main
say "repo $REPO ($(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')), work dir $WORK, host $(uname -n), $(nproc) CPUs, node $(node --version)"
stop_leftovers
rm -rf "$WORK"
mkdir -p "$WORK"/{etc,state,spool,run,log}
trap shutdown EXIT
trap 'exit 130' INT TERM

install_packages
export SLURM_CONF=$WORK/etc/slurm.conf
MUNGE_SOCKET=$WORK/munge/munge.socket
start_munge
write_config
start_slurm

# -- 1: a plain submission
say "=== 1. job array + dependent summarize (N=$N1 K=$K1 M=$M1 RUNS=$RUNS1)"
D1=$WORK/plain
submit "$D1" "$N1" "$K1" "$M1" "$RUNS1"
wait_jobs
check_states "$N1"
reference "$D1" "$K1" "$M1" "$RUNS1"
check_runs "$D1" "$N1" "$RUNS1"
compare_tables "$D1"

# -- 2: requeue one array task mid-run
say "=== 2. requeue a running array task (N=$N2 K=$K2 M=$M2 RUNS=$RUNS2)"
D2=$WORK/requeue
submit "$D2" "$N2" "$K2" "$M2" "$RUNS2"
RQ_TASK=0
RQ_FILE=$D2/out/shard-$RQ_TASK-of-$N2.csv
deadline=$((SECONDS + TIMEOUT))
while :; do
  st=$(squeue -h -j "${ARRAY}_$RQ_TASK" -o %T 2>/dev/null || true)
  rows=0
  [[ -f $RQ_FILE ]] && rows=$(($(wc -l < "$RQ_FILE") - 1))
  [[ $st == RUNNING && $rows -ge $RQ_AFTER ]] && break
  [[ -z $st ]] && die "task ${ARRAY}_$RQ_TASK left the queue before it could be requeued ($rows rows); raise E2E_RQ_RUNS"
  ((SECONDS < deadline)) || die "task ${ARRAY}_$RQ_TASK never got to $RQ_AFTER rows"
  sleep 0.2
done
say "task ${ARRAY}_$RQ_TASK is $st with $rows rows in $(basename "$RQ_FILE"): scontrol requeue ${ARRAY}_$RQ_TASK"
scontrol requeue "${ARRAY}_$RQ_TASK"
sleep 1
say "after requeue: $(squeue -h -j "${ARRAY}_$RQ_TASK" -o '%i %T reason=%r' || true)"
wait_jobs
check_states "$N2"
restarts=$(scontrol -o show job "${ARRAY}_$RQ_TASK" | grep -o 'Restarts=[0-9]*')
[[ $restarts == Restarts=1 ]] || die "task ${ARRAY}_$RQ_TASK: $restarts, expected Restarts=1"
RQ_LOG=$D2/logs/scmv-ensemble-${ARRAY}_$RQ_TASK.out
[[ -f $RQ_LOG ]] || die "$RQ_LOG missing"
say "log of the requeued task ($RQ_LOG, both attempts):"
sed 's/^/    /' "$RQ_LOG"
grep -q 'interrupted with' "$RQ_LOG" || die "the first attempt of ${ARRAY}_$RQ_TASK did not report an interruption"
resumed=$(sed -n 's/.*, \([0-9]*\) resumed$/\1/p' "$RQ_LOG" | tail -n 1)
[[ -n $resumed && $resumed -gt 0 ]] || die "the requeued task did not resume its shard file"
say "the requeued task resumed $resumed rows written before the requeue"
say "jobcomp records of the requeued task:"
awk -v a="$ARRAY" -v t="$RQ_TASK" '
  { delete f; for (i = 1; i <= NF; i++) { p = index($i, "="); if (p) f[substr($i, 1, p - 1)] = substr($i, p + 1) } }
  f["ArrayJobId"] == a && f["ArrayTaskId"] == t { print "    JobId=" f["JobId"], "JobState=" f["JobState"], "StartTime=" f["StartTime"], "EndTime=" f["EndTime"], "ExitCode=" f["ExitCode"] }
' "$WORK/log/jobcomp.txt"
reference "$D2" "$K2" "$M2" "$RUNS2"
check_runs "$D2" "$N2" "$RUNS2"
compare_tables "$D2"

say "PASS: Slurm job array + afterok summarize give the single-machine table, also across a requeue"
