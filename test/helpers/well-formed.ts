// Minimal well-formedness checks for the SVG and HTML the report writes: every tag closes in
// order and attributes are quoted. Not a parser; enough to catch broken escaping and nesting.

const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link', 'wbr', 'col']);

/**
 * Minimal XML well-formedness check: every tag closes in order, attributes are quoted.
 *
 * @example
 * assertWellFormed(await renderVegaLiteSvg(spec));
 */
export function assertWellFormed(xml: string): void {
  checkTags(xml.replace(/^<\?xml[^>]*\?>\s*/, ''), false, 60);
}

/**
 * Well-formedness check for XML (SVG) and for our HTML: tags nest and close in order, attributes
 * are quoted, HTML void elements need no end tag, <style> content is skipped.
 *
 * @example
 * assertWellFormedDocument(renderReportHtml(report), true);
 */
export function assertWellFormedDocument(doc: string, html = false): void {
  const body = doc
    .replace(/^<\?xml[^>]*\?>\s*/, '')
    .replace(/^<!DOCTYPE html>\s*/i, '')
    .replace(/<style>[\s\S]*?<\/style>/g, '<style></style>');
  checkTags(body, html, 80);
}

function checkTags(body: string, html: boolean, snippet: number): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>|<!--[\s\S]*?-->/g;
  let last = 0;
  let m: RegExpExecArray | null = tag.exec(body);
  while (m !== null) {
    const between = body.slice(last, m.index);
    if (between.includes('<') || between.includes('>'))
      throw new Error(`stray markup near ${m.index}: ${between.slice(0, snippet)}`);
    if (m[2] !== undefined) {
      if (m[1] === '/') {
        const open = stack.pop();
        if (open !== m[2]) throw new Error(`</${m[2]}> closes <${open}>`);
      } else if (m[4] !== '/' && !(html && VOID.has(m[2].toLowerCase()))) stack.push(m[2]);
    }
    last = tag.lastIndex;
    m = tag.exec(body);
  }
  if (body.slice(last).trim() !== '') throw new Error('trailing content');
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
}
