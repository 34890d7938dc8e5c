# vtm-accel: the engine (C++20, built by `pip install .` through scikit-build-core) and the
# Python harness, with `vtm-accel` as the entry point.
#
#   docker build -t vtm-accel .
#   docker run --rm -v "$PWD:/work" vtm-accel demo --out /work/vtm-accel-demo
#
# BASE may be any Debian-like image; when it has no Python (a bare Debian root), python3 and
# venv are installed from its own package archive.
ARG BASE=python:3.11-slim
FROM ${BASE}

ENV DEBIAN_FRONTEND=noninteractive \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MPLBACKEND=Agg

RUN apt-get update \
    && apt-get install -y --no-install-recommends cmake g++ ninja-build make ca-certificates \
    && if ! python3 -c "import ensurepip" >/dev/null 2>&1; then \
         apt-get install -y --no-install-recommends python3 python3-venv python3-dev; \
       fi \
    && rm -rf /var/lib/apt/lists/*

# A virtual environment keeps pip away from a distribution-managed Python (PEP 668).
RUN python3 -m venv /opt/vtm-accel
ENV PATH=/opt/vtm-accel/bin:$PATH

# PyTorch's CPU build first (the package requires torch; PyPI's default Linux wheel pulls in
# CUDA). The CPU index's "+cpu" wheel outranks PyPI's wheel of the same release; set TORCH_SPEC
# (e.g. torch==2.13.0+cpu) to pin it, or TORCH_INDEX to another PyTorch index for a GPU build.
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ARG TORCH_SPEC=torch
RUN pip install --extra-index-url "${TORCH_INDEX}" "${TORCH_SPEC}"

WORKDIR /src
COPY pyproject.toml CMakeLists.txt README.md ./
COPY engine ./engine
COPY vtm_accel ./vtm_accel
RUN pip install . \
    && vtm-accel --help >/dev/null \
    && command -v vtm-accel-engine \
    && python -c "import skimage.data"  # the photographs the demo pans across the frame

WORKDIR /work
ENTRYPOINT ["vtm-accel"]
CMD ["--help"]
