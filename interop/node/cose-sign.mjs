// Signs a payload as a tagged COSE_Sign1 (RFC 9052 §4.2) with the npm "cose-js" package and prints
// the token as hex on stdout. Protected header: alg (from the key) and, if the key has one, kid.
//   node cose-sign.mjs <private-key-file> [<payload-file>]   (JWK or COSE_Key; payload from stdin without a file)
// Exit status: 0 signed, 2 usage error.
import { readFileSync } from 'node:fs';
import cose from 'cose-js';
import { readKey } from './cose-key.mjs';

if (process.argv.length < 3 || process.argv.length > 4) {
  console.error('usage: node cose-sign.mjs <private-key-file> [<payload-file>]');
  process.exit(2);
}
let key;
try {
  key = readKey(process.argv[2]);
} catch (e) {
  console.error(`bad key: ${e.message}`);
  process.exit(2);
}
if (!(key.ec?.d ?? key.rsa?.d)) {
  console.error('need a private key');
  process.exit(2);
}
const payload = readFileSync(process.argv[3] ?? 0);
const p = key.kid === undefined ? { alg: key.alg } : { alg: key.alg, kid: key.kid };
const signer = { key: key.ec ? { d: key.ec.d } : { ...key.rsa } };
const token = await cose.sign.create({ p, u: {} }, payload, signer);
process.stdout.write(Buffer.from(token).toString('hex') + '\n');
