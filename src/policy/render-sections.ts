import {
  basisInWords,
  categoryNames,
  channelInWords,
  kindInWords,
  list,
  placeClauses,
  requirementInWords,
  type Paragraph,
  type PolicyDocument,
} from "./render-model.ts";
import type { Channel, PolicyPack } from "./schema.ts";

/** Builds the public policy's sections, in the order a reader expects them, from the pack alone. */
export function policyDocument(pack: PolicyPack): PolicyDocument {
  const p = (text: string, clauses: readonly string[] = []): Paragraph => ({ text, clauses });
  const purposeName = new Map(pack.purposes.map((x) => [x.id, x.name]));
  const purposeNames = (ids: readonly string[]): string =>
    list(ids.map((id) => `"${purposeName.get(id) ?? id}"`));
  const channels = (chs: readonly Channel[]): string => list(chs.map(channelInWords));

  const collect: Paragraph[] = [];
  const groups = new Map<string, string[]>();
  for (const c of pack.categories) {
    const g = c.group ?? "";
    groups.set(g, [...(groups.get(g) ?? []), c.id]);
  }
  for (const [group, ids] of groups) {
    const lead = group === "" ? "We collect" : `${group}: we collect`;
    collect.push(p(`${lead} ${categoryNames(pack, ids)}.`));
  }

  const why = pack.purposes.map((x) => {
    const reach = x.channels?.length ? ` We may contact you for this by ${channels(x.channels)}.` : "";
    const aggregate = x.aggregate_only
      ? " Results are used only in aggregate, never about you individually."
      : "";
    const own = x.own_use_only
      ? " Only you see the result, when you are signed in; it is never shown to our staff nor given to anyone."
      : "";
    const permission = x.requires_permission ? ` We do this only with your permission on file.` : "";
    return p(
      `${x.name}: we use your ${categoryNames(pack, x.categories)} ${basisInWords(x.basis)}.` +
        `${reach}${aggregate}${own}${permission}`,
      x.clauses,
    );
  });
  if (pack.analytics) {
    const noise =
      pack.analytics.noise_epsilon === undefined ? "" : " Statistical noise is added to published figures.";
    why.push(
      p(
        `Statistics leave our systems only as totals; a figure describing fewer than ` +
          `${pack.analytics.min_cohort} people is withheld.${noise}`,
        pack.analytics.clauses,
      ),
    );
  }

  const m = pack.messages;
  const messages: Paragraph[] = pack.topics.map((t) =>
    p(
      `${t.name}: sent by ${channels(t.channels)} under "${purposeName.get(t.purpose) ?? t.purpose}"; you choose whether to receive it.`,
      t.clauses,
    ),
  );
  const essential = m.essential.map((c) => c.replace("_", " "));
  messages.push(
    p(
      essential.length === 0
        ? "Every message we send can be stopped."
        : `Some messages are essential and are sent even if you have opted out: ${list(essential)} messages.`,
      m.clauses,
    ),
  );
  if (m.suppression) {
    messages.push(
      p(
        `Once you unsubscribe, your address goes on our Do Not Send list and no marketing reaches it by ${channels(m.suppression.channels)} again, even if your account is later deleted.`,
        m.suppression.clauses,
      ),
    );
  }
  messages.push(
    p(
      m.former_customers === "contactable"
        ? "We may contact former customers again unless they are on the Do Not Send list."
        : "We do not send marketing to former customers.",
      m.clauses,
    ),
  );
  if (m.send_guard) {
    messages.push(
      p(
        `A bulk mailing stops itself when more than ${pct(m.send_guard.max_complaint_rate)} of recipients complain or more than ${pct(m.send_guard.max_bounce_rate)} of messages bounce.`,
        m.send_guard.clauses,
      ),
    );
  }

  if (pack.company_address) {
    messages.push(
      p(
        `Our marketing emails say why you receive them, carry a link to unsubscribe and give our postal address: ${pack.company_address.join(", ")}. Essential messages say why they cannot be unsubscribed from.`,
      ),
    );
  }

  const share: Paragraph[] = pack.recipients.map((r) => {
    const needs = r.requires.length ? ` only when ${list(r.requires.map(requirementInWords))}` : "";
    const single = r.single_subject ? " Each disclosure concerns only you, to serve you." : "";
    const stop = r.opt_out_scope
      ? ` You can stop this sharing at any time (${r.opt_out_scope.replace(/_/g, " ")}).`
      : "";
    const what = r.categories.length
      ? `your ${categoryNames(pack, r.categories)}`
      : "no personal information";
    return p(
      `${r.name}, ${kindInWords(r.kind)}, receives ${what} for ${purposeNames(r.purposes)}${needs}.${single}${stop}`,
      r.clauses,
    );
  });
  share.push(
    p(
      pack.third_parties.allowed
        ? "We share information outside the company only with the recipients listed here, on the conditions stated."
        : "We never share your information with any third party.",
      pack.third_parties.clauses,
    ),
  );
  share.push(
    p(
      `We disclose information to authorities or without notice only on these grounds: ${list(pack.disclosure_grounds.grounds.map(words))}.`,
      pack.disclosure_grounds.clauses,
    ),
  );

  const sale = [
    p(
      pack.sale.allowed === "never"
        ? "We never sell or rent your information."
        : "We never sell or rent your information without your permission.",
      pack.sale.clauses,
    ),
  ];

  const children = pack.minimum_age
    ? [
        p(
          `Our services are not for children under ${pack.minimum_age.years}; we do not keep what they submit.`,
          pack.minimum_age.clauses,
        ),
      ]
    : [];

  const kept: Paragraph[] = [];
  if (pack.residency)
    kept.push(
      p(
        `Your information is stored and processed only in: ${list(pack.residency.regions.map((r) => r.toUpperCase()))}.`,
        pack.residency.clauses,
      ),
    );
  if (pack.transport)
    kept.push(
      p(
        pack.transport.tls_required
          ? "Pages that take your information are served only over an encrypted connection (TLS)."
          : "Information in transit is protected.",
        pack.transport.clauses,
      ),
    );

  if (pack.publication)
    kept.push(
      p(
        "This policy is published from the same policy file our systems enforce. The version in force is at /policy; every earlier version stays published at /policy/versions, each with the date it was last updated.",
        pack.publication.clauses,
      ),
    );

  const staff = [
    p(
      `Our staff see your information only for a stated purpose${pack.staff.attestation_required ? ", and only after signing a confidentiality agreement" : ""}. Roles: ${list(pack.staff.roles.map((r) => `${r.name} (${purposeNames(r.purposes)})`))}.`,
      pack.staff.clauses,
    ),
  ];

  const comms = pack.communications
    ? [
        p(
          `We open the content of your communications only on these grounds: ${list(pack.communications.content_grounds.map(words))}${pack.communications.case_required ? ", each time for a specific case, never by searching in bulk" : ""}.`,
          pack.communications.clauses,
        ),
      ]
    : [];

  const rights: Paragraph[] = [];
  if (pack.requests) {
    const r = pack.requests;
    const match = r.removal_match.map((set) => list(set.map(words)));
    rights.push(
      p(
        `You can see, correct, export or delete your information, and ask us to stop using it.${match.length ? ` To be removed from our lists, give us your ${match.join(", or your ")}.` : ""}`,
        r.clauses,
      ),
    );
    for (const route of r.routing)
      rights.push(
        p(`Requests from ${route.jurisdiction} are handled by our ${words(route.queue)} team.`, r.clauses),
      );
  }

  const retention = pack.retention.map((r) =>
    p(`We keep your ${categoryNames(pack, r.categories)} for ${period(r.period)}: ${r.reason}.`),
  );

  const changes = [
    p(`This version (${pack.version}) applies from ${pack.effective_from}. Earlier versions stay published.`),
  ];

  return {
    title: `${pack.name} Privacy Policy`,
    lastUpdated: pack.last_updated,
    intro: `This policy says what ${pack.name} collects about you, why, who receives it and the choices you have. Each paragraph names the commitments (clauses) it comes from.`,
    sections: placeClauses(pack, [
      { id: "what-we-collect", title: "What we collect", paragraphs: collect },
      { id: "why-we-use-it", title: "Why we use it", paragraphs: why },
      { id: "messages", title: "Messages and your choices", paragraphs: messages },
      { id: "sharing", title: "Who we share with", paragraphs: share },
      { id: "sale", title: "Sale of information", paragraphs: sale },
      { id: "children", title: "Children", paragraphs: children },
      { id: "where-kept", title: "Where your information is kept", paragraphs: kept },
      { id: "staff", title: "Our staff", paragraphs: staff },
      { id: "communications", title: "Your communications", paragraphs: comms },
      { id: "your-rights", title: "Your rights and requests", paragraphs: rights },
      { id: "retention", title: "How long we keep it", paragraphs: retention },
      { id: "changes", title: "Changes to this policy", paragraphs: changes },
    ]),
  };
}

function words(slug: string): string {
  return slug.replace(/[_-]/g, " ");
}

function pct(rate: number): string {
  return `${+(rate * 100).toFixed(2)}%`;
}

function period(iso: string): string {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$/.exec(iso);
  if (!m) return iso;
  const parts: string[] = [];
  const unit = (n: string | undefined, one: string): void => {
    if (n !== undefined) parts.push(`${n} ${one}${n === "1" ? "" : "s"}`);
  };
  unit(m[1], "year");
  unit(m[2], "month");
  unit(m[3], "day");
  return parts.length ? list(parts) : iso;
}
