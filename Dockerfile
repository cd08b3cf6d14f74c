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
# tsx (a devDependency) loads the sources at run time, so dev dependencies stay; the optional CUDA TensorFlow
# binding is left out (the WASM SIMD CPU engine runs everywhere).
RUN npm ci --omit=optional && npm cache clean --force
COPY tsconfig.json ./
COPY bin ./bin
COPY core ./core
COPY assets ./assets

USER node
WORKDIR /data
ENTRYPOINT ["node", "/opt/monge/bin/monge.mjs"]
CMD ["--help"]
