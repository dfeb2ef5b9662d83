package dev.attest.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.verify.ear.TrustClaim;
import dev.attest.verify.ear.TrustTier;
import dev.attest.verify.ear.VerifierId;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Verifier.Builder#discoverSchemes()} with a real {@link java.util.ServiceLoader} and a
 * scheme of a third party's own (src/test/resources/fixtures/scheme-provider, compiled here with
 * the JDK's compiler against attest-verify): found on the class path through
 * {@code META-INF/services} and on the module path through {@code provides} in its
 * module-info, dispatched to by content and media type, held to the verifier's common checks and
 * the floor, and never taking the place or the evidence of the SDK's EAT profile.
 */
class SchemeDiscoveryTest {
    private static final String FIXTURE = "fixtures/scheme-provider/";
    private static final String MODULE = "dev.attest.fixture.scheme";

    @TempDir
    static Path tmp;
    /** The fixture module, compiled: module-info.class and the two schemes. */
    private static Path compiled;

    @BeforeAll
    static void compileFixture() throws Exception {
        compiled = Files.createDirectories(tmp.resolve("fixture-classes"));
        List<String> args = new ArrayList<>(List.of("--release", "17", "-proc:none", "-d", compiled.toString(),
                "--module-path", String.join(java.io.File.pathSeparator, modulePath().stream().map(Path::toString).toList())));
        try (Stream<Path> sources = Files.walk(resource("src"))) {
            sources.filter(p -> p.toString().endsWith(".java")).map(Path::toString).sorted().forEach(args::add);
        }
        // The JDK's javac through java.base's ToolProvider (this test's module reads no java.compiler).
        java.util.spi.ToolProvider javac = java.util.spi.ToolProvider.findFirst("javac").orElseThrow();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(err, true, StandardCharsets.UTF_8);
        int rc = javac.run(log, log, args.toArray(String[]::new));
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        assertTrue(Files.exists(compiled.resolve("module-info.class")));
    }

    /** A fixture token: magic, kind (G good, F forged, S its own signature check failed), nonce, device. */
    static byte[] token(char kind, byte[] nonce, String device) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("FIXTURE1".getBytes(StandardCharsets.US_ASCII));
        b.write(kind);
        b.writeBytes(nonce);
        b.writeBytes(device.getBytes(StandardCharsets.UTF_8));
        return b.toByteArray();
    }

    static byte[] nonce(int first) {
        byte[] n = new byte[32];
        n[0] = (byte) first;
        n[31] = 1;
        return n;
    }

    @Test
    void aSchemeOnTheClassPathIsDiscoveredDispatchedToAndHeldToTheCommonChecks() throws Exception {
        TestDevice eat = new TestDevice("dev1");
        Verifier v = discovering("classpath", () -> Verifier.builder()
                .trustAnchors(TrustAnchors.pinned(Map.of("dev1", eat.publicKey())))
                .clock(Clock.fixed(eat.now, ZoneOffset.UTC)).discoverSchemes().build());
        assertEquals(List.of("fixture"), v.schemes());
        assertEquals(List.of("fixture", "eat"), v.allSchemes());

        // By content: a good token of the fixture's answering the challenge.
        byte[] nonce = nonce(1);
        AttestationResult good = v.appraise(token('G', nonce, "fx-1"), AppraisalContext.challenge(nonce));
        assertEquals(TrustTier.AFFIRMING, good.status(), good.findings().toString());
        assertEquals(Optional.of("fx-1"), good.device());
        assertTrue(good.claims().isEmpty(), "no EAT claims: the fixture's evidence");
        assertArrayEquals(nonce, good.nonces().get(0));
        assertEquals(Optional.of(Base64.getUrlEncoder().withoutPadding().encodeToString(nonce)),
                good.toEar(new VerifierId("attest", "test")).nonce());
        // The verifier spends the challenge, not the scheme: the same token again is a replay.
        AttestationResult again = v.appraise(token('G', nonce, "fx-1"), AppraisalContext.challenge(nonce));
        assertEquals(TrustTier.CONTRAINDICATED, again.status());
        assertEquals(List.of(Checks.NONCE_REPLAY), contraindicated(again));
        // By media type.
        byte[] typed = nonce(2);
        AttestationResult byType = v.appraise(token('G', typed, "fx-1"), "application/x-attest-fixture",
                AppraisalContext.challenge(typed));
        assertEquals(TrustTier.AFFIRMING, byType.status(), byType.findings().toString());
        // The expected device is the verifier's check.
        byte[] n3 = nonce(3);
        AttestationResult foreign = v.appraise(token('G', n3, "fx-2"), AppraisalContext.challenge(n3).forDevice("fx-1"));
        assertEquals(List.of(Checks.IDENTITY_MISMATCH), contraindicated(foreign));
        // A forged token: no claims, contraindicated; the scheme's optimistic trust vector is not believed.
        AttestationResult forged = v.appraise(token('F', n3, "fx-1"), AppraisalContext.challenge(n3));
        assertEquals(TrustTier.CONTRAINDICATED, forged.status());
        assertEquals(new Finding(Checks.EVIDENCE, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/",
                "a valid fixture signature", "forged"), forged.findings().get(0));
        byte[] n4 = nonce(4);
        AttestationResult badSignature = v.appraise(token('S', n4, "fx-1"), AppraisalContext.challenge(n4));
        assertEquals(TrustTier.CONTRAINDICATED, badSignature.status());
        assertEquals(List.of("fixture.signature"), contraindicated(badSignature));
    }

    @Test
    void aDiscoveredSchemeNeverTakesTheSdksEvidence() throws Exception {
        TestDevice eat = new TestDevice("dev1");
        Verifier v = discovering("classpath", () -> Verifier.builder()
                .trustAnchors(TrustAnchors.pinned(Map.of("dev1", eat.publicKey())))
                .clock(Clock.fixed(eat.now, ZoneOffset.UTC)).discoverSchemes().build());
        byte[] nonce = nonce(9);
        byte[] evidence = eat.evidence(eat.cycle(), nonce);
        assertTrue(schemeOf("classpath").recognizes(evidence), "the fixture claims every COSE_Sign1, the SDK's too");
        AttestationResult r = v.appraise(evidence, AppraisalContext.challenge(nonce));
        assertEquals(Optional.of("dev1"), r.device());
        assertTrue(r.claims().isPresent(), "appraised by the EAT scheme: " + r.findings());
        assertTrue(r.findings(Checks.EVIDENCE).isEmpty(), r.findings().toString());
        // By media type as well: the SDK's media type is the EAT scheme's.
        AttestationResult typed = v.appraise(eat.evidence(eat.cycle(), null), Verifier.EAT_MEDIA_TYPE,
                AppraisalContext.periodic());
        assertTrue(typed.claims().isPresent(), typed.findings().toString());
        // A COSE_Sign1 that does not name the SDK's profile (a PSA token) is the fixture's to refuse.
        SigningKey k = SigningKey.generate(SignatureAlgorithm.ES256, Optional.empty());
        AttestationResult psa = v.appraise(SchemeDispatchTest.psaToken(k, nonce(5)), AppraisalContext.periodic());
        assertEquals(new Finding(Checks.EVIDENCE, TrustClaim.INSTANCE_IDENTITY, Severity.CONTRAINDICATED, "/",
                "a fixture token", "something else"), psa.findings().get(0));
        // Only tokens that name the profile are routed so; others stay with the scheme that recognises them.
        assertTrue(EatScheme.namesProfile(evidence));
        // In each of its framings: CWT tag 61 around tag 18 (as the SDK writes it), tag 18, tag 61, untagged.
        assertEquals(List.of(0xd8, 0x3d, 0xd2), List.of(evidence[0] & 0xff, evidence[1] & 0xff, evidence[2] & 0xff));
        byte[] untagged = java.util.Arrays.copyOfRange(evidence, 3, evidence.length);
        byte[] cwtOnly = new byte[untagged.length + 2];
        cwtOnly[0] = (byte) 0xd8;
        cwtOnly[1] = 0x3d;
        System.arraycopy(untagged, 0, cwtOnly, 2, untagged.length);
        for (byte[] framed : List.of(untagged, cwtOnly, java.util.Arrays.copyOfRange(evidence, 2, evidence.length))) {
            assertTrue(EatScheme.namesProfile(framed));
        }
        assertTrue(!EatScheme.namesProfile(SchemeDispatchTest.psaToken(k, nonce(5))));
        assertTrue(!EatScheme.namesProfile(new byte[] {(byte) 0xd2, (byte) 0x84, 0x40, (byte) 0xa0}));
        byte[] truncated = java.util.Arrays.copyOf(evidence, evidence.length / 2);
        assertTrue(!EatScheme.namesProfile(truncated));
    }

    @Test
    void aDiscoveredSchemeStandsOnTheFloor() throws Exception {
        // Its own floor entry joins the floor: a JSON policy lowering it loads (Policy.fromJson
        // cannot know the scheme) and is refused once the scheme is discovered.
        Policy lax = Policy.fromJson("{\"attest-policy\": 1, \"id\": \"lax\", \"severity\": {\"fixture.signature\": \"info\"}}");
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> discovering("classpath",
                () -> Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of())).policy(lax).discoverSchemes().build()));
        ConfigException cause = assertInstanceOf(ConfigException.class, refused.getCause());
        assertEquals(ConfigException.Reason.BELOW_FLOOR, cause.reason());
        assertEquals("/severity/fixture.signature", cause.path());
        // A policy in code that lowers every finding it is not asked about at build: the floor holds.
        Policy sly = new Policy() {
            @Override
            public String id() {
                return "sly";
            }

            @Override
            public Severity severity(Finding f) {
                return f.expected().isEmpty() ? f.severity() : Severity.INFO;
            }
        };
        Verifier v = discovering("classpath", () -> Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of()))
                .policy(sly).discoverSchemes().build());
        byte[] nonce = nonce(6);
        AttestationResult signature = v.appraise(token('S', nonce, "fx-1"), AppraisalContext.challenge(nonce));
        assertEquals(TrustTier.CONTRAINDICATED, signature.status());
        assertEquals(List.of("fixture.signature"), contraindicated(signature));
        assertEquals(1, signature.findings(Checks.POLICY_FLOOR).size());
        AttestationResult wrongNonce = v.appraise(token('G', nonce(7), "fx-1"), AppraisalContext.challenge(nonce(8)));
        assertEquals(TrustTier.CONTRAINDICATED, wrongNonce.status());
        assertEquals(List.of(Checks.NONCE), contraindicated(wrongNonce));
        AttestationResult forged = v.appraise(token('F', nonce, "fx-1"), AppraisalContext.challenge(nonce));
        assertEquals(List.of(Checks.EVIDENCE), contraindicated(forged));
    }

    @Test
    void aDiscoveredSchemeCannotStandInForTheEatProfile() throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> discovering("impostor",
                () -> Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of())).discoverSchemes().build()));
        assertEquals("scheme id eat is taken (by the SDK's EAT profile): dev.attest.fixture.scheme.ImpostorScheme is refused",
                e.getMessage());
        // Nor another scheme's id, nor the SDK's media type (schemes in code, the same rule).
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> discovering("classpath",
                () -> Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of())).discoverSchemes().discoverSchemes()
                        .build()));
        assertTrue(twice.getMessage().startsWith("scheme id fixture is taken (by another scheme)"), twice.getMessage());
        EvidenceScheme mediaThief = new ForwardingScheme(schemeOf("classpath")) {
            @Override
            public String id() {
                return "thief";
            }

            @Override
            public Set<String> mediaTypes() {
                return Set.of(Verifier.EAT_MEDIA_TYPE);
            }
        };
        IllegalStateException media = assertThrows(IllegalStateException.class,
                () -> Verifier.builder().trustAnchors(TrustAnchors.pinned(Map.of())).scheme(mediaThief).build());
        assertEquals("scheme thief lists the SDK's media type " + Verifier.EAT_MEDIA_TYPE + ", which is the EAT profile's",
                media.getMessage());
    }

    /**
     * On the module path: attest-verify, its dependencies and the fixture module in a module
     * layer of their own (named modules, resolved from their module descriptors), the fixture
     * bound to the service by its {@code provides}, not by any META-INF/services file.
     */
    @Test
    void aSchemeModuleOnTheModulePathIsDiscoveredThroughItsProvides() throws Exception {
        List<Path> path = new ArrayList<>(modulePath());
        path.add(compiled);
        ModuleFinder finder = ModuleFinder.of(path.toArray(Path[]::new));
        // Resolved from attest-verify alone, as `java -p ... -m app` resolves: the fixture module
        // comes in only because it provides a service attest-verify uses.
        Configuration cf = ModuleLayer.boot().configuration().resolveAndBind(finder, ModuleFinder.of(),
                Set.of("dev.attest.verify"));
        ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        assertTrue(layer.findModule(MODULE).orElseThrow().getDescriptor().provides().stream()
                .anyMatch(p -> p.service().equals(EvidenceScheme.class.getName())));
        assertTrue(Files.notExists(compiled.resolve("META-INF")), "no services file: the module's provides is all");
        ClassLoader loader = layer.findLoader("dev.attest.verify");
        Class<?> verifierClass = Class.forName(Verifier.class.getName(), true, loader);
        assertEquals("dev.attest.verify", verifierClass.getModule().getName());
        assertTrue(verifierClass != Verifier.class, "the layer's own attest-verify");
        Class<?> anchorsClass = Class.forName(TrustAnchors.class.getName(), true, loader);
        Class<?> contextClass = Class.forName(AppraisalContext.class.getName(), true, loader);
        Object verifier = withContextLoader(loader, () -> {
            Object b = verifierClass.getMethod("builder").invoke(null);
            b.getClass().getMethod("trustAnchors", anchorsClass).invoke(b,
                    anchorsClass.getMethod("pinned", Map.class).invoke(null, Map.of()));
            b.getClass().getMethod("discoverSchemes").invoke(b);
            return b.getClass().getMethod("build").invoke(b);
        });
        assertEquals(List.of("fixture", "eat"), verifierClass.getMethod("allSchemes").invoke(verifier));
        byte[] nonce = nonce(1);
        Object good = verifierClass.getMethod("appraise", byte[].class, contextClass).invoke(verifier,
                token('G', nonce, "fx-1"), contextClass.getMethod("challenge", byte[].class).invoke(null, nonce));
        assertEquals("AFFIRMING", ((Enum<?>) good.getClass().getMethod("status").invoke(good)).name());
        assertEquals(Optional.of("fx-1"), good.getClass().getMethod("device").invoke(good));
        Object replay = verifierClass.getMethod("appraise", byte[].class, contextClass).invoke(verifier,
                token('G', nonce, "fx-1"), contextClass.getMethod("challenge", byte[].class).invoke(null, nonce));
        assertEquals("CONTRAINDICATED", ((Enum<?>) replay.getClass().getMethod("status").invoke(replay)).name());
        Object signature = verifierClass.getMethod("appraise", byte[].class, contextClass).invoke(verifier,
                token('S', nonce(2), "fx-1"), contextClass.getMethod("challenge", byte[].class).invoke(null, nonce(2)));
        assertEquals("CONTRAINDICATED", ((Enum<?>) signature.getClass().getMethod("status").invoke(signature)).name());
        assertEquals(1, ((List<?>) signature.getClass().getMethod("findings", String.class).invoke(signature,
                "fixture.signature")).size());
    }

    /** The check ids of the contraindicated findings, in order. */
    private static List<String> contraindicated(AttestationResult r) {
        return r.findings().stream().filter(f -> f.severity() == Severity.CONTRAINDICATED).map(Finding::check).toList();
    }

    /** Runs {@code action} with a context class loader that sees the compiled fixture and one services folder. */
    private static <T> T discovering(String services, Callable<T> action) throws Exception {
        try (URLClassLoader loader = classPathLoader(services)) {
            return withContextLoader(loader, action);
        }
    }

    private static URLClassLoader classPathLoader(String services) throws Exception {
        return new URLClassLoader(new URL[] {compiled.toUri().toURL(), resource(services).toUri().toURL()},
                SchemeDiscoveryTest.class.getClassLoader());
    }

    /** The fixture scheme, as ServiceLoader makes it from the class path. */
    private static EvidenceScheme schemeOf(String services) throws Exception {
        URLClassLoader loader = classPathLoader(services);
        return java.util.ServiceLoader.load(EvidenceScheme.class, loader).findFirst().orElseThrow();
    }

    private static <T> T withContextLoader(ClassLoader loader, Callable<T> action) throws Exception {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            return action.call();
        } finally {
            t.setContextClassLoader(before);
        }
    }

    private static Path resource(String name) throws URISyntaxException {
        URL u = SchemeDiscoveryTest.class.getClassLoader().getResource(FIXTURE + name);
        assertTrue(u != null, FIXTURE + name + " on the test class path");
        return Path.of(u.toURI());
    }

    /**
     * attest-verify and the modules it needs, where this test's class path has them: each found
     * by a class it holds, so that the layer is made of exactly the artifacts the build resolved.
     */
    private static List<Path> modulePath() throws URISyntaxException {
        List<Path> out = new ArrayList<>();
        for (Class<?> c : List.of(Verifier.class, dev.attest.evidence.EvidenceDecoder.class, dev.attest.core.Digest.class,
                com.fasterxml.jackson.core.JsonFactory.class, com.fasterxml.jackson.databind.ObjectMapper.class,
                com.fasterxml.jackson.annotation.JsonProperty.class, com.zaxxer.hikari.HikariDataSource.class,
                org.slf4j.Logger.class, org.bouncycastle.jce.provider.BouncyCastleProvider.class,
                org.bouncycastle.cert.X509CertificateHolder.class, org.bouncycastle.asn1.cms.Attribute.class)) {
            Path p = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!out.contains(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /** A scheme that forwards to another; subclasses change what they claim. */
    private static class ForwardingScheme implements EvidenceScheme {
        private final EvidenceScheme to;

        ForwardingScheme(EvidenceScheme to) {
            this.to = to;
        }

        @Override
        public String id() {
            return to.id();
        }

        @Override
        public Set<String> mediaTypes() {
            return to.mediaTypes();
        }

        @Override
        public boolean recognizes(byte[] evidence) {
            return to.recognizes(evidence);
        }

        @Override
        public SchemeAppraisal appraise(byte[] evidence, AppraisalContext context) {
            return to.appraise(evidence, context);
        }

        @Override
        public dev.attest.verify.ear.TrustVector trustVector(boolean verified, List<Finding> findings) {
            return to.trustVector(verified, findings);
        }
    }
}
