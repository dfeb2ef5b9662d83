// Verifies an EAR JWT with a JWK using the npm "jose" package (an implementation independent of
// attest) and prints the JWT payload as JSON on stdout.
//   node ear-verify.mjs <jwk-file> [<jwt-file>]      (the JWT is read from stdin without a file)
// Exit status: 0 verified, 1 verification failed (reason on stderr), 2 usage error.
import { readFileSync } from 'node:fs';
import { webcrypto } from 'node:crypto';

// jose uses the global Web Crypto API, which Node 18 (Debian 12's nodejs) does not expose by default.
globalThis.crypto ??= webcrypto;
const { importJWK, jwtVerify } = await import('jose');

const ALGS = { 'P-256': 'ES256', 'P-384': 'ES384', 'Ed25519': 'EdDSA' };

if (process.argv.length < 3 || process.argv.length > 4) {
  console.error('usage: node ear-verify.mjs <jwk-file> [<jwt-file>]');
  process.exit(2);
}
const jwk = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const alg = ALGS[jwk.crv];
if (!alg) {
  console.error(`unsupported JWK curve: ${jwk.crv}`);
  process.exit(2);
}
const jwt = readFileSync(process.argv[3] ?? 0, 'utf8').trim();
try {
  const key = await importJWK(jwk, alg);
  const { payload, protectedHeader } = await jwtVerify(jwt, key, { algorithms: [alg] });
  if (payload.eat_profile !== 'tag:github.com,2023:veraison/ear') {
    throw new Error(`not an EAR: eat_profile ${payload.eat_profile}`);
  }
  console.error(`verified: alg=${protectedHeader.alg} typ=${protectedHeader.typ ?? '-'}`);
  process.stdout.write(JSON.stringify(payload) + '\n');
} catch (e) {
  console.error(`verification failed: ${e.code ?? e.name}: ${e.message}`);
  process.exit(1);
}
