# gastric-ai-node image. Demo models are synthetic: not for clinical use.
#
# Targets:
#   runtime (default, CPU)  docker build -t gastric-ai-node .
#   gpu     (CUDA 11.8)     docker build --target gpu -t gastric-ai-node:gpu .
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
# gpu: CUDA 11.8 + cuDNN 8, the one CUDA line that both GPU back-ends support:
#   @tensorflow/tfjs-node-gpu 4.x bundles TensorFlow 2.9 (CUDA 11.2+, cuDNN 8);
#   onnxruntime-node 1.21 is the last release with CUDA 11 execution-provider binaries (1.22+ needs CUDA 12).
# Native addons are installed here (Ubuntu 22.04 glibc), not copied from the Debian build stage.
# ---------------------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS node-binaries

FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04 AS gpu
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=node-binaries /usr/local/bin/node /usr/local/bin/node
COPY --from=node-binaries /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
WORKDIR /app
COPY package.json package-lock.json ./
RUN ONNXRUNTIME_NODE_INSTALL_CUDA=v11 npm ci --omit=dev --no-audit --no-fund \
 && ONNXRUNTIME_NODE_INSTALL_CUDA=v11 npm install --no-save --omit=dev --no-audit --no-fund \
      @tensorflow/tfjs-node-gpu@4.22.0 onnxruntime-node@1.21.1 \
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
USER node
VOLUME ["/var/lib/gastric-ai"]
EXPOSE 11112 8080
CMD ["npx", "gastric-ai", "serve", "--config", "/config/node.yaml"]
