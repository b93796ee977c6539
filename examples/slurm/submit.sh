#!/bin/bash
# Queues N ensemble shards as a job array and the summarize step as a dependent job.
#   examples/slurm/submit.sh [N=32] [K=10] [M=10] [RUNS=10000] [SEED=1]
# e.g. N=64 K=12 M=12 RUNS=10000 examples/slurm/submit.sh
# Run from the repository root (after npm ci, which builds dist/); the jobs call node bin/scmv.js.
set -euo pipefail
N=${N:-32}
export N K=${K:-10} M=${M:-10} RUNS=${RUNS:-10000} SEED=${SEED:-1}
export OUT_DIR=${OUT_DIR:-results/slurm/K${K}-M${M}}
mkdir -p logs "$OUT_DIR"
here=$(dirname "$0")
array=$(sbatch --parsable --array=0-$((N - 1)) --export=ALL "$here/ensemble.sbatch")
final=$(sbatch --parsable --dependency=afterok:"$array" --export=ALL "$here/summarize.sbatch")
echo "ensemble array $array (${N} shards of K=$K M=$M, $RUNS runs), summarize job $final -> $OUT_DIR/table.csv"
