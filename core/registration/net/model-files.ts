/**
 * Saving and loading the network's tfjs files in Node without tfjs-node: a tfjs IOHandler over a folder holding
 * the standard tfjs "layers-model" pair, so the same files load in a browser with tf.loadLayersModel(url):
 *   model.json  — { format, generatedBy, modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights }] }
 *   weights.bin — the float32 weights, concatenated in weightsManifest order (little-endian).
 * Both are written atomically (core/io/atomic-write.ts). Loading checks everything before tfjs sees it — the JSON,
 * the weight specs, the byte count against the specs (before allocating), finiteness, and optionally a sha256 —
 * and turns every failure into an InputError naming the file.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { check, InputError } from '../../io/errors.ts';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** Largest weights file accepted (the shipped models are ~0.6 MB; this guards against absurd files). */
const MAX_WEIGHT_BYTES = 512 * 1024 * 1024;

function weightBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const buffers = Array.isArray(data) ? data : [data];
  const total = buffers.reduce((s, b) => s + b.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), o);
    o += b.byteLength;
  }
  return out;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readExisting(path: string, what: string): Promise<Uint8Array> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new InputError(path, 'not-found', `${what} not found`);
  if (info.isDirectory()) throw new InputError(path, 'is-directory', `${what} is a folder, not a file`);
  check(info.size <= MAX_WEIGHT_BYTES, path, 'too-large', `${what} is ${info.size} bytes, more than a registration network can hold`);
  return new Uint8Array(await readFile(path));
}

/** Bytes per element of the weight dtypes a Monge model may hold. */
const DTYPE_BYTES: Record<string, number> = { float32: 4 };

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

/** Validates model.json's weight specs; returns them and the byte count they need. */
function weightSpecsOf(json: Record<string, unknown>, path: string): { specs: WeightSpec[]; bytes: number } {
  const manifest = json.weightsManifest;
  check(Array.isArray(manifest) && manifest.length === 1, path, 'malformed', 'weightsManifest must list exactly one weights file');
  const group = manifest[0] as { paths?: unknown; weights?: unknown };
  check(Array.isArray(group.paths) && group.paths.length === 1 && group.paths[0] === WEIGHTS_BIN, path, 'malformed', `weightsManifest must point to ${WEIGHTS_BIN}`);
  check(Array.isArray(group.weights), path, 'malformed', 'weightsManifest has no weight list');
  let bytes = 0;
  const specs: WeightSpec[] = [];
  for (const [i, w] of (group.weights as unknown[]).entries()) {
    const spec = w as Partial<WeightSpec> & { quantization?: unknown };
    check(typeof spec?.name === 'string', path, 'malformed', `weight ${i} has no name`);
    check(spec.dtype !== undefined && DTYPE_BYTES[spec.dtype] !== undefined, path, 'unsupported', `weight ${spec.name} has dtype ${String(spec.dtype)} (float32 expected)`);
    check(spec.quantization === undefined, path, 'unsupported', `weight ${spec.name} is quantized`);
    check(Array.isArray(spec.shape) && spec.shape.every((d) => Number.isInteger(d) && d >= 0 && d < 1 << 24), path, 'malformed', `weight ${spec.name} has an invalid shape`);
    const size = (spec.shape as number[]).reduce((a, b) => a * b, 1);
    bytes += size * DTYPE_BYTES[spec.dtype];
    check(bytes <= MAX_WEIGHT_BYTES, path, 'too-large', 'the weights listed exceed any registration network');
    specs.push({ name: spec.name, shape: spec.shape as number[], dtype: 'float32' });
  }
  return { specs, bytes };
}

/**
 * A tfjs IOHandler reading and writing `dir/model.json` + `dir/weights.bin`. `expectedWeightsSha256`, when
 * given, must match weights.bin (the manifest records it).
 */
export function modelFiles(dir: string, expectedWeightsSha256?: string): tf.io.IOHandler & { weightsSha256?: string } {
  const jsonPath = join(dir, MODEL_JSON);
  const binPath = join(dir, WEIGHTS_BIN);
  const handler: tf.io.IOHandler & { weightsSha256?: string } = {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('net: only layers models (JSON topology) can be saved');
      const weights = weightBytes(artifacts.weightData);
      const modelJson = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      const text = JSON.stringify(modelJson);
      await mkdir(dir, { recursive: true });
      await writeFileAtomic(binPath, weights);
      await writeFileAtomic(jsonPath, text);
      handler.weightsSha256 = sha256Hex(weights);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', modelTopologyBytes: text.length, weightDataBytes: weights.byteLength } };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonBytes = await readExisting(jsonPath, 'model file');
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(new TextDecoder().decode(jsonBytes)) as Record<string, unknown>;
      } catch (e) {
        throw new InputError(jsonPath, 'malformed', `is not valid JSON (${(e as Error).message})`);
      }
      check(json !== null && typeof json === 'object' && typeof json.modelTopology === 'object' && json.modelTopology !== null, jsonPath, 'malformed', 'has no modelTopology');
      const { specs, bytes } = weightSpecsOf(json, jsonPath);
      const info = await stat(binPath).catch(() => undefined);
      if (!info) throw new InputError(binPath, 'not-found', 'weights file not found');
      check(info.size === bytes, binPath, info.size < bytes ? 'truncated' : 'count-mismatch', `holds ${info.size} bytes but ${MODEL_JSON} lists ${bytes} bytes of weights`);
      const weights = await readExisting(binPath, 'weights file');
      const sha = sha256Hex(weights);
      check(expectedWeightsSha256 === undefined || sha === expectedWeightsSha256, binPath, 'malformed', 'does not match the sha256 recorded in manifest.json (corrupt or replaced)');
      const floats = new Float32Array(weights.buffer, weights.byteOffset, weights.byteLength / 4);
      for (let i = 0; i < floats.length; i++) {
        if (!Number.isFinite(floats[i])) throw new InputError(binPath, 'non-finite', `weight value ${i} is ${floats[i]}`);
      }
      handler.weightsSha256 = sha;
      return {
        modelTopology: json.modelTopology as object,
        format: typeof json.format === 'string' ? json.format : undefined,
        generatedBy: typeof json.generatedBy === 'string' ? json.generatedBy : undefined,
        weightSpecs: specs,
        weightData: weights.slice().buffer,
      };
    },
  };
  return handler;
}
