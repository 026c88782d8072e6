#!/usr/bin/env bash
# Training speed on a lent GPU machine (H100/H200): one prepared script (issue 8).
#
# For dcgan, wgan-gp, vae and stylegan at their default image sizes (the digits
# presets), train on the embedded digits for a fixed number of steps and print
# images/second in one table, for five settings each:
#   float32 / --xla / --mixed-precision / --xla --mixed-precision, all on one device,
#   and --strategy mirrored (float32) over every visible GPU.
# The number is the trainer's own images/s (each epoch's first step, which traces
# and compiles, is left out). StyleGAN grows first: its growth is squeezed into the
# first epoch (fade_images=0, stable_images=64), trained apart and not timed.
#
#   bash benchmarks/gpu.sh                 # on the GPU machine
#   bash benchmarks/gpu.sh --dry-run       # print the commands only (tested on CPU)
#   bash benchmarks/gpu.sh --steps 50 --models "dcgan vae" --batch-size 128
#   bash benchmarks/gpu.sh --image-size 64 # every model at 64x64 instead of its default
#
# Needs: the package installed (pip install -e .), nothing from the network.
set -euo pipefail

STEPS=200
MODELS="dcgan wgan-gp vae stylegan"
BATCH=64
IMAGE_SIZE=""
DRY_RUN=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --steps) STEPS="$2"; shift ;;
    --models) MODELS="$2"; shift ;;
    --batch-size) BATCH="$2"; shift ;;
    --image-size) IMAGE_SIZE="$2"; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "gpu.sh: error: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/genzoo-gpu-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
EPOCH_STEPS=$(( 1617 / BATCH ))  # one epoch of the digits train split

if [ "$DRY_RUN" = 0 ]; then
  nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || echo "no nvidia-smi"
  python -c "import tensorflow as tf; print('TensorFlow', tf.__version__, tf.config.list_physical_devices('GPU'))"
fi
# settings: name | flags
SETTINGS=("float32|" "xla|--xla" "mixed|--mixed-precision" "xla+mixed|--xla --mixed-precision"
          "mirrored|--strategy mirrored")
printf "%-9s %-6s %-10s %12s  %s\n" model size setting "images/s" strategy
for model in $MODELS; do
  for entry in "${SETTINGS[@]}"; do
    setting="${entry%%|*}"
    read -r -a flags <<< "${entry#*|}"
    out="$WORK/$model-$setting"
    common=(genzoo train "$model" --dataset digits --batch-size "$BATCH" --out "$out")
    [ -n "$IMAGE_SIZE" ] && common+=(--image-size "$IMAGE_SIZE")
    [ "$model" = stylegan ] && common+=(--set fade_images=0 --set stable_images=64)
    common+=("${flags[@]}")
    timed_steps=$STEPS
    if [ "$model" = stylegan ]; then  # grow during one untimed epoch, then time STEPS more
      timed_steps=$(( EPOCH_STEPS + STEPS ))
      if [ "$DRY_RUN" = 1 ]; then
        echo "${common[*]} --steps $EPOCH_STEPS"
      else
        "${common[@]}" --steps "$EPOCH_STEPS" > "$out.grow.log" 2>&1 || true
      fi
    fi
    if [ "$DRY_RUN" = 1 ]; then
      echo "${common[*]} --steps $timed_steps"
      continue
    fi
    log=$("${common[@]}" --steps "$timed_steps" 2>&1 || true)
    rate=$(echo "$log" | sed -n 's/.*genzoo: trained to step [0-9]* (\([0-9.]*\) images\/s).*/\1/p')
    size=$(python -c "import json,sys; print(json.load(open(sys.argv[1]))['config']['image_size'])" \
           "$out/config.json" 2>/dev/null || echo "?")
    strategy=$(echo "$log" | sed -n 's/.* on digits: [^;]*; \([^;]*\); .*/\1/p' | head -1)
    printf "%-9s %-6s %-10s %12s  %s\n" "$model" "$size" "$setting" "${rate:-failed}" "${strategy:-?}"
  done
done
