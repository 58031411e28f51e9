/**
 * The folder layout is the architecture: docs/architecture.md lists the folders of src/
 * from the lowest layer to the highest (the order is written there, once), and these
 * tests hold src/ to it. A module may import from its own folder or from a folder listed
 * before its own, never after; and no chain of imports leads back to where it started.
 * Every import counts: static, `export … from`, `import type` and dynamic `import()`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const srcDir = join(root, 'src');

/** The layers, lowest first, as docs/architecture.md lists them: the `src/` block's entries. */
function documentedLayers(): string[] {
  const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
  const block = /```\nsrc\/[^\n]*\n([\s\S]*?)```/.exec(doc);
  assert.ok(block, 'docs/architecture.md has a ``` block starting with "src/" that lists the layers');
  const layers: string[] = [];
  for (const line of block[1]!.split('\n')) {
    const entry = /^ {2}(\S+?)\/?(?:\s|$)/.exec(line);
    if (entry !== null) layers.push(entry[1]!.replace(/\.ts$/, ''));
  }
  return layers;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The layer a module of src/ belongs to: its top-level folder, or the file itself at the top level. */
function layerOf(file: string): string {
  const [first, second] = relative(srcDir, file).split('/');
  return second === undefined ? first!.replace(/\.ts$/, '') : first!;
}

interface Import {
  from: string;
  to: string;
  line: number;
}

/** Every relative import of every module in src/, resolved to the importing and imported .ts files (relative to src/). */
function imports(): Import[] {
  const out: Import[] = [];
  const pattern = /(?:^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*|^\s*import\s*|\bimport\(\s*)['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (const file of sourceFiles(srcDir)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(pattern)) {
      const target = normalize(join(dirname(file), match[1]!)).replace(/\.js$/, '.ts');
      out.push({ from: relative(srcDir, file), to: relative(srcDir, target), line: text.slice(0, match.index).split('\n').length });
    }
  }
  return out;
}

test('docs/architecture.md lists every folder and top-level module of src/, and nothing that is not there', () => {
  const listed = documentedLayers();
  const present = readdirSync(srcDir, { withFileTypes: true }).map((e) => (e.isDirectory() ? e.name : e.name.replace(/\.ts$/, '')));
  assert.deepEqual([...listed].sort(), [...present].sort());
  assert.equal(new Set(listed).size, listed.length, 'each layer is listed once');
});

test('every relative import of src/ names a module that exists', () => {
  const files = new Set(sourceFiles(srcDir).map((f) => relative(srcDir, f)));
  const missing = imports().filter((i) => !files.has(i.to)).map((i) => `src/${i.from}:${i.line} → ${i.to}`);
  assert.deepEqual(missing, []);
});

test('no module of src/ imports from a layer above its own', () => {
  const rank = new Map(documentedLayers().map((layer, i) => [layer, i]));
  const upward = imports()
    .filter((i) => layerOf(join(srcDir, i.to)) !== layerOf(join(srcDir, i.from)))
    .filter((i) => rank.get(layerOf(join(srcDir, i.to)))! > rank.get(layerOf(join(srcDir, i.from)))!)
    .map((i) => `src/${i.from}:${i.line} (${layerOf(join(srcDir, i.from))}) imports src/${i.to} (${layerOf(join(srcDir, i.to))}, a higher layer)`);
  assert.deepEqual(upward, []);
});

test('there are no import circles among the modules of src/', () => {
  const edges = new Map<string, string[]>();
  for (const i of imports()) edges.set(i.from, [...(edges.get(i.from) ?? []), i.to]);
  // Tarjan's strongly connected components: a component of more than one module (or a module importing itself) is a circle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (edges.get(v) ?? []).includes(v)) circles.push(component.sort());
    }
  };
  for (const file of sourceFiles(srcDir).map((f) => relative(srcDir, f))) if (!index.has(file)) visit(file);
  assert.deepEqual(circles, []);
});

test('scripts/ are TypeScript that import src/ like a command does (type-checked with the project), never dist/', () => {
  const scriptsDir = join(root, 'scripts');
  const files = readdirSync(scriptsDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  assert.deepEqual(files.filter((f) => !f.endsWith('.ts')).map((f) => relative(root, f)), [], 'every script is a .ts file');
  const viaDist = files.filter((f) => /['"][./]*dist\//.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f));
  assert.deepEqual(viaDist, []);
});
