/**
 * One gate decision in process, against node-casbin holding the same rules (the staff role may
 * use the purpose; consent on file; address not suppressed; age ≥ 13, as an ABAC matcher) and a
 * hand-written closure as the floor. Goals: ≥ 100× casbin, p50 ≤ 2 µs, and a 2,000-rule pack no
 * more than 2× the time of a 20-rule one.
 *
 * p50 is measured honestly for sub-microsecond work: the time of a batch of decisions (hrtime)
 * divided by its size, over many batches, median batch. Every evaluator answers the same inputs,
 * and the run stops if their answers differ.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { newEnforcer, newModelFromString, StringAdapter, type Enforcer } from "casbin";
import { compilePolicy, decide, type CompiledPolicy, type Facts, type Use } from "../src/gate/index.ts";
import { packSchema, type PolicyPack } from "../src/policy/schema.ts";
import { median, printResults, type BenchResult } from "./lib.ts";

interface PackSize {
  purposes: number;
  topics: number;
  recipients: number;
  purposesPerRecipient: number;
  roles: number;
  purposesPerRole: number;
}
/** Rules = purposes + topics + (recipient, purpose) pairs + (staff role, purpose) pairs. */
const ruleCount = (s: PackSize): number =>
  s.purposes + s.topics + s.recipients * s.purposesPerRecipient + s.roles * s.purposesPerRole;
const SMALL: PackSize = {
  purposes: 5,
  topics: 3,
  recipients: 1,
  purposesPerRecipient: 2,
  roles: 2,
  purposesPerRole: 5,
};
const LARGE: PackSize = {
  purposes: 100,
  topics: 100,
  recipients: 20,
  purposesPerRecipient: 40,
  roles: 20,
  purposesPerRole: 50,
};

const purposeId = (i: number): string => `marketing.p${String(i).padStart(3, "0")}`;
const roleId = (i: number): string => `role-${i}`;

/** A pack of the given size. The first purposes and roles are the same in every size. */
export function generatePack(size: PackSize): PolicyPack {
  const pick = (i: number, n: number): string[] =>
    Array.from({ length: n }, (_, k) => purposeId((i + k) % size.purposes));
  return packSchema.parse({
    company: "benchco",
    name: "Bench Co",
    version: `${ruleCount(size)}-rules`,
    effective_from: "2026-01-01",
    last_updated: "2026-01-01",
    jurisdictions: ["US"],
    minimum_age: { years: 13, clauses: ["BC-01"] },
    categories: [
      { id: "user.contact.email", name: "Email", fields: ["email"], sensitivity: "contact" },
      { id: "user.name", name: "Name", fields: ["first_name", "last_name"], sensitivity: "identifier" },
    ],
    purposes: Array.from({ length: size.purposes }, (_, i) => ({
      id: purposeId(i),
      name: `Purpose ${i}`,
      basis: "consent",
      categories: ["user.contact.email", "user.name"],
      channels: ["email", "sms"],
      message_classes: ["marketing"],
      clauses: ["BC-01"],
    })),
    topics: Array.from({ length: size.topics }, (_, i) => ({
      id: `topic-${i}`,
      name: `Topic ${i}`,
      purpose: purposeId(i % size.purposes),
      channels: ["email"],
      clauses: ["BC-01"],
    })),
    messages: {
      essential: ["service"],
      suppression: { channels: ["email"], clauses: ["BC-01"] },
      clauses: ["BC-01"],
    },
    recipients: Array.from({ length: size.recipients }, (_, i) => ({
      id: `recipient-${i}`,
      name: `Recipient ${i}`,
      kind: "processor",
      categories: ["user.name"],
      purposes: pick(i, size.purposesPerRecipient),
      requires: ["contract"],
      clauses: ["BC-01"],
    })),
    third_parties: { allowed: false, clauses: ["BC-01"] },
    sale: { allowed: "never", clauses: ["BC-01"] },
    staff: {
      attestation_required: true,
      roles: Array.from({ length: size.roles }, (_, i) => ({
        id: roleId(i),
        name: `Role ${i}`,
        purposes: pick(i, size.purposesPerRole),
      })),
      clauses: ["BC-01"],
    },
    disclosure_grounds: { grounds: ["court_order"], clauses: ["BC-01"] },
    clauses: [{ id: "BC-01", title: "Everything", text: "One clause for the benchmark." }],
  });
}

const CASBIN_MODEL = `
[request_definition]
r = sub, obj, act
[policy_definition]
p = sub, obj, act
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.sub.role == p.sub && r.obj.purpose == p.obj && r.act == p.act && r.sub.consent == true && r.sub.suppressed == false && r.sub.age >= 13
`;

async function casbinFor(pack: PolicyPack): Promise<Enforcer> {
  const lines = pack.staff.roles.flatMap((r) => r.purposes.map((p) => `p, ${r.id}, ${p}, send`));
  return newEnforcer(newModelFromString(CASBIN_MODEL), new StringAdapter(lines.join("\n")));
}

interface Input {
  facts: Facts;
  use: Use;
  casbin: [{ role: string; consent: boolean; suppressed: boolean; age: number }, { purpose: string }, string];
}

/** 1,024 requests over the purposes and roles every pack size shares; about one in eight is allowed. */
function inputs(): Input[] {
  let seed = 42;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  return Array.from({ length: 1024 }, () => {
    const role = roleId(next(2));
    const purpose = purposeId(next(SMALL.purposes));
    const consent = next(2) === 0;
    const suppressed = next(2) === 0;
    const age = next(2) === 0 ? 35 : 11;
    const use: Use = {
      action: "send",
      purpose,
      actor: { kind: "staff", id: "s-1", role },
      fields: ["email", "first_name"],
      channel: "email",
      at: "2026-06-01T12:00:00Z",
    };
    const facts: Facts = {
      subject: {
        status: "customer",
        age,
        jurisdiction: "US",
        consents: consent ? { [purpose]: "granted" } : {},
        optOuts: [],
        suppressed: suppressed ? ["email"] : [],
        permissions: [],
      },
      actorAttested: true,
      recipientContractOnFile: null,
      deploymentRegion: "us",
    };
    return { facts, use, casbin: [{ role, consent, suppressed, age }, { purpose }, "send"] };
  });
}

/** Median over `batches` of (time of `size` calls) / size, in µs; `fn(i)` returns 1 for allow. */
function p50(fn: (i: number) => number, size: number, batches: number): { us: number; allowed: number } {
  let allowed = 0;
  const times: number[] = [];
  for (let b = 0; b < batches; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < size; i++) allowed += fn((b * size + i) & 1023);
    times.push(Number(process.hrtime.bigint() - start) / 1000 / size);
  }
  return { us: median(times), allowed };
}

function floorFor(pack: PolicyPack): (input: Input) => boolean {
  const roles = new Map(pack.staff.roles.map((r) => [r.id, new Set(r.purposes)]));
  return ({ casbin: [sub, obj] }) =>
    roles.get(sub.role)?.has(obj.purpose) === true && sub.consent && !sub.suppressed && sub.age >= 13;
}

export async function run(): Promise<BenchResult[]> {
  const data = inputs();
  const measured = [];
  for (const size of [SMALL, LARGE]) {
    const pack = generatePack(size);
    const policy: CompiledPolicy = compilePolicy(pack);
    const enforcer = await casbinFor(pack);
    const floor = floorFor(pack);
    for (const input of data) {
      const answers = [
        decide(policy, input.facts, input.use).outcome === "allow",
        enforcer.enforceSync(...input.casbin),
        floor(input),
      ];
      if (answers.some((a) => a !== answers[0]))
        throw new Error(`evaluators disagree on ${JSON.stringify(input.casbin)}: ${answers.join(" ")}`);
    }
    const gate = (i: number): number =>
      decide(policy, data[i]!.facts, data[i]!.use).outcome === "allow" ? 1 : 0;
    const closure = (i: number): number => (floor(data[i]!) ? 1 : 0);
    const peer = (i: number): number => (enforcer.enforceSync(...data[i]!.casbin) ? 1 : 0);
    p50(gate, 1000, 200); // warm up
    p50(closure, 1000, 200);
    p50(peer, 20, 20);
    measured.push({
      rules: ruleCount(size),
      gate: p50(gate, 1000, 500).us,
      closure: p50(closure, 1000, 500).us,
      casbin: p50(peer, size === SMALL ? 50 : 5, size === SMALL ? 100 : 40).us,
    });
  }
  const [small, large] = measured as [(typeof measured)[0], (typeof measured)[0]];
  const perSecond = (us: number): number => 1e6 / us;
  return [
    {
      name: `gate decision p50, ${small.rules}-rule pack`,
      value: small.gate,
      unit: "µs",
      peer: "casbin (ABAC matcher)",
      peerValue: small.casbin,
      ratio: small.casbin / small.gate,
      goal: "≥ 100× casbin",
      pass: small.casbin / small.gate >= 100,
    },
    {
      name: `gate decisions/s, ${small.rules}-rule pack`,
      value: perSecond(small.gate),
      unit: "decisions/s",
      peer: "closure floor",
      peerValue: perSecond(small.closure),
      ratio: small.closure / small.gate,
      goal: "p50 ≤ 2 µs",
      pass: small.gate <= 2,
    },
    {
      name: `gate decision p50, ${large.rules}-rule pack`,
      value: large.gate,
      unit: "µs",
      peer: `gate, ${small.rules}-rule pack`,
      peerValue: small.gate,
      ratio: small.gate / large.gate,
      goal: "≤ 2× the 20-rule time",
      pass: large.gate <= 2 * small.gate,
    },
    {
      name: `gate decision p50 vs casbin, ${large.rules}-rule pack`,
      value: large.gate,
      unit: "µs",
      peer: "casbin (ABAC matcher)",
      peerValue: large.casbin,
      ratio: large.casbin / large.gate,
      goal: "≥ 100× casbin",
      pass: large.casbin / large.gate >= 100,
    },
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  printResults(await run());
}
