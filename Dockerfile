# Headless `monge` for servers and clusters (batch registration, `monge register`, every CLI command): Node 20, the
# command bundled by core/cli/build-cli.ts (no TypeScript sources, no tsx, no Electron, no renderer, no GPU) beside
# the production dependencies only.
#
#   docker build -t monge .
#   docker run --rm -v "$PWD/cohort:/data" monge batch /data/manifest.csv -o /data/out --jobs 4 --resume
#
# The image runs as the unprivileged `node` user in /data; mount the cohort there (paths in a manifest are relative to
# the manifest, so a mounted cohort folder works as it is). Singularity/Apptainer: `apptainer build monge.sif
# docker-daemon://monge:latest`.

# Stage 1: bundle the command with the development dependencies (esbuild, and tsx to run the build script). Install
# scripts are skipped (none is needed: esbuild's only checks its binary, which comes as the optional
# @esbuild/<platform> package; Electron's binary is not wanted).
FROM node:20-slim AS build
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1 NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY core ./core
RUN node --import tsx core/cli/build-cli.ts /src/dist/cli

# Stage 2: the image. Production dependencies only (itk-wasm, TensorFlow.js with its WASM backend); optional ones are
# left out, which drops the CUDA TensorFlow binding (it would need libtensorflow; `--engine auto` picks the WASM SIMD
# CPU engine without it).
FROM node:20-slim
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
WORKDIR /opt/monge
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts \
 && npm cache clean --force
COPY assets ./assets
COPY --from=build /src/dist/cli ./dist/cli
# Fails the build, not the first run, if the bundle cannot load.
RUN node dist/cli/monge.mjs --version

USER node
WORKDIR /data
ENTRYPOINT ["node", "/opt/monge/dist/cli/monge.mjs"]
CMD ["--help"]
