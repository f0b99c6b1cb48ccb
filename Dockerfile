# gastric-ai-node image. Demo models are synthetic: not for clinical use.
#
# Targets:
#   runtime (default, CPU)  docker build -t gastric-ai-node .
#   gpu     (CUDA)          docker build --target gpu -t gastric-ai-node:gpu .
# docker-compose.yml builds both (the gpu one under the "gpu" profile).
# Only the files the node needs are copied; a .dockerignore listing node_modules/, dist/ and .git/ would keep the
# build context small. Run it with an init process (compose: `init: true`) so that signals reach node.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------------------------
# build: compile TypeScript, then keep production dependencies only
# ---------------------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# python3/make/g++: fallback when a native addon (better-sqlite3) has no prebuilt binary for this platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# The CPU image needs no CUDA binaries from onnxruntime-node (when the lock file has it).
RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ---------------------------------------------------------------------------------------------------------------
# gpu: CUDA 12 + cuDNN 9 for onnxruntime-node (its CUDA execution provider is CUDA 12 only since 1.22; the
# install script downloads it when ONNXRUNTIME_NODE_INSTALL=cuda12), plus the CUDA 11.8 + cuDNN 8 runtime
# libraries that @tensorflow/tfjs-node-gpu 4.x needs (it bundles TensorFlow 2.9, built for CUDA 11.2+/cuDNN 8;
# the sonames differ from CUDA 12's, so both sets coexist). Without them TensorFlow falls back to the CPU.
# Native addons are installed here (Ubuntu 22.04 glibc), not copied from the Debian build stage.
# ---------------------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS node-binaries

FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04 AS gpu
ENV DEBIAN_FRONTEND=noninteractive
# The NVIDIA apt repository is already configured in nvidia/cuda images.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
      cuda-cudart-11-8 libcublas-11-8 libcufft-11-8 libcurand-11-8 libcusolver-11-8 libcusparse-11-8 \
      libcudnn8=8.9.7.29-1+cuda11.8 \
 && rm -rf /var/lib/apt/lists/*
ENV LD_LIBRARY_PATH=/usr/local/nvidia/lib:/usr/local/nvidia/lib64:/usr/local/cuda-11.8/targets/x86_64-linux/lib
COPY --from=node-binaries /usr/local/bin/node /usr/local/bin/node
COPY --from=node-binaries /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
WORKDIR /app
COPY package.json package-lock.json ./
ENV ONNXRUNTIME_NODE_INSTALL=cuda12
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm install --no-save --omit=dev --no-audit --no-fund @tensorflow/tfjs-node-gpu@4.22.0 onnxruntime-node@1.30.0 \
 && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY orthanc ./orthanc
COPY config ./config
COPY models ./models
RUN ln -s /app/bin/gastric-ai.js /usr/local/bin/gastric-ai \
 && useradd --create-home --uid 1000 gastric \
 && mkdir -p /var/lib/gastric-ai /config \
 && chown gastric:gastric /var/lib/gastric-ai
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    GASTRIC_AI__NODE__DATA_DIR=/var/lib/gastric-ai \
    GASTRIC_AI__INGEST__DIMSE__HOST=0.0.0.0 \
    GASTRIC_AI__API__HOST=0.0.0.0
# The API listens on every interface inside the container (config/default.yaml keeps loopback): publish its port on
# the host's loopback or behind a TLS proxy, and name the host names clients use in api.allowedHosts. Every route but
# /health needs a token; without one configured, the first start writes <dataDir>/api-admin-token (mode 0600).
USER gastric
VOLUME ["/var/lib/gastric-ai"]
EXPOSE 11112 8080
CMD ["npx", "gastric-ai", "serve", "--config", "/config/node.yaml"]

# ---------------------------------------------------------------------------------------------------------------
# runtime (CPU, default target): the last stage, so a plain `docker build .` gives it
# ---------------------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY orthanc ./orthanc
COPY config ./config
COPY models ./models
# `npx gastric-ai` finds the package's own bin; the link also makes `gastric-ai` work from any directory.
RUN ln -s /app/bin/gastric-ai.js /usr/local/bin/gastric-ai \
 && mkdir -p /var/lib/gastric-ai /config \
 && chown node:node /var/lib/gastric-ai
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    GASTRIC_AI__NODE__DATA_DIR=/var/lib/gastric-ai \
    GASTRIC_AI__INGEST__DIMSE__HOST=0.0.0.0 \
    GASTRIC_AI__API__HOST=0.0.0.0
# The API listens on every interface inside the container (config/default.yaml keeps loopback): publish its port on
# the host's loopback or behind a TLS proxy, and name the host names clients use in api.allowedHosts. Every route but
# /health needs a token; without one configured, the first start writes <dataDir>/api-admin-token (mode 0600).
USER node
VOLUME ["/var/lib/gastric-ai"]
EXPOSE 11112 8080
CMD ["npx", "gastric-ai", "serve", "--config", "/config/node.yaml"]
