#!/usr/bin/env bash
# Data-parallel training at 1 and 2 ranks (docs/performance.md, "Data-parallel training"):
# seconds per epoch, speed-up, efficiency (speed-up / ranks) and the share of rank 0's training
# time spent inside MPI collectives, for the notebook's forecasting experiment and the
# classification study's configuration on a part of Fashion-MNIST. Run on a quiet machine:
#   bench/distributed.sh     # BUILD=build RANKS="1 2" REPEATS=3 EPOCHS=10 IMAGES=5000
# IMAGES: training images of the classification runs (the study's epoch is 55,000: IMAGES=0).
# Each configuration runs REPEATS times; the table shows the median seconds per epoch.
set -euo pipefail
BUILD=${BUILD:-build}
RANKS=${RANKS:-"1 2"}
REPEATS=${REPEATS:-3}
EPOCHS=${EPOCHS:-10}
IMAGES=${IMAGES:-5000}
FASHION=${FASHION:-/usr/share/datasets/fashion-mnist}
GOOGLE=${GOOGLE:-../shared/data/google.csv}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
# running as root in a container, 2 ranks on 2 cores (see docs/distributed.md)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none OMP_NUM_THREADS=1

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo ?)"
echo "# load before: $(uptime)"
echo "# $(getconf _NPROCESSORS_ONLN) cores; $(mpirun --version | head -1)"

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# run NAME K COMMAND...: prints "NAME K seconds_per_epoch collective_percent"
run() {
  local name=$1 k=$2
  shift 2
  local per=() comm=()
  for ((r = 1; r <= REPEATS; r++)); do
    local log="$OUT/$name-$k-$r.log"
    if [[ $k == 1 ]]; then "$@" >"$log" 2>&1; else mpirun --oversubscribe -np "$k" "$@" >"$log" 2>&1; fi
    # metrics.json: train's "epochs_run" and "seconds" (Trainer::fit's wall time), classify's
    # "seconds_per_epoch" (the training steps alone); the log: "x % of it in MPI collectives"
    # (rank 0)
    local json n s
    json=$(tr -d ' \n' <"$OUT/dir-$name-$k/metrics.json" 2>/dev/null || true)
    n=$(sed -n 's/.*"epochs_run":\([0-9]*\).*/\1/p' <<<"$json")
    s=$(sed -n 's/.*"seconds":\([0-9.e+-]*\).*/\1/p' <<<"$json")
    if [[ -z $n ]]; then
      n=1
      s=$(sed -n 's/.*"seconds_per_epoch":\([0-9.e+-]*\).*/\1/p' <<<"$json")
    fi
    [[ -n $s ]] || { echo "$name at $k ranks failed:"; cat "$log"; exit 1; }
    per+=("$(awk -v s="$s" -v n="$n" 'BEGIN {printf "%.4f", s / n}')")
    comm+=("$(grep -o '[0-9.]* % of [a-z ]* in MPI collectives' "$log" | head -1 | cut -d' ' -f1 || true)")
    rm -rf "$OUT/dir-$name-$k"
  done
  local c=-
  if [[ $k != 1 ]]; then c=$(printf '%s\n' "${comm[@]}" | median); fi
  printf '%s %s %s %s\n' "$name" "$k" "$(printf '%s\n' "${per[@]}" | median)" "$c"
}

results="$OUT/results"
: >"$results"
if [[ -f $GOOGLE ]]; then
  for k in $RANKS; do
    # the notebook's experiment (README), a fixed number of epochs
    run forecast-notebook "$k" "$BUILD/bnlstm" train --notebook --data "$GOOGLE" \
      --start 2005-01-01 --end 2020-12-31 --train-size 0.7 --look-back 1 --hidden 256 \
      --batch-size 32 --lr 1e-3 --patience 0 --epochs "$EPOCHS" --norm batch --init xavier \
      --clip 1.0 --optimizer sgd --threads 1 --no-plots --out "$OUT/dir-forecast-notebook-$k" \
      >>"$results"
  done
else
  echo "# $GOOGLE not found: the forecasting experiment is skipped"
fi
if [[ -f $FASHION/train-images-idx3-ubyte.gz || -f $FASHION/train-images-idx3-ubyte ]]; then
  for k in $RANKS; do
    # the study's configuration (docs/study.md: rows, hidden 100, batch 100, RMSProp, norm batch)
    # on the first IMAGES training images, one epoch, 1000 validation and test images
    run "classify-rows-$IMAGES" "$k" "$BUILD/bnlstm" classify --data-dir "$FASHION" --view rows \
      --norm batch --hidden 100 --batch-size 100 --optimizer rmsprop --lr 1e-3 --epochs 1 \
      --train-limit "$IMAGES" --val-size 1000 --test-limit 1000 --threads 1 --no-plots \
      --out "$OUT/dir-classify-rows-$IMAGES-$k" >>"$results"
  done
else
  echo "# Fashion-MNIST not found in $FASHION: the classification runs are skipped"
fi

echo "# load after: $(uptime)"
echo
echo "| run | ranks | s / epoch | speed-up | efficiency | in collectives |"
echo "|---|---:|---:|---:|---:|---:|"
awk '{ if ($2 == 1) base[$1] = $3;
       b = base[$1]; sp = (b > 0) ? b / $3 : 0;
       printf "| %s | %d | %.4f | %.2fx | %.0f %% | %s |\n", $1, $2, $3, sp, 100 * sp / $2,
              ($2 == 1) ? "-" : $4 " %" }' "$results"
