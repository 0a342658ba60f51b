/**
 * Print the HTML report to PDF with headless Chromium (Debian's, at /usr/bin/chromium, or the
 * path in TILTAK_CHROMIUM), A4 with backgrounds. The page is loaded with every network request
 * refused: the report is self-contained, and printing must not reach out.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { TiltakError } from '../stats/errors.ts';

/**
 * Arguments Chromium is launched with: headless, no sandbox (containers), nothing phoning home.
 *
 * @example
 * await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] });
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/**
 * The Chromium executable to print with: `TILTAK_CHROMIUM`, else /usr/bin/chromium.
 *
 * @example
 * chromiumPath(); // '/usr/bin/chromium'
 */
export function chromiumPath(): string {
  return process.env.TILTAK_CHROMIUM ?? '/usr/bin/chromium';
}

/**
 * Render an HTML document to an A4 PDF (backgrounds printed, CSS page size honoured).
 *
 * @example
 * writeFileSync('report.pdf', await renderReportPdf(await renderReportHtml(input)));
 */
export async function renderReportPdf(html: string): Promise<Buffer> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new TiltakError(
      'NO_CHROMIUM',
      `no Chromium at ${executablePath}: install Debian's chromium (apt-get install chromium) or set TILTAK_CHROMIUM`,
    );
  }
  const browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      preferCSSPageSize: true,
      margin: { top: '14mm', bottom: '14mm', left: '12mm', right: '12mm' },
    });
    return Buffer.from(pdf);
  } finally {
    await browser.close();
  }
}
