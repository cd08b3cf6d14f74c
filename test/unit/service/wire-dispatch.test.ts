import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../../core/io/errors.ts';
import type { CallOutcome, MongeApi } from '../../../main/service/api.ts';
import { createApiClient } from '../../../main/service/api-client.ts';
import { dispatch } from '../../../main/service/dispatcher.ts';
import { ApiError, toErrorInfo } from '../../../main/service/error-info.ts';
import { decodeMessage, encodeMessage } from '../../../main/service/wire-codec.ts';

test('wire codec: typed arrays of every kind round-trip bit for bit inside nested JSON', () => {
  const value = {
    name: 'lung',
    shape: {
      pointsLps: Float32Array.from([1.5, -2.25, 3e-8, Math.PI]),
      triangles: Uint32Array.from([0, 1, 2, 4294967295]),
      arrays: [{ values: Float64Array.from([Math.E, -0]), range: [0, 1] }],
    },
    small: [Int8Array.from([-128, 127]), Uint8Array.from([0, 255, 7]), Int16Array.from([-3]), Uint16Array.from([65535]), Int32Array.from([-2147483648])],
    empty: new Float32Array(0),
    nothing: null,
  };
  const frame = encodeMessage(value);
  const back = decodeMessage(frame) as typeof value;
  assert.deepEqual(back, value);
  assert.ok(back.shape.pointsLps instanceof Float32Array);
  assert.ok(Object.is(back.shape.arrays[0].values[1], -0));
  // A frame copied to an odd offset (as Node's pooled Buffers are) still decodes.
  const shifted = new Uint8Array(frame.length + 1);
  shifted.set(frame, 1);
  assert.deepEqual(decodeMessage(shifted.subarray(1)), value);
  // Node Buffers travel as Uint8Array.
  assert.deepEqual(decodeMessage(encodeMessage({ b: Buffer.from([1, 2, 3]) })), { b: Uint8Array.from([1, 2, 3]) });
  // JSON rules: non-finite numbers become null.
  assert.deepEqual(decodeMessage(encodeMessage({ x: NaN, y: Infinity })), { x: null, y: null });
});

test('wire codec: an array referenced twice travels once and decodes to equal arrays on the same bytes', () => {
  const triangles = Uint32Array.from({ length: 30_000 }, (_, i) => i % 997);
  const points = Float32Array.from({ length: 3_000 }, (_, i) => i / 7);
  const once = encodeMessage({ a: { triangles, points } });
  const twice = encodeMessage({ a: { triangles, points }, b: { triangles, points: points.slice() } });
  // b adds only its own copy of the points (12 kB) and its header, not the triangles' 120 kB again.
  assert.ok(twice.length - once.length < points.byteLength + 200, `${twice.length - once.length} bytes more`);
  const back = decodeMessage(twice) as { a: { triangles: Uint32Array; points: Float32Array }; b: { triangles: Uint32Array; points: Float32Array } };
  assert.deepEqual(back.a.triangles, triangles);
  assert.deepEqual(back.b.triangles, triangles);
  assert.equal(back.a.triangles.buffer, back.b.triangles.buffer);
  assert.equal(back.a.triangles.byteOffset, back.b.triangles.byteOffset);
  assert.deepEqual(back.b.points, points);
  assert.notEqual(back.a.points.byteOffset, back.b.points.byteOffset, 'equal content in two objects is not merged by the codec');
});

test('wire codec: malformed frames are rejected, not trusted', () => {
  assert.throws(() => decodeMessage(new Uint8Array(2)), /too short/);
  const frame = encodeMessage({ a: Float64Array.from([1, 2]) });
  assert.throws(() => decodeMessage(frame.subarray(0, frame.length - 8)), /past the end/);
  const forged = new TextEncoder().encode('{"a":{"$typed":"Float32Array","offset":0,"length":1000}}');
  const bytes = new Uint8Array(8 + forged.length);
  new DataView(bytes.buffer).setUint32(0, forged.length, true);
  bytes.set(forged, 4);
  assert.throws(() => decodeMessage(bytes), /past the end/);
});

/** A service double recording its calls. */
function fakeApi(): { api: MongeApi; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const record =
    (name: string, answer: (...args: unknown[]) => unknown) =>
    async (...args: unknown[]) => {
      calls.push([name, ...args]);
      return answer(...args);
    };
  const api = {
    hostInfo: record('hostInfo', () => ({ host: 'web' })),
    openFile: record('openFile', () => {
      throw new InputError('/data/lung.vtk', 'truncated', 'ends early');
    }),
    register: record('register', () => 'job-1'),
    cancel: record('cancel', () => true),
    openResultsFolder: record('openResultsFolder', (p) => ({ dir: p })),
    exportResult: record('exportResult', () => ({ fileName: 'field.nii.gz' })),
  } as unknown as MongeApi;
  return { api, calls };
}

test('dispatcher: only API methods with well-formed arguments reach the service; errors come back as data', async () => {
  const { api, calls } = fakeApi();
  assert.deepEqual(await dispatch(api, 'hostInfo', []), { ok: true, value: { host: 'web' } });
  assert.deepEqual(await dispatch(api, 'openResultsFolder', ['/r']), { ok: true, value: { dir: '/r' } });
  assert.deepEqual(await dispatch(api, 'openFile', [{ path: '/data/lung.vtk' }]), {
    ok: false,
    error: { name: 'InputError', message: '/data/lung.vtk: ends early', file: '/data/lung.vtk' },
  });
  const refused: [unknown, unknown][] = [
    ['constructor', []],
    ['dispose', []],
    ['__proto__', []],
    [42, []],
    ['hostInfo', [1]],
    ['hostInfo', 'x'],
    ['openFile', [{ name: 'a.vtk', bytes: [1, 2] }]],
    ['openFile', [{}]],
    ['register', [{ moving: 'a' }]],
    ['cancel', [7]],
    ['exportResult', [{ kind: 'everything' }]],
  ];
  for (const [method, args] of refused) {
    const outcome = await dispatch(api, method, args);
    assert.equal(outcome.ok, false, `${String(method)} ${JSON.stringify(args)} refused`);
  }
  // None of the refused calls reached the service.
  assert.deepEqual(
    calls.map((c) => c[0]),
    ['hostInfo', 'openResultsFolder', 'openFile'],
  );
  assert.equal((await dispatch(api, 'openFile', [{ name: 'a.vtk', bytes: new Uint8Array(3) }])).ok, false, 'reaches openFile, which throws');
  assert.equal(calls.length, 4);
});

test('api client: outcomes become values or ApiErrors that keep the file', async () => {
  const { api } = fakeApi();
  const client = createApiClient((method, args) => dispatch(api, method, args));
  assert.equal(await client.register({ moving: 'a.vtk', fixed: 'b.vtk' }), 'job-1');
  await assert.rejects(client.openFile({ path: '/data/lung.vtk' }), (e: unknown) => e instanceof ApiError && e.file === '/data/lung.vtk' && e.name === 'InputError');
  // Through the web host's JSON wire format, an optional argument given as undefined is an omitted one, not null.
  const overWire = createApiClient((method, args) => dispatch(api, method, decodeMessage(encodeMessage(args))));
  await assert.rejects(overWire.openFile({ path: '/data/lung.vtk' }, undefined), (e: unknown) => e instanceof ApiError && e.name === 'InputError');
  const outcome: CallOutcome = { ok: false, error: toErrorInfo('plain string') };
  assert.deepEqual(outcome.error, { name: 'Error', message: 'plain string' });
});
