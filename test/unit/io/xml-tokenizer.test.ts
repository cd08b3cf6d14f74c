import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../../core/io/errors.ts';
import { childrenNamed, escapeXml, firstChild, parseXml } from '../../../core/io/meshes/xml-tokenizer.ts';

test('parses elements, attributes, text, CDATA, entities; skips declaration, doctype and comments', () => {
  const root = parseXml(
    `\uFEFF<?xml version="1.0"?>
<!DOCTYPE GIFTI SYSTEM "x.dtd" [ <!ELEMENT a (b)> ]>
<!-- a comment with <tags> -->
<root version='1.0' title="a &lt;b&gt; &amp; &#65;&#x42; &unknown;">
  <item id="1">one</item>
  <item id="2"><![CDATA[<raw> & ]]>two &quot;q&quot;</item>
  <empty flag = "yes" />
</root>
`,
    'x.xml',
  );
  assert.equal(root.name, 'root');
  assert.equal(root.attributes.version, '1.0');
  assert.equal(root.attributes.title, 'a <b> & AB &unknown;');
  assert.equal(root.attributes.missing, undefined);
  const items = childrenNamed(root, 'item');
  assert.deepEqual(items.map((i) => [i.attributes.id, i.text]), [['1', 'one'], ['2', '<raw> & two "q"']]);
  const empty = firstChild(root, 'empty');
  assert.equal(empty?.attributes.flag, 'yes');
  assert.equal(empty?.children.length, 0);
  assert.equal(firstChild(root, 'nothing'), undefined);
  assert.equal(escapeXml(`<a & "b" 'c'>`), '&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;');
});

test('handles deep nesting without recursion', () => {
  const depth = 100000;
  const root = parseXml('<a>'.repeat(depth) + '</a>'.repeat(depth), 'deep.xml');
  let d = 1;
  for (let e = root; e.children.length > 0; e = e.children[0]) d++;
  assert.equal(d, depth);
});

test('rejects broken XML as truncated or malformed, with the line', () => {
  const cases: [string, string][] = [
    ['<a><b></b>', 'truncated'],
    ['<a x="1', 'truncated'],
    ['<a><!-- never closed', 'truncated'],
    ['<a><![CDATA[ never closed', 'truncated'],
    ['<a></b>', 'malformed'],
    ['<a></a><b></b>', 'malformed'],
    ['text <a></a>', 'malformed'],
    ['<a x=1></a>', 'malformed'],
    ['<a x="1" x="2"></a>', 'malformed'],
    ['<a>\n\n< b></a>', 'malformed'],
    ['   ', 'empty'],
  ];
  for (const [text, problem] of cases) {
    assert.throws(
      () => parseXml(text, 'bad.xml'),
      (e: unknown) => e instanceof InputError && e.problem === problem && e.file === 'bad.xml',
      `${JSON.stringify(text)} should be ${problem}`,
    );
  }
  assert.throws(() => parseXml('<a>\n\n< b></a>', 'bad.xml'), /line 3/);
});
