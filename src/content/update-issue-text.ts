import { isDeepStrictEqual } from 'node:util';

import {
  type Document,
  isMap,
  isNode,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  parseDocument,
  Scalar,
  stringify,
  visit,
  YAMLMap,
  YAMLSeq,
} from 'yaml';

import { AppError } from '../lib/index.ts';
import type { Issue } from './issue.ts';
import { childShape, orderedKeys, rank, type Shape } from './issue-key-order.ts';
import { matchIssueParts, trimTexts as trimmed } from './issue-match.ts';

type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };
type ToStringOptions = NonNullable<Parameters<Document['toString']>[0]>;

/** The layouts tried, in order, to find the one a file was written with. */
const LAYOUTS: ToStringOptions[] = [
  { lineWidth: 0 },
  { lineWidth: 100 },
  { lineWidth: 80 },
  { lineWidth: 0, indentSeq: false },
  { lineWidth: 100, indentSeq: false },
  { lineWidth: 80, indentSeq: false },
];

/**
 * The text of an issue file with `next` applied to it: the YAML document of `originalText` is
 * edited in place, so its comments, the order of its keys and the layout of the parts that did
 * not change stay as they were. Sections and items keep their comments when they are reordered,
 * and an item moved to another section takes its comments along (see `matchIssueParts`). New
 * keys go at their usual place (`en` after `introduction`, last in an item), whatever the order
 * of `next`; new multi-line texts are written as `|` blocks. A `next` equal to the file's data
 * (texts compared trimmed, as the schema reads them) returns `originalText` itself, byte for
 * byte. A file whose YAML is broken cannot be edited: the result is then `next` written afresh.
 * Pure.
 * @throws AppError `EISSUEWRITE` if the edited text would not read back as `next` (a bug guard).
 */
export function updateIssueText(originalText: string, next: Issue): string {
  // A file written on Windows keeps its line ends: edited as LF, written back as CRLF.
  if (originalText.includes('\r\n') && !/(?<!\r)\n/.test(originalText)) {
    const text = updateIssueText(originalText.replaceAll('\r\n', '\n'), next);
    return text.replaceAll('\r\n', '\n') === originalText.replaceAll('\r\n', '\n')
      ? originalText
      : text.replaceAll('\n', '\r\n');
  }
  const value = JSON.parse(JSON.stringify(next)) as Plain;
  const doc = parseDocument(originalText);
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    return stringify(value, { lineWidth: 100, indent: 2 });
  }
  const before: unknown = doc.toJS();
  if (isDeepStrictEqual(trimmed(before), trimmed(value))) return originalText;

  const layout =
    LAYOUTS.find(
      (options) => render(parseDocument(originalText), originalText, options) === originalText,
    ) ?? LAYOUTS[0];
  attachLeadingComments(doc);
  const match = matchIssueParts(before, value);
  const issue = value as Record<string, Plain>;
  const sections = issue['sections'];
  applyMap(doc, doc.contents, issue, 'issue', (key, node) =>
    key === 'sections' && Array.isArray(sections)
      ? applySections(doc, node, sections, match)
      : undefined,
  );
  const text = render(doc, originalText, layout);
  if (!isDeepStrictEqual(trimmed(parseDocument(text).toJS()), trimmed(value))) {
    // Never write a file that would not read back as what the editor saved.
    throw new AppError(
      'EISSUEWRITE',
      'The edited issue file does not read back as the saved issue',
    );
  }
  return text;
}

/** The document as text; a comment ending the file stays right under the last line, as written. */
function render(doc: Document, originalText: string, options: ToStringOptions | undefined): string {
  if (
    doc.comment &&
    isNode(doc.contents) &&
    !doc.contents.comment &&
    !/\n\n(?:[ \t]*#[^\n]*\n?)+$/.test(originalText)
  ) {
    doc.contents.comment = doc.comment;
    doc.comment = null;
  }
  return doc.toString(options);
}

/**
 * A comment above the first entry of a list is kept by the parser on the list itself; it moves to
 * the entry, so that it follows the entry when the list is reordered. The text is the same.
 */
function attachLeadingComments(doc: Document): void {
  visit(doc, {
    Seq(_, seq) {
      const first = seq.items[0];
      if (seq.commentBefore && isNode(first) && !first.commentBefore) {
        first.commentBefore = seq.commentBefore;
        seq.commentBefore = null;
      }
    },
  });
}

type Hook = (key: string, node: unknown) => Node | undefined;

/**
 * Applies `value` onto `map`: missing keys removed, changed values applied, new keys inserted at
 * their place in {@link KEY_ORDER} (unknown ones after the key before them in `value`).
 */
function applyMap(
  doc: Document,
  map: YAMLMap,
  value: Record<string, Plain>,
  shape: Shape,
  hook?: Hook,
): void {
  map.items = map.items.filter((pair) => keyOf(pair) === undefined || keyOf(pair)! in value);
  const keys = Object.keys(value);
  keys.forEach((key, index) => {
    const pair = map.items.find((candidate) => keyOf(candidate) === key);
    const inner = childShape(shape, key);
    if (pair) {
      pair.value = hook?.(key, pair.value) ?? applyNode(doc, pair.value, value[key]!, inner);
      return;
    }
    const node = hook?.(key, undefined) ?? newNode(doc, value[key]!, inner);
    const created = doc.createPair(key, node) as Pair<unknown, unknown>;
    let at: number;
    if (rank(shape, key) !== Number.POSITIVE_INFINITY) {
      const before = map.items.findLastIndex((p) => rank(shape, keyOf(p) ?? '') < rank(shape, key));
      at = before + 1;
    } else {
      const previous = keys
        .slice(0, index)
        .reverse()
        .map((k) => map.items.findIndex((p) => keyOf(p) === k))
        .find((i) => i !== -1);
      at = previous === undefined ? map.items.length : previous + 1;
    }
    map.items.splice(at, 0, created);
  });
}

function keyOf(pair: Pair<unknown, unknown>): string | undefined {
  if (isScalar(pair.key)) return String(pair.key.value);
  return typeof pair.key === 'string' ? pair.key : undefined;
}

/** `value` on the node that held the old value: kept when equal, edited in place when possible. */
function applyNode(doc: Document, node: unknown, value: Plain, shape: Shape): Node {
  if (Array.isArray(value)) {
    if (!isSeq(node)) return newNode(doc, value, shape);
    const old = node.items;
    node.items = value.map((entry, index) =>
      index < old.length ? applyNode(doc, old[index], entry, shape) : newNode(doc, entry, shape),
    );
    return node;
  }
  if (value !== null && typeof value === 'object') {
    if (!isMap(node)) return newNode(doc, value, shape);
    applyMap(doc, node, value, shape);
    return node;
  }
  if (isScalar(node)) {
    if (node.value === value) return node;
    // The schema trims every text: a block's final newline is no change.
    if (
      typeof node.value === 'string' &&
      typeof value === 'string' &&
      node.value.trim() === value.trim()
    )
      return node;
    // Edited in place: its comments, blank line before and quoting style stay.
    node.value = value;
    if (typeof value === 'string' && value.includes('\n') && !isBlock(node.type)) {
      node.type = Scalar.BLOCK_LITERAL;
    }
    endBlock(node);
    return node;
  }
  return newNode(doc, value, shape);
}

/** A block text ends with its newline (`|`, not `|-`), as hand-written Markdown does. */
function endBlock(scalar: Scalar): void {
  if (isBlock(scalar.type) && typeof scalar.value === 'string' && !scalar.value.endsWith('\n')) {
    scalar.value = `${scalar.value}\n`;
  }
}

function isBlock(type: Scalar.Type | undefined): boolean {
  return type === Scalar.BLOCK_LITERAL || type === Scalar.BLOCK_FOLDED;
}

/** A node for a new value; multi-line texts (Markdown) as `|` blocks, like hand-written files. */
function newNode(doc: Document, value: Plain, shape: Shape): Node {
  const node = doc.createNode(orderedKeys(value, shape) as Plain) as Node;
  visit(node, {
    Scalar(_, scalar) {
      if (typeof scalar.value === 'string' && scalar.value.includes('\n')) {
        scalar.type = Scalar.BLOCK_LITERAL;
        endBlock(scalar);
      }
    },
  });
  return node;
}

/**
 * The sections list: each section of `next` takes the node of its match (its comments), and each
 * item the node of its match wherever it was, so moved items keep their comments.
 */
function applySections(
  doc: Document,
  node: unknown,
  next: Plain[],
  match: ReturnType<typeof matchIssueParts>,
): Node {
  if (!isSeq(node)) return newNode(doc, next, 'section');
  const oldSections = node.items;
  const oldItems = oldSections.map((section) => {
    const items = isMap(section) ? section.get('items', true) : undefined;
    return isSeq(items) ? items.items : [];
  });
  node.items = next.map((section, k) => {
    if (section === null || typeof section !== 'object' || Array.isArray(section)) {
      return newNode(doc, section, 'section');
    }
    const s = match.sections[k];
    const old = s === undefined ? undefined : oldSections[s];
    // A new section is a new mapping, but the items it takes from others keep their nodes.
    const sectionNode = isMap(old) ? old : new YAMLMap(doc.schema);
    const items = section['items'];
    const itemsNode = sectionNode.get('items', true);
    applyMap(doc, sectionNode, section, 'section', (key) => {
      if (key !== 'items' || !Array.isArray(items)) return undefined;
      const seq = isSeq(itemsNode) ? itemsNode : new YAMLSeq(doc.schema);
      seq.items = items.map((item, i) => {
        const place = match.items[k]?.[i];
        const oldItem = place === undefined ? undefined : oldItems[place.section]?.[place.item];
        return oldItem === undefined
          ? newNode(doc, item, 'item')
          : applyNode(doc, oldItem, item, 'item');
      });
      return seq;
    });
    return sectionNode;
  });
  return node;
}
