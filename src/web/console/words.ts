import type { Problem } from "../shared/api.ts";

/**
 * The API's problems in the words a staff member reads in the console. Codes not listed here are
 * shown with the API's own detail, which names ids and fields, never personal data.
 */
const BY_CODE: Record<string, string> = {
  PLEDGE_STAFF_SIGNIN_FAILED: "The username, password or code is not right.",
  PLEDGE_STAFF_SETUP_INVALID:
    "That username and set-up code do not match an open invitation: it may have been used or have expired. Ask an administrator for a new one.",
  PLEDGE_STAFF_CODE_INVALID:
    "That is not the code your authenticator app shows now. Check that the app's clock is right and type the current code.",
  PLEDGE_RATE_LIMITED: "Too many attempts from here. Please wait a minute and try again.",
  PLEDGE_AUTH_MISSING: "You are signed out. Please sign in again.",
  PLEDGE_FORBIDDEN_ROLE: "Your role may not do this.",
  PLEDGE_CSRF_FAILED: "This page is out of date. Reload it and try again.",
  PLEDGE_TLS_REQUIRED: "The console must be opened over a secure (https) connection.",
  PLEDGE_CAMPAIGN_NO_TRANSPORT:
    "This server has no mail relay set up, so it cannot send email campaigns. Ask an administrator.",
  PLEDGE_CAMPAIGN_TRANSITION_INVALID:
    "This campaign has moved on since the page loaded (it may have been sent or cancelled). Refresh to see where it stands.",
  PLEDGE_PRECONDITION_FAILED:
    "Someone else changed this since the page loaded. The latest version is shown: check it and make your change again.",
};

export function staffMessage(problem: Problem): string {
  const known = BY_CODE[problem.code];
  if (known !== undefined) return known;
  if (problem.code === "PLEDGE_PASSWORD_WEAK") return `Choose another password: ${problem.detail}.`;
  // A malformed campaign's detail starts with the gate's reason code (`message_class_not_allowed: …`).
  const detail =
    problem.code === "PLEDGE_CAMPAIGN_INVALID" ? problem.detail.replace(/^[a-z_]+: /, "") : problem.detail;
  const text = (detail || problem.title).trim();
  if (text === "") return "Something went wrong. Please try again.";
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? "" : ".");
}

/** Why the API refused to publish a policy version (docs/policy-versions.md, Publishing). */
const PUBLISH_REFUSED: Record<string, string> = {
  PLEDGE_POLICY_INVALID:
    "This pack cannot be published: it does not load as a policy pack. Nothing was published. The lines at fault:",
  PLEDGE_POLICY_MISCONFIGURED:
    "This pack cannot be published: it loads, but Pledge could not enforce it (or it excludes this deployment's region). Nothing was published.",
  PLEDGE_POLICY_WRONG_COMPANY: "This pack is another company's policy. Nothing was published.",
  PLEDGE_POLICY_VERSION_EXISTS:
    "This version, or another taking effect at the same instant, is already published. Give the pack a new version and effective date.",
  PLEDGE_POLICY_BACKDATED:
    "This version would take effect before the version in force now. A new version may only take effect from now on: change its effective_from.",
};

/** The refusal of POST /v1/policy/versions in words, followed by the API's own detail. */
export function publishRefusal(problem: Problem): string {
  const known = PUBLISH_REFUSED[problem.code];
  if (known === undefined) return staffMessage(problem);
  if (problem.code === "PLEDGE_POLICY_INVALID") {
    const hasIssues = (problem.errors ?? []).length > 0;
    return hasIssues ? known : `${known.replace(/ The lines at fault:$/, "")} ${staffMessage(problem)}`;
  }
  return `${known} (${staffMessage(problem).replace(/\.$/, "")}.)`;
}
