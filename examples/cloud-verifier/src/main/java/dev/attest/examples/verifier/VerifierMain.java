package dev.attest.examples.verifier;

import dev.attest.evidence.Pem;
import dev.attest.verify.JdbcDeviceStateStore;
import dev.attest.verify.Policy;
import dev.attest.verify.ReferenceValues;
import dev.attest.verify.ear.EarSigner;
import dev.attest.verify.ear.EarSigningKey;
import dev.attest.verify.ear.VerifierId;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Runs the cloud verifier: {@code cloud-verifier --state DIR [--port 8443] [--bind 127.0.0.1]
 * [--jdbc URL] [--refs refs.json] [--policy policy.json] [--capture-first] [--agent-ca ca.pem]}. Writes
 * {@code DIR/verifier.pin} (the TLS pin agents configure), {@code DIR/admin.token} (the bearer
 * token for enrolment) and {@code DIR/viewer.token} (the bearer token that reads fleet status,
 * findings and history, and opens the dashboard as {@code https://host:port/#viewer=TOKEN}), both
 * readable by the owner only, and serves the API and the dashboard over HTTPS. With
 * {@code --agent-ca}, the device endpoints need each agent's TLS client certificate, issued by
 * that CA to the device id as its subject CN ({@link AgentCertificates}); off by default.
 */
public final class VerifierMain {
    private VerifierMain() {
    }

    /** A running service. */
    record Running(HttpApi api, DeviceDirectory directory, JdbcDeviceStateStore store, AttestAppraiser appraiser,
            String pin, String adminToken, String viewerToken) implements AutoCloseable {
        int port() {
            return api.port();
        }

        @Override
        public void close() throws java.sql.SQLException {
            api.close();
            store.close();
            directory.close();
        }
    }

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        Path state = null;
        int port = 8443;
        String bind = "127.0.0.1";
        String jdbc = null;
        Path refs = null;
        Path policy = null;
        boolean capture = false;
        Path agentCa = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--state" -> state = Path.of(args[++i]);
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--bind" -> bind = args[++i];
                case "--jdbc" -> jdbc = args[++i];
                case "--refs" -> refs = Path.of(args[++i]);
                case "--policy" -> policy = Path.of(args[++i]);
                case "--capture-first" -> capture = true;
                case "--agent-ca" -> agentCa = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: cloud-verifier --state DIR [--port N] [--bind ADDR] [--jdbc URL]"
                            + " [--refs FILE] [--policy FILE] [--capture-first] [--agent-ca FILE]");
                    System.exit(3);
                }
            }
        }
        if (state == null) {
            System.err.println("cloud-verifier: --state DIR is required");
            System.exit(3);
        }
        Running r = start(state, new InetSocketAddress(bind, port), Optional.ofNullable(jdbc),
                refs == null ? ReferenceValues.empty() : ReferenceValues.fromJson(Files.readString(refs)),
                policy == null ? Policy.defaults() : Policy.fromJson(Files.readString(policy)), capture,
                Optional.ofNullable(agentCa));
        System.out.println("cloud verifier on https://" + bind + ":" + r.port() + "/  pin " + r.pin()
                + (agentCa == null ? "" : "  agent certificates required"));
        Thread.currentThread().join();
    }

    static Running start(Path state, InetSocketAddress bind, Optional<String> jdbc, ReferenceValues refs, Policy policy,
            boolean captureFirst) throws Exception {
        return start(state, bind, jdbc, refs, policy, captureFirst, Optional.empty());
    }

    /** @param agentCa the agent CA (PEM) whose client certificates the device endpoints need, if any */
    static Running start(Path state, InetSocketAddress bind, Optional<String> jdbc, ReferenceValues refs, Policy policy,
            boolean captureFirst, Optional<Path> agentCa) throws Exception {
        Files.createDirectories(state);
        ServerTls tls = ServerTls.loadOrCreate(state);
        // Read before anything opens: a bad CA file stops the start, it never falls back to no client TLS.
        Optional<AgentCertificates> agents = agentCa.isEmpty() ? Optional.empty()
                : Optional.of(AgentCertificates.load(agentCa.get()));
        javax.net.ssl.SSLContext context = agents.isEmpty() ? tls.context : agents.get().context(tls.keys);
        String adminToken = token(state.resolve("admin.token"));
        String viewerToken = token(state.resolve("viewer.token"));
        String url = jdbc.orElse("jdbc:h2:file:" + state.resolve("verifier").toAbsolutePath());
        DeviceDirectory directory = new DeviceDirectory(url);
        // Continuity state (last head per device, used nonces) in the same database, so a
        // restarted verifier, or a second replica, continues every device's chain.
        JdbcDeviceStateStore store = JdbcDeviceStateStore.open(url);
        Clock clock = Clock.systemUTC();
        NonceIssuer nonces = new NonceIssuer(Duration.ofMinutes(2), clock, 10_000);
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair earKey = g.generateKeyPair();
        Files.writeString(state.resolve("ear-signing.pub.pem"), Pem.publicKey(earKey.getPublic()));
        EarSigner ear = EarSigner.create(EarSigningKey.of(earKey.getPrivate(), earKey.getPublic(), Optional.of("ear-1")));
        Path captured = state.resolve("captured-refs.json");
        if (captureFirst && Files.exists(captured)) {
            ReferenceValues.Builder merged = ReferenceValues.builder();
            refs.components().values().forEach(merged::put);
            ReferenceValues.fromJson(Files.readString(captured)).components().values().forEach(merged::put);
            refs = merged.build();
        }
        AttestAppraiser appraiser = new AttestAppraiser(refs, policy, store, clock, ear,
                new VerifierId("attest.dev", "cloud-verifier 0.1.0"), nonces, captureFirst, captured);
        for (DeviceDirectory.Device d : directory.devices()) {
            appraiser.enrol(d.id(), d.keyPem());
        }
        HttpApi api = new HttpApi(bind, context, agents.isPresent(), directory, nonces, appraiser, appraiser::enrol,
                adminToken, viewerToken, () -> directory.reachable() && ready(store), clock);
        return new Running(api, directory, store, appraiser, tls.pin, adminToken, viewerToken);
    }

    /** Whether the state database answers a query now. */
    private static boolean ready(JdbcDeviceStateStore store) {
        try {
            store.schemaVersion();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The bearer token in {@code file}, created (random, 192 bits, owner-only) if absent. */
    private static String token(Path file) throws java.io.IOException {
        if (!Files.exists(file)) {
            byte[] t = new byte[24];
            new SecureRandom().nextBytes(t);
            try {
                Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the state directory's own protection applies
                Files.createFile(file);
            }
            Files.writeString(file, HexFormat.of().formatHex(t) + "\n");
        }
        return Files.readString(file).trim();
    }
}
