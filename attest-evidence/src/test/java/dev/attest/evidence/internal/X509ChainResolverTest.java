package dev.attest.evidence.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.evidence.EatClaims;
import dev.attest.evidence.EvidenceDecoder;
import dev.attest.evidence.EvidenceEncoder;
import dev.attest.evidence.EvidenceException;
import dev.attest.evidence.EvidenceException.Reason;
import dev.attest.evidence.KeyId;
import dev.attest.evidence.KeyRequest;
import dev.attest.evidence.KeyResolver;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.evidence.VerificationKey;
import dev.attest.testkit.RevocationList;
import dev.attest.evidence.VerifiedEvidence;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * {@link KeyResolver#x509} and its cache of validated chains, with real P-256 certificates
 * (root, intermediate, leaves) signed by Bouncy Castle and parsed as the decoder parses them.
 */
class X509ChainResolverTest {
    private static final Instant T = Instant.parse("2026-11-25T12:00:00Z");
    private static final Duration DAY = Duration.ofDays(1);
    private static final SignatureAlgorithm ES256 = SignatureAlgorithm.ES256;

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(T);

        void set(Instant t) {
            now.set(t);
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    /** A root, an intermediate (valid T-5d to T+30d) and leaves issued by it. */
    private static final class Pki {
        final KeyPair rootKey = p256();
        final KeyPair intermediateKey = p256();
        final X509Certificate root = cert("CN=fleet root", rootKey.getPublic(), "CN=fleet root", rootKey.getPrivate(),
                true, T.minus(DAY.multipliedBy(10)), T.plus(DAY.multipliedBy(3650)));
        final X509Certificate intermediate = cert("CN=issuing CA", intermediateKey.getPublic(), "CN=fleet root",
                rootKey.getPrivate(), true, T.minus(DAY.multipliedBy(5)), T.plus(DAY.multipliedBy(30)));

        /** A leaf for {@code device}, valid from {@code from} to {@code to}. */
        X509Certificate leaf(String cn, KeyPair device, Instant from, Instant to) {
            return cert("CN=" + cn, device.getPublic(), "CN=issuing CA", intermediateKey.getPrivate(), false, from, to);
        }

        /** A leaf valid T-1d to T+365d (so the intermediate bounds the path's window). */
        X509Certificate leaf(String cn, KeyPair device) {
            return leaf(cn, device, T.minus(DAY), T.plus(DAY.multipliedBy(365)));
        }
    }

    private static KeyPair p256() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A real certificate, re-parsed by Bouncy Castle's CertificateFactory as CoseSign1 does. */
    private static X509Certificate cert(String subject, PublicKey key, String issuer, PrivateKey signer, boolean ca,
            Instant from, Instant to) {
        try {
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                    BigInteger.valueOf(System.nanoTime()), Date.from(from), Date.from(to), new X500Name(subject), key);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            X509Certificate c = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
            return parse(c.getEncoded());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static X509Certificate parse(byte[] der) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509", Crypto.DEFAULT_PROVIDER)
                .generateCertificate(new ByteArrayInputStream(der));
    }

    private static KeyRequest request(X509Certificate... chain) {
        return new KeyRequest(ES256, Optional.empty(), Optional.empty(), List.of(chain));
    }

    private static VerificationKey resolve(KeyResolver r, KeyRequest req) throws EvidenceException {
        return r.resolve(req).orElseThrow();
    }

    private static Reason refusal(KeyResolver r, KeyRequest req) {
        return assertThrows(EvidenceException.class, () -> r.resolve(req)).reason();
    }

    @Test
    void aValidatedChainIsAnsweredWithTheSameKeyObjectByThisResolverOnly() throws Exception {
        Pki pki = new Pki();
        KeyPair device = p256();
        X509Certificate leaf = pki.leaf("gw-1", device);
        MovableClock clock = new MovableClock();
        KeyResolver r = KeyResolver.x509(List.of(pki.root), clock, Optional.empty());
        VerificationKey first = resolve(r, request(leaf, pki.intermediate));
        assertEquals(device.getPublic(), first.publicKey());
        assertEquals(ES256, first.algorithm());
        assertEquals(Optional.empty(), first.keyId());
        clock.set(T.plus(DAY.multipliedBy(20)));
        assertSame(first, resolve(r, request(leaf, pki.intermediate)));
        // Equal certificate objects parsed again from the same bytes hit too.
        assertSame(first, resolve(r, request(parse(leaf.getEncoded()), parse(pki.intermediate.getEncoded()))));
        // No shared state: another resolver validates for itself.
        KeyResolver other = KeyResolver.x509(List.of(pki.root), clock, Optional.empty());
        VerificationKey fresh = resolve(other, request(leaf, pki.intermediate));
        assertNotSame(first, fresh);
        assertEquals(first.publicKey(), fresh.publicKey());
        // A token without x5chain finds no key, cache or not.
        assertEquals(Optional.empty(), r.resolve(request()));
        // A clock beyond what PKIX can take refuses the chain (a checked refusal, not a crash).
        clock.set(Instant.MAX);
        assertEquals(Reason.BAD_CERTIFICATE, refusal(r, request(leaf, pki.intermediate)));
    }

    @Test
    void theCachedKeyIsBoundToTheRequestsAlgorithmAndKid() throws Exception {
        Pki pki = new Pki();
        KeyPair device = p256();
        X509Certificate leaf = pki.leaf("gw-1", device);
        KeyResolver r = KeyResolver.x509(List.of(pki.root), new MovableClock(), Optional.empty());
        VerificationKey noKid = resolve(r, request(leaf, pki.intermediate));
        KeyRequest withKid = new KeyRequest(ES256, Optional.of(KeyId.of("gw-1")), Optional.empty(),
                List.of(leaf, pki.intermediate));
        VerificationKey kid = resolve(r, withKid);
        assertNotSame(noKid, kid);
        assertEquals(Optional.of(KeyId.of("gw-1")), kid.keyId());
        assertSame(kid, resolve(r, withKid));
        assertSame(noKid, resolve(r, request(leaf, pki.intermediate)));
        // The same chain under another alg is not served the ES256 key: the P-256 leaf does not fit ES384.
        KeyRequest es384 = new KeyRequest(SignatureAlgorithm.ES384, Optional.empty(), Optional.empty(),
                List.of(leaf, pki.intermediate));
        assertEquals(Reason.KEY_ALGORITHM_MISMATCH, refusal(r, es384));
        assertEquals(Reason.KEY_ALGORITHM_MISMATCH, refusal(r, es384));
    }

    @Test
    void aCachedChainIsRefusedOnceOutsideItsCertificatesValidity() throws Exception {
        Pki pki = new Pki();
        KeyPair device = p256();
        Instant leafEnd = T.plus(DAY);
        X509Certificate shortLeaf = pki.leaf("gw-short", device, T.minus(Duration.ofHours(1)), leafEnd);
        X509Certificate longLeaf = pki.leaf("gw-long", device);
        MovableClock clock = new MovableClock();
        KeyResolver r = KeyResolver.x509(List.of(pki.root), clock, Optional.empty());
        VerificationKey shortKey = resolve(r, request(shortLeaf, pki.intermediate));
        VerificationKey longKey = resolve(r, request(longLeaf, pki.intermediate));

        // The leaf's notAfter: valid up to and including that instant (RFC 5280 §4.1.2.5), not a ms after.
        clock.set(leafEnd);
        assertSame(shortKey, resolve(r, request(shortLeaf, pki.intermediate)));
        clock.set(leafEnd.plusMillis(1));
        assertEquals(Reason.BAD_CERTIFICATE, refusal(r, request(shortLeaf, pki.intermediate)));
        assertSame(longKey, resolve(r, request(longLeaf, pki.intermediate)));

        // The intermediate's notAfter bounds the long leaf's path.
        Instant intermediateEnd = T.plus(DAY.multipliedBy(30));
        clock.set(intermediateEnd);
        assertSame(longKey, resolve(r, request(longLeaf, pki.intermediate)));
        clock.set(intermediateEnd.plusSeconds(1));
        assertEquals(Reason.BAD_CERTIFICATE, refusal(r, request(longLeaf, pki.intermediate)));

        // Before the leaf's notBefore.
        clock.set(T.minus(Duration.ofHours(1)).minusMillis(1));
        assertEquals(Reason.BAD_CERTIFICATE, refusal(r, request(shortLeaf, pki.intermediate)));
        assertSame(longKey, resolve(r, request(longLeaf, pki.intermediate)));
        // Before the intermediate's notBefore (the long leaf starts at T-1d, the intermediate at T-5d).
        clock.set(T.minus(DAY.multipliedBy(6)));
        assertEquals(Reason.BAD_CERTIFICATE, refusal(r, request(longLeaf, pki.intermediate)));

        // Back inside: still the cached key (the refusals changed nothing).
        clock.set(T);
        assertSame(shortKey, resolve(r, request(shortLeaf, pki.intermediate)));
        assertSame(longKey, resolve(r, request(longLeaf, pki.intermediate)));
    }

    @Test
    void theCacheAcceptsExactlyWhatAFreshValidationAccepts() throws Exception {
        // PKIX does not check the trust anchor's own period: after the root expires, a cached and a
        // fresh resolver agree (both accept a path still inside its certificates' validity).
        KeyPair rootKey = p256();
        KeyPair device = p256();
        X509Certificate root = cert("CN=short root", rootKey.getPublic(), "CN=short root", rootKey.getPrivate(), true,
                T.minus(DAY), T.plus(DAY));
        X509Certificate leaf = cert("CN=gw-1", device.getPublic(), "CN=short root", rootKey.getPrivate(), false,
                T.minus(DAY), T.plus(DAY.multipliedBy(10)));
        MovableClock clock = new MovableClock();
        KeyResolver cached = KeyResolver.x509(List.of(root), clock, Optional.empty());
        VerificationKey k = resolve(cached, request(leaf));
        for (Instant t : List.of(T.plus(DAY.multipliedBy(2)), T.plus(DAY.multipliedBy(10)),
                T.plus(DAY.multipliedBy(10)).plusMillis(1), T.minus(DAY).minusMillis(1), T)) {
            clock.set(t);
            KeyResolver fresh = KeyResolver.x509(List.of(root), clock, Optional.empty());
            boolean freshAccepts;
            try {
                resolve(fresh, request(leaf));
                freshAccepts = true;
            } catch (EvidenceException e) {
                assertEquals(Reason.BAD_CERTIFICATE, e.reason());
                freshAccepts = false;
            }
            if (freshAccepts) {
                assertSame(k, resolve(cached, request(leaf)), t.toString());
            } else {
                assertEquals(Reason.BAD_CERTIFICATE, refusal(cached, request(leaf)), t.toString());
            }
        }
        clock.set(T.plus(DAY.multipliedBy(2)));
        assertSame(k, resolve(cached, request(leaf)));
    }

    @Test
    void aChainEndingInTheRootIsCachedApartFromTheSameChainWithoutIt() throws Exception {
        Pki pki = new Pki();
        KeyPair device = p256();
        X509Certificate leaf = pki.leaf("gw-1", device);
        MovableClock clock = new MovableClock();
        KeyResolver r = KeyResolver.x509(List.of(pki.root), clock, Optional.empty());
        VerificationKey withRoot = resolve(r, request(leaf, pki.intermediate, pki.root));
        VerificationKey withoutRoot = resolve(r, request(leaf, pki.intermediate));
        assertNotSame(withRoot, withoutRoot);
        assertEquals(withRoot.publicKey(), withoutRoot.publicKey());
        assertSame(withRoot, resolve(r, request(leaf, pki.intermediate, pki.root)));
        // The root in the chain is not part of the validated path, as before.
        clock.set(T.plus(DAY.multipliedBy(31)));
        assertEquals(Reason.BAD_CERTIFICATE, refusal(r, request(leaf, pki.intermediate, pki.root)));
    }

    @Test
    void anotherChainIsNotServedTheCachedKeyAndRefusalsAreNeverCached() throws Exception {
        Pki pki = new Pki();
        KeyPair device = p256();
        KeyPair other = p256();
        X509Certificate leaf = pki.leaf("gw-1", device);
        MovableClock clock = new MovableClock();
        KeyResolver r = KeyResolver.x509(List.of(pki.root), clock, Optional.empty());
        VerificationKey good = resolve(r, request(leaf, pki.intermediate));

        // Another leaf under the same intermediate: its own key.
        X509Certificate otherLeaf = pki.leaf("gw-2", other);
        VerificationKey otherKey = resolve(r, request(otherLeaf, pki.intermediate));
        assertEquals(other.getPublic(), otherKey.publicKey());
        assertNotSame(good, otherKey);

        // The good leaf with one byte of its signature changed: still parses, never validates.
        byte[] der = leaf.getEncoded();
        der[der.length - 1] ^= 0x01;
        X509Certificate tampered = parse(der);
        assertEquals(Reason.BAD_CERTIFICATE, refusal(r, request(tampered, pki.intermediate)));
        assertEquals(Reason.BAD_CERTIFICATE, refusal(r, request(tampered, pki.intermediate)));
        // The good leaf issued by an untrusted CA with the same name, and the good leaf without its intermediate.
        KeyPair evil = p256();
        X509Certificate forged = cert("CN=gw-1", device.getPublic(), "CN=issuing CA", evil.getPrivate(), false,
                T.minus(DAY), T.plus(DAY.multipliedBy(365)));
        assertEquals(Reason.BAD_CERTIFICATE, refusal(r, request(forged, pki.intermediate)));
        assertEquals(Reason.BAD_CERTIFICATE, refusal(r, request(leaf)));
        assertSame(good, resolve(r, request(leaf, pki.intermediate)));

        // Not yet valid at T: refused, twice; valid once its notBefore has come.
        Instant start = T.plus(Duration.ofHours(2));
        X509Certificate future = pki.leaf("gw-3", p256(), start, T.plus(DAY.multipliedBy(365)));
        assertEquals(Reason.BAD_CERTIFICATE, refusal(r, request(future, pki.intermediate)));
        assertEquals(Reason.BAD_CERTIFICATE, refusal(r, request(future, pki.intermediate)));
        clock.set(start);
        VerificationKey now = resolve(r, request(future, pki.intermediate));
        assertEquals(future.getPublicKey(), now.publicKey());
        assertSame(now, resolve(r, request(future, pki.intermediate)));
    }

    @Test
    void aRevocationCheckerIsConsultedForEveryToken() throws Exception {
        Pki pki = new Pki();
        KeyPair device = p256();
        X509Certificate leaf = pki.leaf("gw-1", device);
        RevocationList checker = new RevocationList();
        KeyResolver r = KeyResolver.x509(List.of(pki.root), new MovableClock(), Optional.of(checker));
        VerificationKey first = resolve(r, request(leaf, pki.intermediate));
        assertEquals(2, checker.checked());
        VerificationKey second = resolve(r, request(leaf, pki.intermediate));
        assertEquals(4, checker.checked());
        assertNotSame(first, second);
        assertEquals(device.getPublic(), second.publicKey());
        checker.revoke();
        assertEquals(Reason.BAD_CERTIFICATE, refusal(r, request(leaf, pki.intermediate)));
        assertEquals(Reason.BAD_CERTIFICATE, refusal(r, request(leaf, pki.intermediate)));
        checker.reinstate();
        resolve(r, request(leaf, pki.intermediate));
        assertTrue(checker.checked() >= 7, "checked " + checker.checked());
    }

    @Test
    void moreChainsThanTheBoundKeepResolvingAndAtMostTheBoundAreHeld() throws Exception {
        Pki pki = new Pki();
        int bound = 8;
        KeyResolver r = new X509ChainResolver(List.of(pki.root), new MovableClock(), Optional.empty(), bound);
        List<KeyPair> devices = new ArrayList<>();
        List<X509Certificate> leaves = new ArrayList<>();
        List<VerificationKey> keys = new ArrayList<>();
        for (int i = 0; i < 3 * bound; i++) {
            devices.add(p256());
            leaves.add(pki.leaf("gw-" + i, devices.get(i)));
            VerificationKey k = resolve(r, request(leaves.get(i), pki.intermediate));
            assertEquals(devices.get(i).getPublic(), k.publicKey());
            // Held even though the cache was full: something else made room.
            assertSame(k, resolve(r, request(leaves.get(i), pki.intermediate)));
            keys.add(k);
        }
        // A hit changes nothing; a miss re-validates, adds that chain and drops one. So the hits of
        // one pass over all chains are at most the chains held when it began.
        int hits = 0;
        for (int i = 0; i < leaves.size(); i++) {
            VerificationKey k = resolve(r, request(leaves.get(i), pki.intermediate));
            assertEquals(devices.get(i).getPublic(), k.publicKey());
            if (k == keys.get(i)) {
                hits++;
            }
        }
        assertTrue(hits <= bound, hits + " hits, bound " + bound);
        assertThrows(IllegalArgumentException.class,
                () -> new X509ChainResolver(List.of(pki.root), Clock.systemUTC(), Optional.empty(), 0));
        assertThrows(IllegalArgumentException.class, () -> KeyResolver.x509(List.of(), Clock.systemUTC(), Optional.empty()));
    }

    @Test
    void concurrentResolutionsGetTheRightKeysAndOneObjectPerChain() throws Exception {
        Pki pki = new Pki();
        int chains = 5;
        List<KeyPair> devices = new ArrayList<>();
        List<KeyRequest> requests = new ArrayList<>();
        for (int i = 0; i < chains; i++) {
            devices.add(p256());
            requests.add(request(pki.leaf("gw-" + i, devices.get(i)), pki.intermediate));
        }
        KeyPair evil = p256();
        KeyRequest forged = request(cert("CN=gw-0", devices.get(0).getPublic(), "CN=issuing CA", evil.getPrivate(),
                false, T.minus(DAY), T.plus(DAY)), pki.intermediate);
        KeyResolver r = KeyResolver.x509(List.of(pki.root), new MovableClock(), Optional.empty());
        List<Set<VerificationKey>> seen = new ArrayList<>();
        for (int i = 0; i < chains; i++) {
            seen.add(Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>())));
        }
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                done.add(pool.submit(() -> {
                    start.await();
                    int refused = 0;
                    for (int n = 0; n < 60; n++) {
                        int i = (offset + n) % (chains + 1);
                        if (i == chains) {
                            try {
                                r.resolve(forged);
                            } catch (EvidenceException e) {
                                if (e.reason() == Reason.BAD_CERTIFICATE) {
                                    refused++;
                                }
                            }
                            continue;
                        }
                        VerificationKey k = r.resolve(requests.get(i)).orElseThrow();
                        if (!k.publicKey().equals(devices.get(i).getPublic()) || k.algorithm() != ES256) {
                            throw new AssertionError("wrong key for chain " + i);
                        }
                        seen.get(i).add(k);
                    }
                    return refused;
                }));
            }
            start.countDown();
            int refused = 0;
            for (Future<Integer> f : done) {
                refused += f.get(120, TimeUnit.SECONDS);
            }
            assertEquals(threads * 10, refused);
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < chains; i++) {
            assertEquals(1, seen.get(i).size(), "key objects for chain " + i);
        }
    }

    @Test
    void theDecoderVerifiesSuccessiveTokensWithTheOneCachedKey() throws Exception {
        Pki pki = new Pki();
        KeyPair device = p256();
        X509Certificate leaf = pki.leaf("gw-1", device);
        EvidenceEncoder encoder = EvidenceEncoder.of(SigningKey.of(device, ES256, Optional.empty()))
                .withX5chain(List.of(leaf, pki.intermediate));
        EvidenceDecoder decoder = EvidenceDecoder.builder(
                KeyResolver.x509(List.of(pki.root), new MovableClock(), Optional.empty())).build();
        VerifiedEvidence a = decoder.decode(encoder.encode(EatClaims.builder().iat(T).build()));
        VerifiedEvidence b = decoder.decode(encoder.encode(EatClaims.builder().iat(T.plusSeconds(60)).build()));
        assertSame(a.key(), b.key());
        assertEquals(T.plusSeconds(60), b.claims().iat().orElseThrow());
        // A token signed by another key but carrying the same chain is still refused by its signature.
        EvidenceEncoder impostor = EvidenceEncoder.of(SigningKey.of(p256(), ES256, Optional.empty()))
                .withX5chain(List.of(leaf, pki.intermediate));
        assertEquals(Reason.BAD_SIGNATURE, assertThrows(EvidenceException.class,
                () -> decoder.decode(impostor.encode(EatClaims.builder().iat(T).build()))).reason());
    }
}
