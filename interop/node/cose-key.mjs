// Reads a key for the COSE scripts from a file holding either a JWK (JSON, RFC 7517/7518) or a
// COSE_Key (CBOR, RFC 9052 §7 / RFC 9053 §7 / RFC 8230 §4), and names the COSE algorithm it is
// for: EC P-256/P-384/P-521 -> ES256/ES384/ES512, RSA -> PS256 (a JWK "alg" or COSE_Key alg (3)
// overrides). Returns { alg, kid, ec: {x, y, d} } or { alg, kid, rsa: {n, e, d, p, q, dp, dq, qi} }
// with Buffers; d (and the RSA private parts) only for private keys.
import { readFileSync } from 'node:fs';
import cbor from 'cbor';

const EC_ALGS = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };
const COSE_CRV = { 1: 'P-256', 2: 'P-384', 3: 'P-521' };
const COSE_ALG = { '-7': 'ES256', '-35': 'ES384', '-36': 'ES512', '-37': 'PS256' };
const b64u = (s) => (s === undefined ? undefined : Buffer.from(s, 'base64url'));

function fromJwk(jwk) {
  if (jwk.kty === 'EC') {
    const alg = jwk.alg ?? EC_ALGS[jwk.crv];
    if (!alg) throw new Error(`unsupported JWK curve: ${jwk.crv}`);
    return { alg, kid: jwk.kid, ec: { x: b64u(jwk.x), y: b64u(jwk.y), d: b64u(jwk.d) } };
  }
  if (jwk.kty === 'RSA') {
    const rsa = {};
    for (const k of ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi']) rsa[k] = b64u(jwk[k]);
    return { alg: jwk.alg ?? 'PS256', kid: jwk.kid, rsa };
  }
  throw new Error(`unsupported JWK kty: ${jwk.kty} (this library does ES256/ES384/ES512/PS256 only)`);
}

function fromCoseKey(bytes) {
  const m = cbor.decodeFirstSync(bytes);
  if (!(m instanceof Map)) throw new Error('a COSE_Key is a CBOR map');
  const kid = m.has(2) ? Buffer.from(m.get(2)).toString('utf8') : undefined;
  const coseAlg = m.has(3) ? COSE_ALG[String(m.get(3))] : undefined;
  if (m.has(3) && !coseAlg) throw new Error(`unsupported COSE_Key alg: ${m.get(3)}`);
  if (m.get(1) === 2) {
    const crv = COSE_CRV[m.get(-1)];
    if (!crv) throw new Error(`unsupported COSE_Key crv: ${m.get(-1)}`);
    return { alg: coseAlg ?? EC_ALGS[crv], kid, ec: { x: m.get(-2), y: m.get(-3), d: m.get(-4) } };
  }
  if (m.get(1) === 3) {
    const rsa = { n: m.get(-1), e: m.get(-2), d: m.get(-3), p: m.get(-4), q: m.get(-5), dp: m.get(-6), dq: m.get(-7), qi: m.get(-8) };
    return { alg: coseAlg ?? 'PS256', kid, rsa };
  }
  throw new Error(`unsupported COSE_Key kty: ${m.get(1)} (this library does EC2 and RSA only)`);
}

export function readKey(file) {
  const bytes = readFileSync(file);
  const text = bytes.toString('utf8').trimStart();
  return text.startsWith('{') ? fromJwk(JSON.parse(text)) : fromCoseKey(bytes);
}
