// `npm run bench:pii -- [--runs N]`: time of the PII detector's find() (every entity, a 20-name
// list) on a realistic ~4k-token prompt: prose, code, logs, JSON, numbers, dates, versions, ids
// and a few real PII values. Prints p50/p99 over the runs and each entity's share on its own.
import { parseArgs } from 'node:util';
import { encode } from 'gpt-tokenizer';
import { createPiiDetector, PII_ENTITIES, type PiiDetector } from '../src/guardrails/pii/detect.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '1000' } } });
const runs = Number(values.runs);

const NAMES = [
  'Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Margaret Hamilton', 'Linus Torvalds', 'Katherine Johnson', 'José Martínez',
  "Zoë O'Brien", 'Mei Chen', 'Priya Raman', 'Dmitri Volkov', 'Tim Berners-Lee', 'Barbara Liskov', 'Edsger Dijkstra',
  'Donald Knuth', 'Frances Allen', 'Ken Thompson', 'Dennis Ritchie', 'Radia Perlman', 'Leslie Lamport',
];

/** Pieces of the kinds of text prompts carry; the prompt cycles through them to ~16,000 characters. */
const PIECES = [
  `We're migrating the billing service from the legacy monolith to the new event-driven pipeline. The plan has three phases: first, dual-write every invoice (about 1,250,000 a month, 2.3% of which are credit notes) to both stores; second, backfill the history from 2019-01-01 to 2024-06-30 in batches of 50,000 rows; third, switch reads over behind the flag billing.read_from_events, which defaults to false. The runbook lives in docs/billing/MIGRATION.md, revision 4.2.1.`,
  `Here is the failing function:\n\n\`\`\`ts\nexport async function settle(invoice: Invoice, ledger: Ledger): Promise<Receipt> {\n  const total = invoice.lines.reduce((sum, line) => sum + line.amount * line.quantity, 0);\n  if (total <= 0) throw new Error(\`invoice \${invoice.id} has no positive total\`);\n  const entry = await ledger.post({ account: invoice.accountId, amount: total, currency: 'EUR', at: new Date() });\n  return { id: entry.id, invoiceId: invoice.id, total, postedAt: entry.postedAt.toISOString() };\n}\n\`\`\`\n`,
  `The error log from last night (UTC):\n2024-06-12T23:41:07.219Z ERROR settle failed invoice=INV-2024-0611-00042 request=7c9e6679-7425-40de-944b-e07fc1f90ae7 attempt=3/5 latency_ms=1843\n2024-06-12T23:41:09.004Z WARN  retrying in 2000 ms (node v20.11.1, commit 9fceb02d0ae598e95dc970b74767f19372d61af8)\n2024-06-12T23:41:11.532Z ERROR connect ECONNREFUSED 10.0.3.17:5432 pool=billing-primary size=20 waiting=14\n`,
  `Ticket details: {"ticket": 48213, "priority": "P2", "customer": {"tier": "enterprise", "seats": 340, "contract_end": "2025-03-31"}, "tags": ["billing", "migration", "postgres-15.4"], "sla_hours": 8, "reported_by": "support@example.com"}. The customer asked us to call back on +44 20 7946 0958 before 17:30 their time.`,
  `Performance notes: p50 went from 12.4 ms to 18.9 ms after the 3.8.0 release, and p99 from 88 ms to 241 ms. Heap grew by 310 MB per hour on pods billing-7d9f8b6c5-xk2lp and billing-7d9f8b6c5-q9rtz. The flame graph shows 41% of CPU in JSON.parse on payloads averaging 18,432 bytes, and 12% in the Decimal constructor; GC pauses peak at 130 ms every 45 s.`,
  `Questions for the review: should the outbox table be partitioned by month (e.g. outbox_2024_06) or by hash of account_id into 16 buckets? What happens to the 0.04% of events that arrive out of order by more than 300 seconds? Can we keep the idempotency keys (UUIDv7 like 01890a5d-ac96-774b-bcce-b302099a8057) for 14 days instead of 30 without breaking the reconciliation job that runs at 02:00?`,
  `Config excerpt:\n\nbilling:\n  database:\n    host: db-billing.internal\n    port: 5432\n    pool: { min: 4, max: 20, idle_timeout_ms: 30000 }\n  kafka:\n    brokers: [kafka-1:9092, kafka-2:9092, kafka-3:9092]\n    topic: billing.invoices.v2\n    partitions: 24\n  features:\n    read_from_events: false\n    shadow_compare_percent: 5\n`,
  `Some history for context: the monolith was written in 2013 on Rails 3.2, moved to Ruby 2.7 in 2020, and the billing module alone is 48,000 lines with 1,900 tests that take 23 minutes. Grace Hopper's old line fits: it is easier to ask forgiveness than permission, but we would rather ask now. The finance team (contact Mei Chen) needs the month-end close on 2024-06-30 to be unaffected, and the auditors want a diff report of every invoice whose total changes by more than 0.01 EUR.`,
  `SQL used for the backfill:\n\nINSERT INTO invoice_events (invoice_id, account_id, kind, amount_cents, occurred_at)\nSELECT i.id, i.account_id, 'created', i.total_cents, i.created_at\nFROM invoices i\nWHERE i.created_at >= $1 AND i.created_at < $2\nORDER BY i.id\nLIMIT 50000;\n-- batch 118 of 2,460, started 2024-06-10 04:12:55, rows/s 8,850\n`,
  `Versions in play: node 20.11.1, TypeScript 5.4.5, pg 8.11.3, kafkajs 2.2.4, Postgres 15.4, Kafka 3.6.1, and the internal SDK at 1.12.0-rc.3. The Docker image is registry.example.com/billing/api@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855, built from tag v2024.06.11 (ISBN of the reference book: 978-0-13-468599-1, page 214).`,
  `A reminder of what must never leave the building: card numbers like 4111 1111 1111 1111 in test fixtures are fine, but production dumps are not. The staging key that leaked last quarter (OPENAI_API_KEY=sk-OhbVrpoiVgRV5IfLBcbfnoGMbJmTPSIAoCLrZ3aWZkSBvrjn) has been revoked; rotate anything that was in the same .env file. The on-call phone is (415) 555-2671.`,
  `Next steps, in order: (1) land the dual-write behind the flag by Friday 2024-06-14; (2) run the backfill in the 01:00-05:00 window over four nights; (3) compare 100% of reads in shadow mode for a week; (4) flip the flag for 5%, 25%, 50% and 100% of accounts with 24 hours between steps; (5) delete the legacy tables after 90 days. Estimated cost: 3 engineers x 6 weeks, plus 1,200 USD of extra database capacity.`,
  `User: can you check why the export job fails? It ran fine on 2024-05-31.\nAssistant: The job log shows \`exit code 137\` at 03:14:07, which is the kernel's OOM killer: the container limit is 2 GiB and the export loads 1.8 million rows into memory before writing. Streaming the cursor in pages of 10,000 should keep it under 300 MB.\nUser: ok, and the retry policy?\nAssistant: It retries 5 times with exponential backoff starting at 250 ms (250, 500, 1000, 2000, 4000), capped at 30 s, with ±20% jitter.`,
  `\`\`\`python\ndef reconcile(events: list[dict], ledger: dict[str, int]) -> list[str]:\n    mismatches = []\n    for event in sorted(events, key=lambda e: (e["account_id"], e["occurred_at"])):\n        expected = ledger.get(event["invoice_id"], 0)\n        if abs(expected - event["amount_cents"]) > 1:\n            mismatches.append(f"{event['invoice_id']}: {expected} != {event['amount_cents']}")\n    return mismatches\n\`\`\`\nIt takes 41 s for 2.4M events on an m6i.xlarge (4 vCPU, 16 GiB).`,
  `| region | pods | p50 ms | p99 ms | error % | cost/day |\n|---|---|---|---|---|---|\n| eu-west-1 | 12 | 14.2 | 96 | 0.12 | 412.50 |\n| us-east-1 | 18 | 11.8 | 88 | 0.09 | 655.10 |\n| ap-southeast-2 | 6 | 19.5 | 140 | 0.31 | 201.75 |\nTotals were taken over 7 days ending 2024-06-09 23:59:59 UTC; the dashboard id is 3f2b9c1e-8d47-4a6b-9e0f-5c1d2e3f4a5b.`,
  `POST /v2/invoices/INV-2024-0611-00042/settle HTTP/1.1\nHost: billing.internal:8443\nContent-Type: application/json\nX-Request-Id: 01890a5d-ac96-774b-bcce-b302099a8057\nIf-Match: W/"a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"\nContent-Length: 214\n\n{"amount": {"value": "1249.99", "currency": "EUR"}, "settled_at": "2024-06-12T23:41:07Z", "reference": "SEPA-2024-06-12-000318", "attempt": 3}\nHTTP/1.1 409 Conflict (retry after 2 s)`,
];

function buildPrompt(targetCharacters: number): string {
  let prompt = '';
  for (let i = 0; prompt.length < targetCharacters; i++) prompt += `${PIECES[i % PIECES.length]}\n\n`;
  return prompt;
}

function time(detector: PiiDetector, prompt: string, count: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    detector.find(prompt);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

const at = (times: number[], p: number): number => times[Math.min(times.length - 1, Math.floor(times.length * p))]!;
const ms = (value: number): string => `${value.toFixed(3)} ms`;

const prompt = buildPrompt(16_000);
const detector = createPiiDetector({ entities: PII_ENTITIES, names: NAMES });
const findings = detector.find(prompt);
time(detector, prompt, 300);
const times = time(detector, prompt, runs);

console.log(`prompt: ${prompt.length} characters, ${encode(prompt).length} tokens (o200k), ${findings.length} findings`);
console.log(`find(), every entity, ${NAMES.length} names, ${runs} runs: p50 ${ms(at(times, 0.5))}, p99 ${ms(at(times, 0.99))}, max ${ms(times[times.length - 1]!)}`);
console.log(`findings: ${[...new Set(findings.map((f) => f.entity))].map((e) => `${e} ${findings.filter((f) => f.entity === e).length}`).join(', ')}`);
console.log('\neach entity alone (p50):');
for (const entity of PII_ENTITIES) {
  const alone = createPiiDetector({ entities: [entity], names: NAMES });
  time(alone, prompt, 100);
  console.log(`  ${entity.padEnd(12)} ${ms(at(time(alone, prompt, Math.min(runs, 500)), 0.5))}`);
}
