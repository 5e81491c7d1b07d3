import { parseXml, type XmlNode } from '../../../src/lab/xml/parse-xml.ts';

/**
 * The "shape" of a SOAP answer: every element path under Body, by local name (prefixes and
 * namespace spelling ignored, so the docs' https:// rewrite does not matter), plus the
 * ResponseClass/ResponseCode pairs. Two answers have the same shape when the published one's
 * paths all occur in ours.
 */
export function shapeOf(xml: string): { paths: Set<string>; codes: string[] } {
  const root = parseXml(xml);
  const body = root.children.find((c) => c.name === 'Body') ?? root;
  const paths = new Set<string>();
  const codes: string[] = [];
  const walk = (node: XmlNode, prefix: string): void => {
    const p = `${prefix}/${node.name}`;
    paths.add(p);
    if (node.attrs['ResponseClass']) codes.push(`${node.attrs['ResponseClass']}:${node.children.find((c) => c.name === 'ResponseCode')?.text.trim() ?? ''}`);
    for (const c of node.children) walk(c, p);
  };
  for (const c of body.children) walk(c, '');
  return { paths, codes };
}

/** Paths of the published answer missing from ours. */
export function missingPaths(published: string, ours: string): string[] {
  const a = shapeOf(published);
  const b = shapeOf(ours);
  return [...a.paths].filter((p) => !b.paths.has(p));
}
