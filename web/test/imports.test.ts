// web/src has no import cycles (type-only imports included): pages get what
// they need from the app shell through app_context.ts, never from main.ts.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const kSrc = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

// Relative imports of `file`, as absolute .ts paths.
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'/gm)) {
    const spec = m[1] ?? m[2];
    if (spec.endsWith('.css')) continue;
    out.push(resolve(dirname(file), spec.endsWith('.ts') ? spec : `${spec}.ts`));
  }
  return out;
}

// One cycle per strongly connected trail found by depth-first search, as
// 'a.ts -> b.ts -> a.ts'.
function cycles(files: string[]): string[] {
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 'open') {
        found.push([...stack.slice(stack.indexOf(g)), g].map((p) => relative(kSrc, p)).join(' -> '));
      } else if (!state.has(g)) {
        visit(g);
      }
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return found;
}

describe('web/src imports', () => {
  const files = sources(kSrc);

  it('finds the modules and their imports', () => {
    const main = files.find((f) => f.endsWith('/main.ts'))!;
    expect(importsOf(main).map((p) => relative(kSrc, p))).toContain('pages/sessions.ts');
  });

  it('has no cycles', () => {
    expect(cycles(files)).toEqual([]);
  });

  it('pages do not import the entry point', () => {
    for (const f of files.filter((f) => f.includes('/pages/'))) {
      expect(importsOf(f).map((p) => relative(kSrc, p)), f).not.toContain('main.ts');
    }
  });
});
