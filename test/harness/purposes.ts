/**
 * The purpose each pack's staff act under on a customer's account: the pack's self-service
 * purpose. Staff routes that use a person's record (the consent ledger, the disclosure ledger,
 * Shine the Light) state a purpose; tests that are not about purposes use this one.
 */
export const ACCOUNT: Readonly<Record<string, string>> = {
  zones: "essential.service.account",
  zzservers: "essential.service.provisioning",
  zmailcloud: "essential.service.provision_billing",
  partstore: "essential.service.order_fulfilment",
};
