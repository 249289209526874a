#!/usr/bin/env bash
# Install the pinned OpenMMLab stack and pose_nas into the active Python.
#
#   bash tools/install.sh            # everything: torch, mmcv (built with ops), mmdet,
#                                    # mmpose (no chumpy), xtcocotools, pose_nas, test deps
#
# Idempotent: packages already at the pinned version are left alone and the
# wheels this script compiles (mmcv with its ops, xtcocotools against numpy 2)
# are cached under $POSE_NAS_CACHE (default ~/.cache/pose_nas), so a second
# run takes a few minutes at most.
#
# Environment:
#   PYTHON             interpreter to install into (default: python3)
#   POSE_NAS_CACHE     wheel cache directory (default: ~/.cache/pose_nas)
#   MMCV_WITH_CUDA     1: compile mmcv's CUDA ops, 0: CPU ops only,
#                      unset: CUDA ops when torch sees a GPU (FORCE_CUDA=1 also works)
#   MAX_JOBS           parallel compile jobs for mmcv (default: number of cores)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PYTHON:-python3}
CACHE=${POSE_NAS_CACHE:-$HOME/.cache/pose_nas}
REQ=$ROOT/requirements
CONSTRAINTS=$REQ/constraints.txt
MMCV_VERSION=2.1.0
XTCOCO_VERSION=$(sed -n 's/^xtcocotools==//p' "$CONSTRAINTS")
export PIP_DISABLE_PIP_VERSION_CHECK=1

log() { printf '\n[install] %s\n' "$*"; }
pipi() { "$PY" -m pip install -c "$CONSTRAINTS" "$@"; }
pkg_version() { "$PY" - "$1" <<'EOF' 2>/dev/null
import sys
from importlib.metadata import version
print(version(sys.argv[1]))
EOF
}

start=$(date +%s)
mkdir -p "$CACHE/wheels"

log "build tools (setuptools<82 keeps pkg_resources for mmcv/mmengine)"
pipi -r "$REQ/build.txt"

log "torch + torchvision"
pipi -r "$REQ/torch.txt"
TORCH_TAG=$("$PY" -c 'import torch; print(torch.__version__.replace("+", "_"))')

# ---------------------------------------------------------------- mmcv ----
want_cuda=${MMCV_WITH_CUDA:-${FORCE_CUDA:-auto}}
if [ "$want_cuda" = auto ]; then
  want_cuda=$("$PY" -c 'import torch; print(int(torch.cuda.is_available()))')
fi
MMCV_DIR=$CACHE/wheels/mmcv-$MMCV_VERSION-torch$TORCH_TAG-cuda$want_cuda
have_mmcv_ops=$("$PY" -c 'import mmcv, mmcv.ops; print(mmcv.__version__)' 2>/dev/null || true)
# The marker lives in the cache folder of this torch version: a torch change
# points at another folder, so mmcv is rebuilt (or taken from that cache).
if [ "$have_mmcv_ops" = "$MMCV_VERSION" ] && [ -f "$MMCV_DIR/.installed-marker" ]; then
  log "mmcv $MMCV_VERSION with ops already installed"
else
  if ! ls "$MMCV_DIR"/mmcv-*.whl >/dev/null 2>&1; then
    log "building mmcv $MMCV_VERSION with ops (CUDA ops: $want_cuda); ~14 min on 2 cores"
    work=$(mktemp -d)
    "$PY" -m pip download --no-deps --no-binary :all: --no-build-isolation \
      -d "$work" "mmcv==$MMCV_VERSION"
    tar -xzf "$work/mmcv-$MMCV_VERSION.tar.gz" -C "$work"
    src=$work/mmcv-$MMCV_VERSION
    # torch >= 2.10 headers need C++20; mmcv 2.1.0 hard-codes c++14/c++17.
    sed -i -e 's/-std=c++14/-std=c++20/g' -e 's/-std=c++17/-std=c++20/g' "$src/setup.py"
    grep -q -- '-std=c++20' "$src/setup.py"
    if [ "$want_cuda" = 1 ]; then export FORCE_CUDA=1; else export FORCE_CUDA=0; fi
    export MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)}
    (cd "$src" && "$PY" -m pip wheel --no-deps --no-build-isolation -w "$work/dist" .)
    mkdir -p "$MMCV_DIR"
    cp "$work"/dist/mmcv-*.whl "$MMCV_DIR"/
    rm -rf "$work"
  else
    log "mmcv wheel found in cache: $MMCV_DIR"
  fi
  "$PY" -m pip install --no-deps --force-reinstall "$MMCV_DIR"/mmcv-*.whl
  touch "$MMCV_DIR/.installed-marker"
fi

# --------------------------------------------------------- xtcocotools ----
NUMPY_MAJOR=$("$PY" -c 'import numpy; print(numpy.__version__.split(".")[0])')
XT_DIR=$CACHE/wheels/xtcocotools-$XTCOCO_VERSION-numpy$NUMPY_MAJOR
if [ "$(pkg_version xtcocotools)" = "$XTCOCO_VERSION" ] \
   && "$PY" -c 'from xtcocotools.coco import COCO; from xtcocotools.cocoeval import COCOeval' 2>/dev/null; then
  log "xtcocotools $XTCOCO_VERSION already installed"
else
  if ! ls "$XT_DIR"/xtcocotools-*.whl >/dev/null 2>&1; then
    log "building xtcocotools $XTCOCO_VERSION against numpy $NUMPY_MAJOR"
    "$PY" -m pip wheel --no-deps --no-build-isolation --no-binary xtcocotools \
      -w "$XT_DIR" "xtcocotools==$XTCOCO_VERSION"
  fi
  "$PY" -m pip install --no-deps --force-reinstall "$XT_DIR"/xtcocotools-*.whl
fi

# ------------------------------------------------ OpenMMLab + runtime ----
log "mmengine, mmdet and runtime dependencies"
pipi -r "$REQ/mminstall.txt" -r "$REQ/runtime.txt"
log "mmpose (without its chumpy dependency)"
pipi --no-deps mmpose
log "pose_nas (editable) and test dependencies"
pipi -r "$REQ/tests.txt"
"$PY" -m pip install --no-deps --no-build-isolation -e "$ROOT"

log "checking the stack"
"$PY" - <<'EOF'
import importlib.metadata as md
import mmcv, mmcv.ops, mmdet, mmengine, mmpose, torch, torchvision, numpy
import pose_nas
from mmcv.ops import nms  # noqa: F401  (compiled ops are present)
for name in ('torch', 'torchvision', 'numpy', 'mmengine', 'mmcv', 'mmdet', 'mmpose',
             'xtcocotools', 'pycocotools', 'pose_nas'):
    print(f'  {name:12s} {md.version(name)}')
try:
    md.version('chumpy')
    raise SystemExit('chumpy got installed; it must not be')
except md.PackageNotFoundError:
    pass
print('  CUDA available:', torch.cuda.is_available(),
      '| mmcv CUDA ops:', mmcv.ops.get_compiling_cuda_version()
      if hasattr(mmcv.ops, 'get_compiling_cuda_version') else 'n/a')
EOF
log "done in $(( $(date +%s) - start )) s"
