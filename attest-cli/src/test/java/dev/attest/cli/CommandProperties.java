package dev.attest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.attest.evidence.KeyId;
import dev.attest.evidence.SignatureAlgorithm;
import dev.attest.evidence.SigningKey;
import dev.attest.evidence.VerificationKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile tokens never make a command crash: whatever the bytes, inspect and verify end with an
 * exit code they document and at most one error line, never a stack trace.
 */
class CommandProperties {
    private static final SigningKey KEY = SigningKey.generate(SignatureAlgorithm.ES256, Optional.of(KeyId.of("prop")));
    private static Path dir;
    private static Path pub;
    private static byte[] token;

    @BeforeContainer
    static void setUp() throws Exception {
        dir = Files.createTempDirectory("attest-cli-props");
        VerificationKey vk = KEY.verificationKey().orElseThrow();
        pub = Files.writeString(dir.resolve("pub.pem"), KeyFiles.pemKidLine(KeyId.of("prop"))
                + dev.attest.evidence.Pem.publicKey(vk.publicKey()));
        token = Tokens.fixed(KEY);
    }

    @AfterContainer
    static void tearDown() throws Exception {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<byte[]> mutatedTokens() {
        return net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 4 * 1024),
                Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 2)).as((at0, value, kind) -> {
                    byte[] b = token.clone();
                    int at = at0 % b.length;
                    return switch (kind) {
                        case 0 -> {
                            b[at] = (byte) (int) value;
                            yield b;
                        }
                        case 1 -> java.util.Arrays.copyOf(b, at);
                        default -> {
                            byte[] longer = java.util.Arrays.copyOf(b, b.length + 1);
                            longer[b.length] = (byte) (int) value;
                            yield longer;
                        }
                    };
                });
    }

    private static void assertCalm(Cli.Run r, int... allowed) {
        assertTrue(java.util.Arrays.stream(allowed).anyMatch(c -> c == r.code()), "exit " + r.code() + ": " + r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertTrue(r.err().chars().filter(c -> c == '\n').count() <= 1, r.err());
    }

    @Property(tries = 200)
    void mutatedTokensAreAValidResultOrOneLineRefusal(@ForAll("mutatedTokens") byte[] t) throws Exception {
        Path f = Files.write(dir.resolve("t"), t);
        Cli.Run inspect = Cli.run("inspect", f.toString(), "--key", pub.toString());
        assertCalm(inspect, 0, 2, 3);
        Cli.Run verify = Cli.run("verify", f.toString(), "--trust", "d=" + pub);
        assertCalm(verify, 1, 2, 3);
        if (inspect.code() == 0) {
            assertEquals(0, Cli.run("inspect", f.toString()).code());
        }
    }

    @Property(tries = 200)
    void arbitraryBytesAreRefusedInOneLine(@ForAll @Size(max = 512) byte[] t) throws Exception {
        Path f = Files.write(dir.resolve("r"), t);
        Cli.Run r = Cli.run("inspect", f.toString());
        assertCalm(r, 3);
        assertTrue(r.err().startsWith("attest: " + f + ": "), r.err());
    }
}
