#!/bin/bash
# Queues N ensemble shards as a job array (ensemble.sbatch) and the summarize step as a dependent
# job (summarize.sbatch, afterok: it starts only when every shard has completed successfully).
#   [N=32] [K=10] [M=10] [RUNS=10000] [SEED=1] examples/slurm/submit.sh [extra sbatch options]
# e.g. N=64 K=12 M=12 RUNS=10000 PARTITION=short ACCOUNT=proj42 examples/slurm/submit.sh
# Run it from anywhere after `npm ci` (which builds dist/): the jobs run `node bin/scmv.js` in the
# repository root, and relative OUT_DIR / LOG_DIR are taken from the repository root.
#
# Environment (all optional; an unset cluster option leaves the #SBATCH default of the .sbatch
# file, or the cluster's default for partition/account/qos):
#   N, K, M, RUNS, SEED    shards (= array size), student/teacher units, runs, ensemble seed
#   EXTRA                  further `scmv ensemble` options, e.g. "--tau-max 20000"
#   OUT_DIR                shard CSVs and table.csv (default results/slurm/K<K>-M<M>)
#   LOG_DIR                Slurm output files, created before submission (default logs)
#   PARTITION              sbatch --partition, both jobs
#   ACCOUNT                sbatch --account, both jobs
#   QOS                    sbatch --qos, both jobs
#   TIME_LIMIT             sbatch --time per shard (ensemble.sbatch default 02:00:00)
#   SUMMARIZE_TIME_LIMIT   sbatch --time of the summarize job (default 00:10:00)
#   CPUS_PER_TASK          sbatch --cpus-per-task per shard = its worker threads (default 2)
#   MEM                    sbatch --mem per shard (default 1G)
#   MAX_PARALLEL           at most this many shards at once (--array=0-(N-1)%MAX_PARALLEL)
#   NODE                   node executable on the compute nodes (default: node on PATH)
# Any arguments are passed to both sbatch calls as further options (e.g. --mail-type=FAIL,
# --constraint=..., --no-requeue); SBATCH_* environment variables work as usual too.
# Prints the two job ids on the last line as "array=<id> summarize=<id>".
set -euo pipefail
N=${N:-32}
export N K=${K:-10} M=${M:-10} RUNS=${RUNS:-10000} SEED=${SEED:-1}
export OUT_DIR=${OUT_DIR:-results/slurm/K${K}-M${M}}
LOG_DIR=${LOG_DIR:-logs}
SCMV_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export SCMV_ROOT
here=$SCMV_ROOT/examples/slurm
cd "$SCMV_ROOT"
[[ -f dist/cli/bin.js ]] || { echo "submit.sh: $SCMV_ROOT/dist/cli/bin.js is missing; run npm ci first" >&2; exit 2; }
mkdir -p "$LOG_DIR" "$OUT_DIR"

common=(--chdir="$SCMV_ROOT" --export=ALL)
[[ -n ${PARTITION:-} ]] && common+=(--partition="$PARTITION")
[[ -n ${ACCOUNT:-} ]] && common+=(--account="$ACCOUNT")
[[ -n ${QOS:-} ]] && common+=(--qos="$QOS")
shard_opts=(--output="$LOG_DIR/%x-%A_%a.out")
[[ -n ${TIME_LIMIT:-} ]] && shard_opts+=(--time="$TIME_LIMIT")
[[ -n ${CPUS_PER_TASK:-} ]] && shard_opts+=(--cpus-per-task="$CPUS_PER_TASK")
[[ -n ${MEM:-} ]] && shard_opts+=(--mem="$MEM")
final_opts=(--output="$LOG_DIR/%x-%j.out")
[[ -n ${SUMMARIZE_TIME_LIMIT:-} ]] && final_opts+=(--time="$SUMMARIZE_TIME_LIMIT")

range=0-$((N - 1))${MAX_PARALLEL:+%$MAX_PARALLEL}
array=$(sbatch --parsable --array="$range" "${common[@]}" "${shard_opts[@]}" "$@" "$here/ensemble.sbatch")
array=${array%%;*}   # --parsable prints "id" or "id;cluster"
final=$(sbatch --parsable --dependency=afterok:"$array" "${common[@]}" "${final_opts[@]}" "$@" "$here/summarize.sbatch")
final=${final%%;*}
echo "ensemble array $array (${N} shards of K=$K M=$M, $RUNS runs), summarize job $final -> $OUT_DIR/table.csv"
echo "array=$array summarize=$final"
