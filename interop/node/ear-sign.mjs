// Signs a JSON claims set (an EAR) as a JWT with a private JWK using the npm "jose" package and
// prints the compact JWT on stdout.
//   node ear-sign.mjs <private-jwk-file> [<claims-json-file>]   (claims from stdin without a file)
// The header is {"alg": <from the JWK's crv>, "typ": "JWT"}; the payload is the claims set as given.
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';

// jose uses the global Web Crypto API, which Node 18 (Debian 12's nodejs) does not expose by default.
globalThis.crypto ??= webcrypto;
const { importJWK, SignJWT } = await import('jose');

const ALGS = { 'P-256': 'ES256', 'P-384': 'ES384', 'Ed25519': 'EdDSA' };

if (process.argv.length < 3 || process.argv.length > 4) {
  console.error('usage: node ear-sign.mjs <private-jwk-file> [<claims-json-file>]');
  process.exit(2);
}
const jwk = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const alg = ALGS[jwk.crv];
if (!alg || !jwk.d) {
  console.error('need a private P-256, P-384 or Ed25519 JWK');
  process.exit(2);
}
const claims = JSON.parse(readFileSync(process.argv[3] ?? 0, 'utf8'));
const key = await importJWK(jwk, alg);
const jwt = await new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(key);
process.stdout.write(jwt + '\n');
