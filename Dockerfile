# Headless `monge` for servers and clusters (batch registration, `monge register`, every CLI command): Node 20, the
# TypeScript sources run through tsx as bin/monge.mjs does, no Electron binary, no renderer, no GPU.
#
#   docker build -t monge .
#   docker run --rm -v "$PWD/cohort:/data" monge batch /data/manifest.csv -o /data/out --jobs 4 --resume
#
# The image runs as the unprivileged `node` user in /data; mount the cohort there (paths in a manifest are relative to
# the manifest, so a mounted cohort folder works as it is). Singularity/Apptainer: `apptainer build monge.sif
# docker-daemon://monge:latest`.
FROM node:20-slim

ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

WORKDIR /opt/monge
COPY package.json package-lock.json ./
# tsx (a devDependency) loads the sources at run time, so dev dependencies stay. Optional dependencies must stay
# too: tsx's esbuild finds its binary through the optional @esbuild/<platform> package, which `--omit=optional`
# would drop. Install scripts are skipped instead (none is needed: esbuild's only checks its binary, Electron's
# binary is not wanted), and the optional CUDA TensorFlow binding, which then has no native library, is removed
# (the WASM SIMD CPU engine runs everywhere; `--engine auto` picks it when tfjs-node-gpu is absent).
RUN npm ci --ignore-scripts \
 && rm -rf node_modules/@tensorflow/tfjs-node-gpu \
 && npm cache clean --force
COPY tsconfig.json ./
COPY bin ./bin
COPY core ./core
COPY assets ./assets
# Fails the build, not the first run, if tsx or the sources cannot load.
RUN node bin/monge.mjs --version

USER node
WORKDIR /data
ENTRYPOINT ["node", "/opt/monge/bin/monge.mjs"]
CMD ["--help"]
