// The renderer runs in a browser (Chromium, in Electron or for the web host): its files use the DOM's types. The
// project's tsconfig targets Node (lib ES2023) and cannot be split per folder here, so the DOM library is added by
// reference; esbuild ignores this file.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
