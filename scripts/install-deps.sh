#!/usr/bin/env bash
# Installs the Debian packages bnlstm needs, and only those that are missing.
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --torch  also PyTorch (golden files, benchmarks)
#   scripts/install-deps.sh --study  also Fashion-MNIST (bnlstm classify / study, `make demo`;
#                                    30 MB; the tests do not need it)
#   scripts/install-deps.sh --clang  also clang, its OpenMP and libFuzzer (make test-clang, fuzz)
set -euo pipefail

packages=(
  g++ cmake make pkg-config
  libeigen3-dev          # linear algebra
  libcli11-dev           # command line
  libfmt-dev             # formatting
  nlohmann-json3-dev     # JSON (history, safetensors headers)
  zlib1g-dev             # gzip-compressed IDX files (Fashion-MNIST)
  libhowardhinnant-date-dev  # date parsing
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  gnuplot-nox            # plots (pngcairo, svg, pdfcairo terminals)
  libopenmpi-dev openmpi-bin  # data-parallel training (src/dist/; optional at configure time)
  # the Python module (python/), its tests and the notebook, all for Debian's /usr/bin/python3
  pybind11-dev python3-dev python3-numpy python3-pytest
  python3-matplotlib     # the notebook's figures
  python3-nbclient python3-ipykernel   # `make test` executes examples/batch_normalization.ipynb
)
if [[ "${1:-}" == "--torch" ]]; then
  # PyTorch reference; OpenBLAS so Debian's torch does not fall back to the reference BLAS.
  packages+=(python3-torch python3-numpy libopenblas0-pthread)
fi
if [[ "${1:-}" == "--clang" ]]; then
  # clang 14 (Debian 12's), its OpenMP runtime, and compiler-rt, which holds libFuzzer and the
  # sanitizer runtimes; only `make test-clang` and `make fuzz` need them.
  packages+=(clang libomp-dev libclang-rt-dev)
fi
if [[ "${1:-}" == "--study" ]]; then
  packages+=(dataset-fashion-mnist)  # /usr/share/datasets/fashion-mnist/*-ubyte.gz
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
