// `npm run bench -- <name>`: runs bench/<name>.ts. Each benchmark prints its figures and, last, a
// line of ratios against a raw baseline measured in the same run (never absolute times alone).
const BENCHMARKS = ['append', 'submit', 'rebuild'] as const;

const name = process.argv[2];
if (!name || !(BENCHMARKS as readonly string[]).includes(name)) {
  process.stderr.write(`usage: npm run bench -- <${BENCHMARKS.join('|')}> [options]\n`);
  process.exit(2);
}
const benchmark = (await import(`./${name}.ts`)) as { run: (args: string[]) => Promise<void> };
await benchmark.run(process.argv.slice(3));

export {};
