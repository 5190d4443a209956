/**
 * The small HTML pages of /u/:token. Plain HTML, no script, no external resources, nothing about
 * the person: the page names the topic or purpose and the channel only.
 */
import { escapeHtml as escape, htmlPage as page } from "../../web/page.ts";

/** GET: what the link stops, and buttons that POST to the same URL (a GET never acts). */
export function confirmPage(what: string, channel: string): string {
  return page(
    "Unsubscribe",
    `<p>Stop receiving <strong>${escape(what)}</strong> by ${escape(channel)}?</p>
<form method="post"><input type="hidden" name="scope" value="target"><button type="submit">Unsubscribe</button></form>
<form method="post"><input type="hidden" name="scope" value="channel"><button type="submit">Stop all marketing by ${escape(channel)}</button></form>`,
  );
}

export function donePage(what: string, channel: string, already: boolean): string {
  return page(
    "You are unsubscribed",
    `<p>${already ? "This link was already used: " : ""}you will not receive ${escape(what)} by ${escape(channel)} any more.</p>
<p>Messages you need for your account, orders or security are still sent.</p>`,
  );
}

export function usedPage(): string {
  return page("You are unsubscribed", "<p>This link was already used. Nothing else needs doing.</p>");
}

export function invalidPage(): string {
  return page(
    "This link is not valid",
    "<p>This unsubscribe link is not valid: it may have been copied incompletely. Nobody was unsubscribed.</p>" +
      "<p>Use the link in the latest message you received, or reply to it asking to unsubscribe.</p>",
  );
}

export function expiredPage(): string {
  return page(
    "This link has expired",
    "<p>This unsubscribe link has expired. Nobody was unsubscribed.</p>" +
      "<p>Use the link in a more recent message, or reply to it asking to unsubscribe.</p>",
  );
}
