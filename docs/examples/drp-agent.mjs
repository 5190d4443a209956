// An authorised agent's two chores, for trying Pledge's DRP endpoints (docs/drp.md):
//
//   node docs/examples/drp-agent.mjs keygen            prints a secret key file (JSON) to stdout
//   node docs/examples/drp-agent.mjs sign <key file>   signs stdin's bytes, exactly as given, and
//                                                       prints base64(signature || bytes)
//
// Signing uses libsodium's combined mode (crypto_sign), as DRP 1.0 §3.07 asks. The bytes are not
// re-serialised: what you type is what is signed and what Pledge verifies.
import { readFileSync } from "node:fs";
import sodium from "libsodium-wrappers";

await sodium.ready;
const b64 = (bytes) => sodium.to_base64(bytes, sodium.base64_variants.ORIGINAL);
const [command, keyFile] = process.argv.slice(2);

if (command === "keygen") {
  const keys = sodium.crypto_sign_keypair();
  process.stdout.write(
    `${JSON.stringify({ secretKey: b64(keys.privateKey), verifyKey: b64(keys.publicKey) })}\n`,
  );
} else if (command === "sign" && keyFile !== undefined) {
  const { secretKey } = JSON.parse(readFileSync(keyFile, "utf8"));
  const message = readFileSync(0);
  const secret = sodium.from_base64(secretKey, sodium.base64_variants.ORIGINAL);
  process.stdout.write(b64(sodium.crypto_sign(message, secret)));
} else {
  process.stderr.write("usage: drp-agent.mjs keygen | drp-agent.mjs sign <key file> < message\n");
  process.exit(2);
}
