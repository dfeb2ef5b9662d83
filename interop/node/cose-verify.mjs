// Verifies a tagged COSE_Sign1 (RFC 9052 §4.2), optionally inside a CWT tag 61 (RFC 8392 §6),
// with the npm "cose-js" package (an implementation independent of attest: its own CBOR library,
// "elliptic" for ECDSA, "node-rsa" for PSS) and prints the payload as hex on stdout.
//   node cose-verify.mjs <key-file> [<token-file>]   (JWK or COSE_Key; token bytes from stdin without a file)
// The token's protected alg must be the key's algorithm (no algorithm confusion).
// Exit status: 0 verified, 1 verification failed (reason on stderr), 2 usage error.
import { readFileSync } from 'node:fs';
import cbor from 'cbor';
import cose from 'cose-js';
import { readKey } from './cose-key.mjs';

const ALG_IDS = { ES256: -7, ES384: -35, ES512: -36, PS256: -37 };

if (process.argv.length < 3 || process.argv.length > 4) {
  console.error('usage: node cose-verify.mjs <key-file> [<token-file>]');
  process.exit(2);
}
let key;
try {
  key = readKey(process.argv[2]);
} catch (e) {
  console.error(`bad key: ${e.message}`);
  process.exit(2);
}
let token = readFileSync(process.argv[3] ?? 0);
try {
  // cose-js knows tags 18 and 98 only: remove the CWT tag (0xd8 0x3d) in front of tag 18 (0xd2).
  if (token.length > 2 && token[0] === 0xd8 && token[1] === 0x3d) {
    token = token.subarray(2);
  }
  if (token[0] !== 0xd2) {
    throw new Error('not a tagged COSE_Sign1');
  }
  const [protectedBytes] = cbor.decodeFirstSync(token).value;
  const alg = protectedBytes.length ? cbor.decodeFirstSync(protectedBytes).get(1) : undefined;
  if (alg !== ALG_IDS[key.alg]) {
    throw new Error(`token alg ${alg} but the key is for ${key.alg} (${ALG_IDS[key.alg]})`);
  }
  const verifier = { key: key.ec ? { x: key.ec.x, y: key.ec.y } : { n: key.rsa.n, e: key.rsa.e } };
  const payload = await cose.sign.verify(token, verifier, { defaultType: cose.sign.Sign1Tag });
  console.error(`verified: alg=${key.alg}`);
  process.stdout.write(Buffer.from(payload).toString('hex') + '\n');
} catch (e) {
  console.error(`verification failed: ${e.message}`);
  process.exit(1);
}
