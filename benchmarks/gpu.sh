#!/usr/bin/env bash
# StyleGAN training speed on a lent GPU machine (H100/H200): one prepared script.
#
# For each image size (default 64 and 128) and each of the four combinations of
# --xla and --mixed-precision, train `stylegan` on the embedded digits (as RGB, resized)
# for a fixed number of steps at full resolution and print images/second in one table.
# Growth is squeezed into the first epoch (fade_images=0, stable_images=64), which is
# trained and timed apart; the number reported is the trainer's own images/s of the
# following STEPS steps (each epoch's first step, which traces, excluded).
#
#   bash benchmarks/gpu.sh                 # on the GPU machine
#   bash benchmarks/gpu.sh --dry-run       # print the commands only (tested on CPU)
#   bash benchmarks/gpu.sh --steps 50 --sizes "64" --batch-size 32
#
# Needs: the package installed (pip install -e .), nothing from the network.
set -euo pipefail

STEPS=200
SIZES="64 128"
BATCH=64
DRY_RUN=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --steps) STEPS="$2"; shift ;;
    --sizes) SIZES="$2"; shift ;;
    --batch-size) BATCH="$2"; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "gpu.sh: error: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/genzoo-gpu-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
GROW_STEPS=$(( 1617 / BATCH ))  # one epoch of the digits train split: growth happens here

if [ "$DRY_RUN" = 0 ]; then
  nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || echo "no nvidia-smi"
  python -c "import tensorflow as tf; print('TensorFlow', tf.__version__, tf.config.list_physical_devices('GPU'))"
fi
printf "%-6s %-5s %-16s %12s\n" size xla precision "images/s"
for size in $SIZES; do
  for xla in "" "--xla"; do
    for mp in "" "--mixed-precision"; do
      out="$WORK/stylegan-$size${xla}${mp}"
      common=(genzoo train stylegan --image-size "$size" --set channels=3 --dataset digits
              --set fade_images=0 --set stable_images=64 --batch-size "$BATCH" --out "$out")
      [ -n "$xla" ] && common+=("$xla")
      [ -n "$mp" ] && common+=("$mp")
      if [ "$DRY_RUN" = 1 ]; then
        echo "${common[*]} --steps $GROW_STEPS"
        echo "${common[*]} --steps $(( GROW_STEPS + STEPS ))"
        continue
      fi
      "${common[@]}" --steps "$GROW_STEPS" > "$out.grow.log" 2>&1 || true
      line=$("${common[@]}" --steps $(( GROW_STEPS + STEPS )) 2>&1 | grep "genzoo: trained to step" || true)
      rate=$(echo "$line" | sed -n 's/.*(\([0-9.]*\) images\/s).*/\1/p')
      printf "%-6s %-5s %-16s %12s\n" "$size" "${xla:+on}${xla:-off}" \
        "${mp:+mixed}${mp:-float32}" "${rate:-failed}"
    done
  done
done
