/**
 * The web host's message format: a value with typed arrays (meshes, slices, uploads) as ONE binary frame, so that
 * geometry crosses the WebSocket without the ~3× size and the parse time of JSON numbers.
 *
 *   [u32 LE: header length H] [H bytes: UTF-8 JSON header] [zero padding to a multiple of 8] [array bytes …]
 *
 * In the JSON header every typed array is replaced by `{"$typed": "<Float32Array|…>", "offset": o, "length": n}`,
 * `offset` counted in bytes from the start of the array section; each array starts on an 8-byte boundary so the
 * receiver can view it in place; an array referenced more than once is stored once. Non-finite numbers become null
 * (JSON). Pure code: the web host (Node) and the renderer (browser) share it.
 */

const TYPED = {
  Float32Array,
  Float64Array,
  Int8Array,
  Uint8Array,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
} as const;
type TypedName = keyof typeof TYPED;
type Typed = InstanceType<(typeof TYPED)[TypedName]>;

interface TypedRef {
  $typed: TypedName;
  offset: number;
  length: number;
}

const align8 = (n: number): number => (n + 7) & ~7;

function typedName(value: unknown): TypedName | undefined {
  if (!ArrayBuffer.isView(value) || value instanceof DataView) return undefined;
  const name = value.constructor.name as TypedName;
  // Node's Buffer is a Uint8Array subclass.
  if (name in TYPED) return name;
  return value instanceof Uint8Array ? 'Uint8Array' : undefined;
}

/** Encodes a JSON-like value that may contain typed arrays. */
export function encodeMessage(value: unknown): Uint8Array<ArrayBuffer> {
  const arrays: Typed[] = [];
  const offsets = new Map<Typed, number>();
  let offset = 0;
  const header = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    // The holder's own property, before any toJSON (Node's Buffer has one that would turn it into a number list).
    const original = this[key];
    const name = typedName(original);
    if (name === undefined) return v;
    const array = original as Typed;
    // An array referenced twice (results share one triangulation among their shapes) travels once.
    const known = offsets.get(array);
    if (known !== undefined) return { $typed: name, offset: known, length: array.length } satisfies TypedRef;
    const ref: TypedRef = { $typed: name, offset, length: array.length };
    offsets.set(array, offset);
    arrays.push(array);
    offset += align8(array.byteLength);
    return ref;
  });
  const headerBytes = new TextEncoder().encode(header ?? 'null');
  const start = align8(4 + headerBytes.length);
  const out = new Uint8Array(start + offset);
  new DataView(out.buffer).setUint32(0, headerBytes.length, true);
  out.set(headerBytes, 4);
  let at = start;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += align8(a.byteLength);
  }
  return out;
}

/** Decodes a frame made by encodeMessage; arrays are views on the frame when it is aligned, copies otherwise. */
export function decodeMessage(frame: Uint8Array | ArrayBuffer): unknown {
  const bytes = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
  if (bytes.byteLength < 4) throw new Error('message too short');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (4 + headerLength > bytes.byteLength) throw new Error('message header runs past its end');
  const header = new TextDecoder().decode(bytes.subarray(4, 4 + headerLength));
  const start = align8(4 + headerLength);
  return JSON.parse(header, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || !('$typed' in v)) return v;
    const ref = v as TypedRef;
    const Ctor = TYPED[ref.$typed];
    if (!Ctor || !Number.isInteger(ref.offset) || !Number.isInteger(ref.length) || ref.offset < 0 || ref.length < 0) throw new Error('bad array reference');
    const byteLength = ref.length * Ctor.BYTES_PER_ELEMENT;
    const begin = start + ref.offset;
    if (begin + byteLength > bytes.byteLength) throw new Error('array runs past the end of the message');
    const absolute = bytes.byteOffset + begin;
    if (absolute % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(bytes.buffer as ArrayBuffer, absolute, ref.length);
    return new Ctor(bytes.slice(begin, begin + byteLength).buffer);
  });
}
