import { parseCli, USAGE } from './cli';
import { runBench } from './bench';
import { ensureFileLimit } from './fd-limit';
import { progress } from './log';
import { printSummary } from './report';

let cli;
try {
  cli = parseCli(process.argv.slice(2));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
if (cli.help) {
  console.log(USAGE);
  process.exit(0);
}
// Each watcher is a socket here and one in a server; leave room for HTTP pools and Postgres.
if (cli.scenarios.some((s) => s === 'fanout' || s === 'baseline' || s === 'mixed' || s === 'rush')) ensureFileLimit(cli.watchers + 4096);

const results = await runBench(cli, (r) => {
  process.stdout.write(`${JSON.stringify(r)}\n`);
});
if (!cli.json) printSummary(results);
const bad = results.filter((r) => !r.correct);
if (bad.length) progress(`NOT correct: ${bad.map((r) => r.scenario).join(', ')}`);
process.exit(bad.length ? 1 : 0);
