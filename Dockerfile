# vtm-accel: the engine (C++20, built by `pip install .` through scikit-build-core) and the
# Python harness, with `vtm-accel` as the entry point. Two stages: the builder has the compilers
# and builds a virtual environment (/opt/vtm-accel) with the package and its engine; the runtime
# stage is the same base with that environment copied in and no compiler, CMake or headers.
# Encoding with the CNN needs no PyTorch (the service runs the committed weights in numpy);
# EXTRAS=train adds PyTorch's CPU build and scikit-learn, for `vtm-accel train` in the image.
#
#   docker build -t vtm-accel .                                # encode, challenge, demo
#   docker build --build-arg EXTRAS=train -t vtm-accel:train . # and training
#   docker run --rm --user "$(id -u):$(id -g)" -e HOME=/tmp -v "$PWD:/work" \
#       vtm-accel demo --out /work/vtm-accel-demo
#
# (--user: files written to the mounted /work belong to you, not to root; HOME: a writable
# home for the caches of matplotlib and friends.) BASE may be any Debian-like image; when it has
# no Python (a bare Debian root), python3 comes from its own package archive in both stages
# (the same Python, so the environment built in one runs in the other).
ARG BASE=python:3.11-slim

# ------------------------------------------------------------------------------ builder ----
FROM ${BASE} AS builder

ENV DEBIAN_FRONTEND=noninteractive \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
         cmake g++ ninja-build make binutils ca-certificates \
    && if ! python3 -c "import ensurepip" >/dev/null 2>&1; then \
         apt-get install -y --no-install-recommends python3 python3-venv python3-dev; \
       fi \
    && rm -rf /var/lib/apt/lists/*

# A virtual environment keeps pip away from a distribution-managed Python (PEP 668) and is the
# one thing the runtime stage copies.
RUN python3 -m venv /opt/vtm-accel
ENV PATH=/opt/vtm-accel/bin:$PATH

# With EXTRAS=train: PyTorch's CPU build, pinned: the "+cpu" local version exists only on the
# CPU index, so pip cannot pick PyPI's CUDA wheel of a newer release (that would add gigabytes
# of CUDA libraries). The release is the one scripts/install pins. For a GPU build pass e.g.
# --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu126 --build-arg TORCH_SPEC=torch==2.13.0
ARG EXTRAS=
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ARG TORCH_SPEC=torch==2.13.0+cpu
RUN case ",${EXTRAS}," in \
      *,train,*) pip install --no-compile --extra-index-url "${TORCH_INDEX}" "${TORCH_SPEC}" ;; \
    esac

WORKDIR /src
COPY pyproject.toml CMakeLists.txt README.md ./
COPY engine ./engine
COPY vtm_accel ./vtm_accel
RUN pip install --no-compile ".${EXTRAS:+[${EXTRAS}]}" \
    && vtm-accel --help >/dev/null \
    && vtm-accel-engine --help >/dev/null

# What only building against torch or testing the libraries needs: C++ headers, CMake files,
# test programs (torch_shm_manager stays: `import torch` looks for it), test suites, and the
# symbol tables of torch's own libraries (the dynamic symbols stay; libtorch_cpu.so loses
# about 70 MB). Not the other wheels' libraries: those that auditwheel rewrote with patchelf
# (numpy's OpenBLAS) no longer load once stripped. No .pyc either (--no-compile,
# PYTHONDONTWRITEBYTECODE): they would double the Python sources.
RUN set -eu; \
    sp=$(python -c 'import sysconfig; print(sysconfig.get_path("purelib"))'); \
    find "$sp" -depth -type d -name tests -not -path "$sp/torch/*" -exec rm -rf {} +; \
    find "$sp" -depth -type d -name __pycache__ -exec rm -rf {} +; \
    if [ -d "$sp/torch/lib" ]; then \
      rm -rf "$sp/torch/include" "$sp/torch/share" "$sp/torch/test"; \
      find "$sp/torch/bin" -type f ! -name torch_shm_manager -delete; \
      find "$sp/torch/lib" -name '*.so*' -type f -exec strip --strip-unneeded {} + ; \
      python -c "import torch, sklearn; torch.zeros(1)"; \
    fi; \
    python -c "import numpy, scipy, skimage.data, matplotlib, dask, distributed, bjontegaard, imageio_ffmpeg" \
    && vtm-accel --help >/dev/null

# ------------------------------------------------------------------------------ runtime ----
FROM ${BASE}

ENV DEBIAN_FRONTEND=noninteractive \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MPLBACKEND=Agg \
    PATH=/opt/vtm-accel/bin:$PATH

# Python itself only where the base has none (the builder made the environment with the same
# interpreter); the engine needs nothing beyond libstdc++, which every Debian base has.
RUN if ! command -v python3 >/dev/null 2>&1; then \
      apt-get update \
      && apt-get install -y --no-install-recommends python3 \
      && apt-get clean && rm -rf /var/lib/apt/lists/*; \
    fi

COPY --from=builder /opt/vtm-accel /opt/vtm-accel
RUN vtm-accel --help >/dev/null \
    && vtm-accel-engine --help >/dev/null \
    && python -c "import skimage.data, vtm_accel.predictors.np_infer"  # the demo's photographs, the CNN

WORKDIR /work
ENTRYPOINT ["vtm-accel"]
CMD ["--help"]
