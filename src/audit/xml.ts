/** The little XML writer the audit messages need: escaped attributes and text, nothing else. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Escapes a value for an attribute or text node. Characters XML 1.0 cannot carry at all (C0 controls but tab, CR, LF;
 * lone surrogates) are replaced by U+FFFD, since a peer's AE title or an error message may hold anything.
 */
export function escapeXml(value: string): string {
  return value
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export type Attributes = Record<string, string | number | boolean | undefined>;

/** `<name a="…">children</name>`, or self-closing without children; undefined attributes are left out. */
export function element(name: string, attributes: Attributes, children: string[] = []): string {
  const attrs = Object.entries(attributes)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  return children.length === 0 ? `<${name}${attrs}/>` : `<${name}${attrs}>${children.join('')}</${name}>`;
}

export function textElement(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`;
}
