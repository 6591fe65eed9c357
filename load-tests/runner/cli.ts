import { DEFAULT_OPTIONS, type BenchOptions } from './context';

export const SCENARIOS = ['race', 'flow', 'fanout', 'mixed', 'rush', 'baseline', 'search', 'match'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Cli extends BenchOptions {
  scenarios: ScenarioName[];
  json: boolean;
  url?: string;
  databaseUrl?: string;
  cpuProf?: string;
  help: boolean;
}

export const USAGE = `npm run bench -- [options]
  --scenario race|flow|fanout|mixed|rush|baseline|search|match|all   (default all; comma-separated list allowed)
                         search: seeds 5,000 workshops / 50,000 services, then searches (one at a time, then --concurrency up to 8)
                         match: seeds 1,000 workshops × 28 days of slots, then POST /api/match (one at a time, then --concurrency up to 8)
  --json                 only the JSON lines on stdout (progress always goes to stderr)
  --watchers N           Socket.IO watchers for fanout / mixed / rush / baseline emit (default ${DEFAULT_OPTIONS.watchers})
  --rate N               arrivals per second for flow (journeys), mixed and rush (holds) (default flow 20, mixed 1000, rush 500)
  --duration S           seconds of sustained load for flow, mixed, rush and baseline (default ${DEFAULT_OPTIONS.durationSec})
  --processes 1|2        Holdfast processes sharing Redis through the Socket.IO adapter (default 1)
  --workers N            node:cluster workers per process, as \`npm start\` runs them (WEB_CONCURRENCY; default 1)
  --url URL[,URL]        run against a running deployment instead of fresh own servers
  --database-url URL     with --url: Postgres of that deployment, to count double bookings
  --racers N             customers racing for one slot (default ${DEFAULT_OPTIONS.racers})
  --capacity N           slot capacity in the race (default ${DEFAULT_OPTIONS.capacity})
  --rounds N             race rounds (default ${DEFAULT_OPTIONS.rounds})
  --workshops N          workshops for flow and mixed (default ${DEFAULT_OPTIONS.workshops})
  --customers N          customer pool for flow / mixed (default: from the rate)
  --concurrency N        closed-loop clients for baseline ceilings (default ${DEFAULT_OPTIONS.concurrency})
  --fanout-holds N       holds (= events per watcher) in fanout (default 40; 20 above 2,000 watchers)
  --fanout-interval MS   ms between those holds (default 200; 1000 above 2,000 watchers)
  --cpu-prof DIR         run own servers under node --cpu-prof, profiles written to DIR`;

export function parseCli(argv: string[]): Cli {
  const cli: Cli = { ...DEFAULT_OPTIONS, scenarios: [...SCENARIOS], json: false, help: false };
  const num = (flag: string, v: string | undefined, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${flag} must be a number in [${min}, ${max}], got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--scenario': {
        const v = value() ?? '';
        cli.scenarios = v === 'all' ? [...SCENARIOS] : (v.split(',') as ScenarioName[]);
        for (const s of cli.scenarios) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}; one of ${SCENARIOS.join('|')}|all`);
        break;
      }
      case '--json': cli.json = true; break;
      case '--watchers': cli.watchers = num(flag, value(), 0, 20_000); break;
      case '--rate': cli.rate = num(flag, value(), 1, 20_000); break;
      case '--duration': cli.durationSec = num(flag, value(), 1, 600); break;
      case '--processes': cli.processes = num(flag, value(), 1, 2); break;
      case '--workers': cli.workers = num(flag, value(), 1, 16); break;
      case '--url': cli.url = value(); break;
      case '--database-url': cli.databaseUrl = value(); break;
      case '--racers': cli.racers = num(flag, value(), 2, 5000); break;
      case '--capacity': cli.capacity = num(flag, value(), 1, 50); break;
      case '--rounds': cli.rounds = num(flag, value(), 1, 100); break;
      case '--workshops': cli.workshops = num(flag, value(), 1, 500); break;
      case '--customers': cli.customers = num(flag, value(), 1, 20_000); break;
      case '--concurrency': cli.concurrency = num(flag, value(), 1, 1000); break;
      case '--cpu-prof': cli.cpuProf = value(); break;
      case '--fanout-holds': cli.fanoutHolds = num(flag, value(), 1, 1000); break;
      case '--fanout-interval': cli.fanoutIntervalMs = num(flag, value(), 1, 10_000); break;
      case '-h': case '--help': cli.help = true; break;
      default: throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  return cli;
}
