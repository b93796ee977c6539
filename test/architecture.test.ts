// The dependency rule of src/ (docs/architecture.md): layers may import only from their own or a
// lower layer, and no module may take part in an import cycle. Also checks that every typed job
// reference resolves to its own export (a renamed job is a compile error, not a runtime one).
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Layer ranks, lowest first; a file's layer is its top folder under src/ (root files are rank 0). */
export const LAYERS: Record<string, number> = {
  '': 0, io: 0, random: 0, stats: 0, wasm: 0,
  linalg: 1,
  activations: 2,
  theory: 3,
  ode: 4,
  network: 5,
  runs: 6,
  studies: 7,
  cli: 8,
};

function walk(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Relative import specifiers of a module's text (static, re-exports and dynamic imports). */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) out.push(m[1] ?? m[2]);
  return out;
}

export function layerOf(file: string): string {
  const rel = relative(SRC, file);
  return rel.includes('/') ? rel.split('/')[0] : '';
}

export interface Violation {
  from: string;
  to: string;
  why: string;
}

/** Upward imports and cycles in a module graph {file → imported files}. */
export function checkGraph(graph: Map<string, string[]>): Violation[] {
  const bad: Violation[] = [];
  for (const [from, tos] of graph) {
    for (const to of tos) {
      const a = LAYERS[layerOf(from)];
      const b = LAYERS[layerOf(to)];
      if (a === undefined || b === undefined) bad.push({ from, to, why: 'file outside the known layers' });
      else if (b > a) bad.push({ from, to, why: `upward import: ${layerOf(from) || 'src'} (${a}) → ${layerOf(to)} (${b})` });
    }
  }
  // cycles: depth-first search with colours
  const colour = new Map<string, number>();
  const stack: string[] = [];
  const visit = (f: string) => {
    colour.set(f, 1);
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (colour.get(t) === 1) bad.push({ from: f, to: t, why: `cycle: ${stack.slice(stack.indexOf(t)).map((x) => relative(SRC, x)).join(' → ')} → ${relative(SRC, t)}` });
      else if (!colour.get(t)) visit(t);
    }
    stack.pop();
    colour.set(f, 2);
  };
  for (const f of graph.keys()) if (!colour.get(f)) visit(f);
  return bad;
}

function srcGraph(): Map<string, string[]> {
  const files = walk(SRC);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const targets = importsOf(readFileSync(f, 'utf8')).map((spec) => resolve(dirname(f), spec.replace(/\.js$/, '.ts')));
    graph.set(f, targets.filter((t) => t.startsWith(SRC)));
  }
  return graph;
}

describe('architecture', () => {
  it('src/ has no upward import and no import cycle', () => {
    const bad = checkGraph(srcGraph()).map((v) => `${relative(SRC, v.from)} → ${relative(SRC, v.to)}: ${v.why}`);
    expect(bad).toEqual([]);
  });

  it('the check fails on an upward import and on a cycle', () => {
    const f = (p: string) => join(SRC, p);
    const upward = new Map([[f('theory/a.ts'), [f('runs/b.ts')]], [f('runs/b.ts'), []]]);
    expect(checkGraph(upward).map((v) => v.why)).toEqual(['upward import: theory (3) → runs (6)']);
    const cycle = new Map([[f('theory/a.ts'), [f('theory/b.ts')]], [f('theory/b.ts'), [f('theory/a.ts')]]]);
    expect(checkGraph(cycle).some((v) => v.why.startsWith('cycle'))).toBe(true);
    expect(importsOf("import { x } from '../runs/b.js';\nexport { y } from './c.js';\nconst m = await import('../cli/d.js');")).toEqual(['../runs/b.js', './c.js', '../cli/d.js']);
  });

  it('every layer folder is known and every file is in one', () => {
    const folders = readdirSync(SRC).filter((f) => statSync(join(SRC, f)).isDirectory());
    expect(folders.filter((f) => LAYERS[f] === undefined)).toEqual([]);
  });

  it('every typed job reference resolves to its own export', async () => {
    const modules = walk(SRC).filter((f) => /= jobRef\(import\.meta\.url/.test(readFileSync(f, 'utf8')));
    expect(modules.length).toBeGreaterThan(3);
    for (const m of modules) {
      const mod = (await import(m)) as Record<string, unknown>;
      const refs = Object.values(mod).filter((v): v is { module: string; name: string; fn: unknown } => typeof v === 'object' && v !== null && 'fn' in v && 'module' in v);
      expect(refs.length).toBeGreaterThan(0);
      for (const r of refs) {
        expect(mod[r.name]).toBe(r.fn);
        expect(fileURLToPath(r.module)).toBe(m);
      }
    }
  });
});
