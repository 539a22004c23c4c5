# jing-emulator: the emulator as an HTTP server on port 8080.
#
#   docker build -t jing-emulator .
#   docker run --rm -p 8080:8080 jing-emulator
#
# BASE_IMAGE must provide python3 (>= 3.11) with its venv module and groupadd/useradd: the
# default, or e.g. a Debian bookworm image with python3 and python3-venv installed
# (docker build --build-arg BASE_IMAGE=... .).
ARG BASE_IMAGE=python:3.11-slim

# Build stage: build the wheel (hatchling, in pip's isolated build environment) and install it
# with its dependencies into a self-contained virtual environment.
FROM ${BASE_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
COPY . /src
RUN python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir /src \
    && /opt/venv/bin/pip uninstall --yes pip setuptools \
    && /opt/venv/bin/jing-emulator --help >/dev/null

# Runtime stage: the base image plus the virtual environment; no source tree, pip, or build tools.
FROM ${BASE_IMAGE}
RUN groupadd --gid 10001 jing \
    && useradd --uid 10001 --gid jing --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin jing
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    JING_EMULATOR_HOST=0.0.0.0 \
    JING_EMULATOR_PORT=8080
USER 10001:10001
WORKDIR /tmp
EXPOSE 8080
# /_admin/health is open to any client, whether or not JING_EMULATOR_ADMIN_TOKEN is set.
# Python rather than curl: the slim base image has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/opt/venv/bin/python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('JING_EMULATOR_PORT', '8080') + '/_admin/health', timeout=2)"]
# Equivalent to `jing-emulator serve --host 0.0.0.0 --port 8080`, configured by the environment
# variables above rather than flags, so that `-e JING_EMULATOR_PORT=...` (and every other
# JING_EMULATOR_* variable) still takes effect: an explicit flag would override the variable.
CMD ["jing-emulator", "serve"]
