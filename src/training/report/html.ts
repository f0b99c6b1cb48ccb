/** Minimal, dependency-free HTML building for the reports (escaped text, tables, sections). */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function page(title: string, notice: string, sections: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body { font: 14px/1.4 Helvetica, Arial, sans-serif; margin: 2em; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; } th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; } .notice { background: #fff3cd; padding: 0.5em 1em; border: 1px solid #e0c36c; }
img { max-width: 100%; border: 1px solid #ccc; } figure { margin: 1em 0; } .figs { display: flex; flex-wrap: wrap; gap: 1em; }
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="notice">${escapeHtml(notice)}</p>
${sections.join('\n')}
</body></html>
`;
}
