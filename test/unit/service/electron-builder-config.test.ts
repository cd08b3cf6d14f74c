/**
 * electron-builder.yml against electron-builder's own JSON schema (app-builder-lib/scheme.json, the schema
 * electron-builder validates configurations with), plus the packaging facts the desktop app relies on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import Ajv from 'ajv';

const require = createRequire(import.meta.url);
/** js-yaml (a dependency of app-builder-lib, which parses electron-builder.yml with it). */
const yaml = require('js-yaml') as { load(text: string): unknown };
const ROOT = new URL('../../../', import.meta.url);

async function schemaValidator(): Promise<Ajv.ValidateFunction> {
  const schema = JSON.parse(await readFile(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
  return new Ajv({ allErrors: true, jsonPointers: true }).compile(schema);
}

test('electron-builder.yml is valid against electron-builder’s schema', async () => {
  const config = yaml.load(await readFile(new URL('electron-builder.yml', ROOT), 'utf8'));
  const validate = await schemaValidator();
  const valid = validate(config);
  assert.equal(valid, true, JSON.stringify(validate.errors, null, 2));
});

test('the schema check can fail: unknown keys and wrong types are reported', async () => {
  const validate = await schemaValidator();
  assert.equal(validate({ appId: 'org.monge.app', notAnOption: true }), false, 'unknown top-level key');
  assert.equal(validate({ linux: { target: 42 } }), false, 'a number as a target');
  assert.equal(validate({ linux: { category: 'Science', colour: 'blue' } }), false, 'unknown linux key');
  assert.equal(validate({ asarUnpack: { wasm: true } }), false, 'an object as a file pattern');
});

test('targets, file associations and unpacked assets the app needs', async () => {
  const config = yaml.load(await readFile(new URL('electron-builder.yml', ROOT), 'utf8')) as {
    extraMetadata: { main: string };
    files: string[];
    asarUnpack: string[];
    fileAssociations: { ext: string; mimeType?: string }[];
    linux: { target: string[]; files: string[] };
    win: { target: string[]; files: string[] };
    mac: { target: string[]; files: string[] };
  };
  assert.deepEqual([config.linux.target, config.win.target, config.mac.target], [['AppImage', 'deb'], ['nsis'], ['dmg']]);
  assert.deepEqual(
    config.fileAssociations.map((a) => a.ext).sort(),
    ['gii', 'mgz', 'mha', 'nii', 'nii.gz', 'nrrd', 'obj', 'ply', 'stl', 'vtk', 'vtp'],
  );
  // Linux associates a file type only through a MIME type (the desktop entry's MimeType= line): one each, distinct.
  const mimeTypes = config.fileAssociations.map((a) => a.mimeType);
  assert.ok(mimeTypes.every((m) => typeof m === 'string' && /^[a-z]+\/[a-z0-9.+-]+$/.test(m)), String(mimeTypes));
  assert.equal(new Set(mimeTypes).size, mimeTypes.length);
  assert.equal(config.extraMetadata.main, 'dist/main/index.mjs');
  assert.ok(config.files.includes('dist/main/**') && config.files.includes('dist/renderer/**'));
  assert.ok(config.asarUnpack.includes('**/*.wasm'));
  // Dawn's binaries for other platforms stay out of the package; the packaged platform's — named per target platform,
  // as electron-builder expands ${platform} to the platform it runs on — is unpacked from asar.
  assert.ok(config.files.includes('!node_modules/webgpu/dist/**'));
  assert.ok(!config.files.some((f) => f.includes('${platform}')));
  assert.deepEqual(
    [config.linux.files, config.win.files, config.mac.files],
    [['node_modules/webgpu/dist/linux-${arch}/**'], ['node_modules/webgpu/dist/win32-${arch}/**'], ['node_modules/webgpu/dist/darwin-universal/**']],
  );
  for (const folder of ['linux-x64', 'win32-x64', 'darwin-universal']) {
    assert.ok(existsSync(new URL(`node_modules/webgpu/dist/${folder}`, ROOT)), `no webgpu/dist/${folder} to package`);
  }
  assert.ok(config.asarUnpack.includes('node_modules/webgpu/dist/**'));
});
