import { api } from "../../shared/api.ts";
import { Alert } from "../../shared/forms.tsx";
import { itemsOf, useList } from "../../shared/use-list.ts";

interface PaymentMethod {
  paymentMethodId: string;
  brand?: string;
  last4?: string;
  expiry?: string;
  givenForOrder: string;
  reuseAllowed: boolean;
  version: number;
}

const readMethods = itemsOf<PaymentMethod>("/v1/account/me/payment-methods");

/**
 * My payment methods: what the payment provider's token stands for (brand, last four digits,
 * expiry; never the token, never a card number), the order each was given for, and whether it may
 * be used again for later orders (GET/PATCH /v1/account/me/payment-methods; the card_reuse
 * permission).
 */
export function PaymentMethods() {
  const { items: methods, message, busy, act } = useList(readMethods);

  const setReuse = (m: PaymentMethod, reuseAllowed: boolean) =>
    act(
      () =>
        api("PATCH", `/v1/account/me/payment-methods/${m.paymentMethodId}`, {
          body: { reuseAllowed },
          ifMatch: `"${m.version}"`,
        }),
      reuseAllowed
        ? "This card may be used again for your later orders."
        : "This card will not be used again without asking you.",
    );

  const nameOf = (m: PaymentMethod) =>
    `${m.brand === undefined ? "Card" : m.brand.charAt(0).toUpperCase() + m.brand.slice(1)}${m.last4 === undefined ? "" : ` ending ${m.last4}`}`;

  return (
    <section aria-labelledby="payment-methods" className="panel">
      <h2 id="payment-methods">My payment methods</h2>
      <p>We keep only what the payment provider gives us for your card, never the card number.</p>
      {message ? <Alert kind={message.kind}>{message.text}</Alert> : null}
      {methods === null ? null : methods.length === 0 ? (
        <p>No payment method on file.</p>
      ) : (
        <ul className="addresses">
          {methods.map((m) => (
            <li key={m.paymentMethodId}>
              <span>
                {nameOf(m)}
                {m.expiry === undefined ? "" : `, expires ${m.expiry}`}, given for order {m.givenForOrder}.{" "}
                {m.reuseAllowed ? "May be used for later orders." : "Used for that order only."}
              </span>
              <button
                type="button"
                className="secondary"
                disabled={busy}
                onClick={() => void setReuse(m, !m.reuseAllowed)}
              >
                {m.reuseAllowed ? "Stop reuse" : "Allow reuse"}
                <span className="visually-hidden"> of {nameOf(m)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
