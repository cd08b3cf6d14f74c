/**
 * A small, strict XML reader for the XML-based mesh formats (GIfTI, and any other codec that fits): it builds a
 * tree of elements with their attributes, text and children. It implements the part of XML 1.0
 * (https://www.w3.org/TR/xml/) that these files use — the XML declaration and processing instructions, comments,
 * a DOCTYPE (skipped, internal subset included), CDATA sections, the five predefined entities and numeric
 * character references — and no namespaces, validation or external entities (so it cannot be made to read other
 * files or to expand entity bombs).
 *
 * It is iterative (no recursion, so deep nesting cannot overflow the stack) and linear in the input length.
 * Anything it cannot parse becomes an InputError naming the file: 'truncated' when the text ends inside a
 * construct or with elements still open, 'malformed' otherwise.
 */
import { InputError, type InputProblem } from '../errors.ts';

/** One XML element. */
export interface XmlElement {
  name: string;
  /** Attribute values, entity-decoded; absent attributes read as undefined. */
  attributes: Readonly<Record<string, string | undefined>>;
  /**
   * The element's own character data (text and CDATA sections directly inside it, not inside its children),
   * entity-decoded and concatenated in document order, whitespace untouched.
   */
  text: string;
  children: XmlElement[];
  /** Offset of the element's '<' in the source text, for error messages. */
  offset: number;
}

/** The direct children of `element` called `name`. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

/** The first direct child of `element` called `name`, if any. */
export function firstChild(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

interface OpenElement {
  element: XmlElement;
  textParts: string[];
}

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** True for XML white space (space, tab, CR, LF). */
function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** True for characters that end a name inside a tag. */
function endsName(code: number): boolean {
  return isSpace(code) || code === 0x2f /* / */ || code === 0x3e /* > */ || code === 0x3d /* = */;
}

/**
 * Parses a whole XML document and returns its root element.
 * @param source the document text (decoded; a leading byte-order mark is ignored)
 * @param file the file the text came from, named in errors
 */
export function parseXml(source: string, file: string): XmlElement {
  const n = source.length;
  function fail(problem: InputProblem, offset: number, detail: string): never {
    let line = 1;
    for (let k = source.indexOf('\n'); k >= 0 && k < offset; k = source.indexOf('\n', k + 1)) line++;
    throw new InputError(file, problem, `XML ${detail} (line ${line})`);
  }
  function find(needle: string, from: number, what: string, start: number): number {
    const at = source.indexOf(needle, from);
    if (at < 0) fail('truncated', start, `ends inside ${what}`);
    return at;
  }

  const stack: OpenElement[] = [];
  let root: XmlElement | undefined;
  let i = source.charCodeAt(0) === 0xfeff ? 1 : 0;

  while (i < n) {
    const lt = source.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const chunk = source.slice(i, textEnd);
      if (stack.length > 0) stack[stack.length - 1].textParts.push(decodeEntities(chunk));
      else if (chunk.trim() !== '') fail('malformed', i, 'has text outside the root element');
    }
    if (lt < 0) break;
    i = lt;

    if (source.startsWith('<!--', i)) {
      i = find('-->', i + 4, 'a comment', i) + 3;
    } else if (source.startsWith('<![CDATA[', i)) {
      const end = find(']]>', i + 9, 'a CDATA section', i);
      if (stack.length === 0) fail('malformed', i, 'has a CDATA section outside the root element');
      stack[stack.length - 1].textParts.push(source.slice(i + 9, end));
      i = end + 3;
    } else if (source.startsWith('<?', i)) {
      i = find('?>', i + 2, 'a processing instruction', i) + 2;
    } else if (source.startsWith('<!', i)) {
      // <!DOCTYPE …> possibly with an internal subset in brackets: skip it whole.
      let depth = 0;
      let j = i + 2;
      for (; j < n; j++) {
        const c = source.charCodeAt(j);
        if (c === 0x5b /* [ */) depth++;
        else if (c === 0x5d /* ] */) depth--;
        else if (c === 0x3e /* > */ && depth <= 0) break;
      }
      if (j >= n) fail('truncated', i, 'ends inside a declaration');
      i = j + 1;
    } else if (source.charCodeAt(i + 1) === 0x2f /* / */) {
      const end = find('>', i + 2, 'an end tag', i);
      const name = source.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open) fail('malformed', i, `has </${name}> with no open element`);
      if (open.element.name !== name) fail('malformed', i, `has </${name}> where </${open.element.name}> was expected`);
      close(open);
      i = end + 1;
    } else {
      i = readStartTag(i);
    }
  }
  if (stack.length > 0) fail('truncated', n, `ends with <${stack[stack.length - 1].element.name}> still open`);
  if (!root) return fail(source.trim() === '' ? 'empty' : 'malformed', 0, 'has no root element');
  return root;

  function close(open: OpenElement): void {
    open.element.text = open.textParts.length === 1 ? open.textParts[0] : open.textParts.join('');
    if (stack.length > 0) stack[stack.length - 1].element.children.push(open.element);
    else if (root) fail('malformed', open.element.offset, 'has more than one root element');
    else root = open.element;
  }

  /** Reads `<name attr="v" …>` or `<name …/>` starting at `start`; returns the offset after it. */
  function readStartTag(start: number): number {
    let j = start + 1;
    while (j < n && !endsName(source.charCodeAt(j))) j++;
    const name = source.slice(start + 1, j);
    if (name === '') fail('malformed', start, "has a '<' that starts no tag");
    const attributes: Record<string, string | undefined> = Object.create(null) as Record<string, string | undefined>;
    const element: XmlElement = { name, attributes, text: '', children: [], offset: start };
    for (;;) {
      while (j < n && isSpace(source.charCodeAt(j))) j++;
      if (j >= n) fail('truncated', start, `ends inside the <${name}> tag`);
      const c = source.charCodeAt(j);
      if (c === 0x3e /* > */) {
        stack.push({ element, textParts: [] });
        return j + 1;
      }
      if (c === 0x2f /* / */) {
        if (j + 1 >= n) fail('truncated', start, `ends inside the <${name}> tag`);
        if (source.charCodeAt(j + 1) !== 0x3e) fail('malformed', j, `has a stray '/' in the <${name}> tag`);
        close({ element, textParts: [] });
        return j + 2;
      }
      const attrStart = j;
      while (j < n && !endsName(source.charCodeAt(j))) j++;
      const attr = source.slice(attrStart, j);
      if (attr === '') fail('malformed', j, `has a bad attribute in the <${name}> tag`);
      while (j < n && isSpace(source.charCodeAt(j))) j++;
      if (j >= n) fail('truncated', start, `ends inside the <${name}> tag`);
      if (source.charCodeAt(j) !== 0x3d /* = */) fail('malformed', j, `has attribute ${attr} without a value in <${name}>`);
      j++;
      while (j < n && isSpace(source.charCodeAt(j))) j++;
      if (j >= n) fail('truncated', start, `ends inside the <${name}> tag`);
      const quote = source[j];
      if (quote !== '"' && quote !== "'") fail('malformed', j, `has an unquoted value for ${attr} in <${name}>`);
      const closingQuote = find(quote, j + 1, `the <${name}> tag`, start);
      if (attr in attributes) fail('malformed', attrStart, `repeats attribute ${attr} in <${name}>`);
      attributes[attr] = decodeEntities(source.slice(j + 1, closingQuote));
      j = closingQuote + 1;
    }
  }
}

/**
 * Replaces the predefined entities and numeric character references. Unknown entities (which only a DTD could
 * define) are left as written rather than expanded.
 */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED_ENTITIES[ref] ?? whole;
  });
}

const XML_ESCAPES: Readonly<Record<string, string>> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for an attribute value or element content. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => XML_ESCAPES[c]);
}
