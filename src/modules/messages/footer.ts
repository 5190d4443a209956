import type { MessageClass, PolicyPack } from "../../policy/schema.ts";
import { escapeHtml } from "../../web/page.ts";

/**
 * The foot of every email Pledge sends, rendered from the pack in force, in a text and an HTML
 * form that say the same thing:
 *  - marketing: why the person receives it (the consent they gave, with its date, or the
 *    purpose they did not opt out of), the unsubscribe link (the same per-recipient link as the
 *    List-Unsubscribe header), and the company's postal address (US CAN-SPAM);
 *  - essential: why it reached them, and why it cannot be unsubscribed from, in the policy's words
 *    (`messages.essential_notice`), with the postal address when the pack has one.
 * Nothing here reads a store or names the person: the caller passes what the ledger says.
 */

export interface Footer {
  readonly text: string;
  /** An HTML fragment (escaped), placed at the end of the body. */
  readonly html: string;
}

export interface MarketingFoot {
  readonly purpose: string;
  readonly topic: string | null;
  /** When the consent the message rests on was given; null under an opt-out basis, or unknown. */
  readonly consentedAt: Date | null;
  /** The per-recipient https link (the page of /u/:token). */
  readonly unsubscribeUrl: string;
}

export function marketingFooter(pack: PolicyPack, m: MarketingFoot): Footer {
  const purpose = pack.purposes.find((p) => p.id === m.purpose);
  const topic = m.topic === null ? undefined : pack.topics.find((t) => t.id === m.topic);
  const what = `"${topic?.name ?? purpose?.name ?? m.purpose}"`;
  const why =
    purpose?.basis === "consent"
      ? m.consentedAt === null
        ? `You receive this email because you agreed to receive ${what} from ${pack.name}.`
        : `You receive this email because you agreed on ${day(m.consentedAt, pack.time_zone)} to receive ${what} from ${pack.name}.`
      : `You receive this email because you gave your address to ${pack.name} and have not opted out of ${what}.`;
  const stop = "To stop these emails, unsubscribe here:";
  const address = pack.company_address ?? [];
  return {
    text: [why, `${stop} ${m.unsubscribeUrl}`, address.join("\n")].filter((s) => s !== "").join("\n\n"),
    html: [
      `<p>${escapeHtml(why)}</p>`,
      `<p>${escapeHtml(stop)} <a href="${escapeHtml(m.unsubscribeUrl)}">Unsubscribe</a></p>`,
      addressHtml(address),
    ].join("\n"),
  };
}

/** `why`: one sentence on why the message reached the person (its purpose, or the request it answers). */
export function essentialFooter(pack: PolicyPack, why: string): Footer {
  const notice = pack.messages.essential_notice ?? defaultNotice(pack.messages.essential);
  const address = pack.company_address ?? [];
  return {
    text: [why, notice, address.join("\n")].filter((s) => s !== "").join("\n\n"),
    html: [`<p>${escapeHtml(why)}</p>`, `<p>${escapeHtml(notice)}</p>`, addressHtml(address)].join("\n"),
  };
}

/** The reason sentence of an essential message sent for a purpose of the pack. */
export function essentialReason(pack: PolicyPack, purposeId: string, messageClass: MessageClass): string {
  const name = pack.purposes.find((p) => p.id === purposeId)?.name ?? purposeId;
  return `You receive this ${messageClass.replace("_", " ")} message from ${pack.name} for: "${name}".`;
}

/**
 * The body with its foot: the text after a signature delimiter ("-- "), the HTML at the end of
 * the given HTML (before `</body>` when it has one), or, when the message has no HTML of its own,
 * an HTML part made from the text, so every email has both parts.
 */
export function withFooter(
  body: { readonly text: string; readonly html?: string | null },
  footer: Footer,
): { text: string; html: string } {
  const text = `${body.text.replace(/\s+$/, "")}\n\n-- \n${footer.text}\n`;
  const foot = `<footer style="margin-top:2em;border-top:1px solid #ccc;padding-top:1em;font-size:small;color:#444">\n${footer.html}\n</footer>`;
  const own = body.html ?? null;
  if (own === null) {
    const paragraphs = body.text
      .trim()
      .split(/\n\s*\n/)
      .map((p) => `<p>${escapeHtml(p.trim()).replace(/\n/g, "<br>\n")}</p>`)
      .join("\n");
    return { text, html: `<!doctype html>\n<html><body>\n${paragraphs}\n${foot}\n</body></html>\n` };
  }
  const close = own.toLowerCase().lastIndexOf("</body>");
  const html = close === -1 ? `${own}\n${foot}` : `${own.slice(0, close)}${foot}\n${own.slice(close)}`;
  return { text, html };
}

function defaultNotice(essential: readonly MessageClass[]): string {
  const classes = essential.map((c) => c.replace("_", " "));
  const named = classes.length === 0 ? "" : ` (${classes.join(", ")})`;
  return `This is not a marketing message. Essential messages${named} reach everyone they concern, even people who unsubscribed from marketing, so they carry no unsubscribe link.`;
}

function addressHtml(lines: readonly string[]): string {
  return lines.length === 0 ? "" : `<address>${lines.map(escapeHtml).join("<br>\n")}</address>`;
}

/** The date of an instant in the pack's time zone, as YYYY-MM-DD. */
function day(at: Date, zone: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(at);
}
