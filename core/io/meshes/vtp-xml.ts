/**
 * A small XML tokenizer for VTK XML files (.vtp): just enough XML 1.0 for what VTK writes — elements, attributes in
 * any order with either quote, comments, processing instructions, CDATA — working on the file's bytes so that
 * nothing large is ever turned into a string. Character data is kept as byte ranges for the DataArray decoders.
 *
 * It stops at `<AppendedData …>`: what follows the `_` marker is raw binary (VTK XML formats, "Appended data
 * section", https://docs.vtk.org/en/latest/design_documents/VTKFileFormats.html#xml-file-formats) and may hold any
 * byte, '<' included.
 *
 * Why not ./xml-tokenizer.ts (GIfTI's): that one reads decoded text and hands back every element's text as a
 * string, which a raw appended section cannot go through (it is not UTF-8) and which would turn tens of megabytes
 * of ASCII DataArrays into strings; it also applies stricter rules (repeated attributes, CDATA outside the root)
 * that this reader, made to accept what VTK writers produce, does not. The entity decoding is shared.
 */
import { InputError } from '../errors.ts';
import { isWhitespace } from './text-scanner.ts';
import { decodeEntities } from './xml-tokenizer.ts';

/** One element: its name, attributes, child elements and the byte ranges of its own character data. */
export interface XmlElement {
  name: string;
  attrs: Map<string, string>;
  children: XmlElement[];
  /** [start, end) byte ranges of this element's character data, in document order (flattened pairs). */
  text: number[];
}

/** A parsed VTK XML document. */
export interface VtkXmlDocument {
  root: XmlElement;
  /** Every comment's text, in document order. */
  comments: string[];
  /** The AppendedData element and the index of the first byte after its `_` marker, when the file has one. */
  appended?: { element: XmlElement; dataStart: number };
}

const utf8 = new TextDecoder('utf-8');

function isNameEnd(c: number): boolean {
  return isWhitespace(c) || c === 62 /* > */ || c === 47 /* / */ || c === 61 /* = */;
}

/** True when `bytes` holds the ASCII text `s` at `pos`. */
function startsAt(bytes: Uint8Array, s: string, pos: number): boolean {
  if (pos + s.length > bytes.length) return false;
  for (let k = 0; k < s.length; k++) if (bytes[pos + k] !== s.charCodeAt(k)) return false;
  return true;
}

/** Parses the XML structure of a VTK XML file. */
export function parseVtkXml(bytes: Uint8Array, file: string): VtkXmlDocument {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const n = bytes.length;
  const malformed = (detail: string): never => {
    throw new InputError(file, 'malformed', `XML: ${detail}`);
  };
  const truncated = (detail: string): never => {
    throw new InputError(file, 'truncated', `XML: ${detail}`);
  };
  const find = (pattern: string, from: number, what: string): number => {
    const at = buf.indexOf(pattern, from, 'latin1');
    return at < 0 ? truncated(`the file ends inside ${what}`) : at;
  };

  const comments: string[] = [];
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let pos = n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;

  while (pos < n) {
    const lt = buf.indexOf(60, pos);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > pos) {
      const top = stack[stack.length - 1];
      if (top) top.text.push(pos, textEnd);
      else {
        for (let i = pos; i < textEnd; i++) if (!isWhitespace(bytes[i])) malformed('text outside the root element');
      }
    }
    if (lt < 0) break;
    pos = lt;
    if (startsAt(bytes, '<!--', pos)) {
      const end = find('-->', pos + 4, 'a comment');
      comments.push(utf8.decode(bytes.subarray(pos + 4, end)));
      pos = end + 3;
    } else if (startsAt(bytes, '<![CDATA[', pos)) {
      const end = find(']]>', pos + 9, 'a CDATA section');
      stack[stack.length - 1]?.text.push(pos + 9, end);
      pos = end + 3;
    } else if (startsAt(bytes, '<?', pos)) {
      pos = find('?>', pos + 2, 'a processing instruction') + 2;
    } else if (startsAt(bytes, '<!', pos)) {
      pos = find('>', pos + 2, 'a declaration') + 1;
    } else if (bytes[pos + 1] === 47 /* / */) {
      const end = find('>', pos + 2, 'an end tag');
      const name = utf8.decode(bytes.subarray(pos + 2, end)).trim();
      const top = stack.pop();
      if (!top || top.name !== name) malformed(`</${name}> does not close <${top?.name ?? ''}>`);
      pos = end + 1;
    } else {
      // Start tag: name, then attributes until > or />.
      let i = pos + 1;
      while (i < n && !isNameEnd(bytes[i])) i++;
      if (i === pos + 1) malformed(`a '<' not starting a tag at byte ${pos}`);
      const element: XmlElement = { name: utf8.decode(bytes.subarray(pos + 1, i)), attrs: new Map(), children: [], text: [] };
      let selfClosing = false;
      for (;;) {
        while (i < n && isWhitespace(bytes[i])) i++;
        if (i >= n) truncated(`the file ends inside <${element.name}>`);
        if (bytes[i] === 62) {
          i++;
          break;
        }
        if (bytes[i] === 47) {
          if (bytes[i + 1] !== 62) malformed(`stray '/' in <${element.name}>`);
          selfClosing = true;
          i += 2;
          break;
        }
        const nameStart = i;
        while (i < n && !isNameEnd(bytes[i])) i++;
        const attrName = utf8.decode(bytes.subarray(nameStart, i));
        while (i < n && isWhitespace(bytes[i])) i++;
        if (bytes[i] !== 61) malformed(`attribute ${attrName} of <${element.name}> has no value`);
        i++;
        while (i < n && isWhitespace(bytes[i])) i++;
        const quote = bytes[i];
        if (quote !== 34 && quote !== 39) malformed(`attribute ${attrName} of <${element.name}> is not quoted`);
        const close = buf.indexOf(quote, i + 1);
        if (close < 0) truncated(`the file ends inside attribute ${attrName}`);
        element.attrs.set(attrName, decodeEntities(utf8.decode(bytes.subarray(i + 1, close))));
        i = close + 1;
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) malformed(`a second root element <${element.name}>`);
      else root = element;
      pos = i;
      if (element.name === 'AppendedData' && !selfClosing) {
        // The binary section: whitespace, then '_', then data up to the end of the file.
        while (pos < n && isWhitespace(bytes[pos])) pos++;
        if (bytes[pos] !== 95) malformed('<AppendedData> does not start with the "_" marker');
        if (!root) return malformed('no root element');
        return { root, comments, appended: { element, dataStart: pos + 1 } };
      }
      if (!selfClosing) stack.push(element);
    }
  }
  if (!root) return malformed('no root element');
  if (stack.length > 0) truncated(`the file ends inside <${stack[stack.length - 1].name}>`);
  return { root, comments };
}

/** The first child element named `name`. */
export function childNamed(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

/** The bytes of an element's character data (a view when it is one range, else a copy of the pieces joined). */
export function textBytes(bytes: Uint8Array, element: XmlElement): Uint8Array {
  const t = element.text;
  if (t.length === 2) return bytes.subarray(t[0], t[1]);
  let length = 0;
  for (let k = 0; k < t.length; k += 2) length += t[k + 1] - t[k];
  const out = new Uint8Array(length);
  let at = 0;
  for (let k = 0; k < t.length; k += 2) {
    out.set(bytes.subarray(t[k], t[k + 1]), at);
    at += t[k + 1] - t[k];
  }
  return out;
}
