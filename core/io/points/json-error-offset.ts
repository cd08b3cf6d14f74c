/**
 * Where JSON text first goes wrong. `JSON.parse` says THAT a file is invalid, but Node 20's message often gives
 * no position ("Unexpected token '}', …"), and users need a line number to fix a hand-edited markups file.
 * This is a small RFC 8259 syntax scanner, iterative (an explicit stack, so deeply nested garbage cannot overflow
 * the call stack), run only after `JSON.parse` has failed.
 */

const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;
const ESCAPE = /\\(["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/** Offset (0-based UTF-16 index) of the first syntax error in `text`, or undefined when it is valid JSON. */
export function jsonErrorOffset(text: string): number | undefined {
  const n = text.length;
  let i = 0;
  const stack: string[] = [];
  const skipSpace = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  /** Scans a string starting at text[i] === '"'; returns false on an error (i then points at it). */
  const scanString = (): boolean => {
    if (text[i] !== '"') return false;
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        ESCAPE.lastIndex = i;
        if (!ESCAPE.test(text)) return false;
        i = ESCAPE.lastIndex;
      } else i++;
    }
    return false;
  };
  /** After '{' or ',' in an object: a key and its colon. */
  const scanKey = (): boolean => {
    skipSpace();
    if (!scanString()) return false;
    skipSpace();
    if (text[i] !== ':') return false;
    i++;
    return true;
  };

  let expectValue = true;
  for (;;) {
    skipSpace();
    if (expectValue) {
      const c = text[i];
      if (c === '{' || c === '[') {
        i++;
        skipSpace();
        if (text[i] === (c === '{' ? '}' : ']')) {
          i++;
          expectValue = false;
          continue;
        }
        stack.push(c);
        if (c === '{' && !scanKey()) return i;
        continue;
      }
      if (c === '"') {
        if (!scanString()) return i;
      } else {
        NUMBER.lastIndex = i;
        LITERAL.lastIndex = i;
        if (NUMBER.test(text)) i = NUMBER.lastIndex;
        else if (LITERAL.test(text)) i = LITERAL.lastIndex;
        else return i;
      }
      expectValue = false;
      continue;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) return i === n ? undefined : i;
    const c = text[i];
    if (c === ',') {
      i++;
      if (top === '{' && !scanKey()) return i;
      expectValue = true;
    } else if (c === (top === '{' ? '}' : ']')) {
      i++;
      stack.pop();
    } else return i;
  }
}

/** 1-based line and column of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lastBreak = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastBreak };
}
